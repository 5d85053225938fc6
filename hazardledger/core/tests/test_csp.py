"""Content-Security-Policy: every page sends one, and no template needs inline script."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from hazardledger.risks.tests.factories import ControlMeasureFactory, RiskPointFactory

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR) / "hazardledger"
# Scripts the browser does not run, so the policy lets them through (json_script output).
DATA_SCRIPT_TYPES = {"application/json"}


def _directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


class _InlineScriptFinder(HTMLParser):
    """Collects inline <script> elements and on…= / hx-on attributes of a rendered page."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and "src" not in names and names.get("type") not in DATA_SCRIPT_TYPES:
            self.problems.append(f"inline <script> at line {self.getpos()[0]}")
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"<{tag} {name}=…> at line {self.getpos()[0]}")
            url = (value or "").strip().lower()
            if name in {"href", "src", "action"} and url.startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…> at line {self.getpos()[0]}")


def _template_files() -> list[Path]:
    files = sorted(ROOT.glob("templates/**/*.html")) + sorted(ROOT.glob("*/templates/**/*.html"))
    assert len(files) > 20
    return files


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*?\s(on[a-z]+|hx-on[:\-]?[\w:\-]*)\s*=", re.DOTALL)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


@pytest.mark.parametrize("template", _template_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_inline_script_or_event_handlers(template):
    text = template.read_text(encoding="utf-8")
    for match in SCRIPT_TAG.finditer(text):
        attributes = match.group(1)
        assert "src=" in attributes or 'type="application/json"' in attributes, (
            f"inline <script> in {template}: move it to a static file"
        )
    handler = HANDLER_ATTRIBUTE.search(text)
    assert handler is None, f"{handler.group(1)}= in {template}: use a data-* attribute and JS"
    assert JAVASCRIPT_URL.search(text) is None, f"javascript: URL in {template}"


def test_the_template_check_catches_what_the_policy_blocks():
    assert HANDLER_ATTRIBUTE.search('<select class="x" onchange="this.form.submit()">')
    assert HANDLER_ATTRIBUTE.search('<form\n  onsubmit="return false">')
    assert HANDLER_ATTRIBUTE.search('<button hx-on:click="alert(1)">')
    assert not HANDLER_ATTRIBUTE.search('<select data-autosubmit data-confirm="x">')
    assert not HANDLER_ATTRIBUTE.search("<p>Based on the plan, click once</p>")
    finder = _InlineScriptFinder()
    finder.feed('<script>alert(1)</script><script type="application/json">{}</script>')
    finder.feed('<script src="/s.js"></script><a href="javascript:alert(1)" onclick="x()">')
    assert len(finder.problems) == 3


def test_pages_send_a_policy_without_inline_script(client, users):
    client.force_login(users.manager_a)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    directives = _directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert set(directives["img-src"]) == {"'self'", "data:", "blob:"}


@pytest.mark.parametrize(
    "name",
    ["accounts:login", "admin:login"],
)
def test_anonymous_pages_send_the_policy_too(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert _directives(response)["script-src"] == ["'self'"]


def test_errors_and_fragments_send_the_policy(client, users):
    client.force_login(users.manager_a)
    missing = client.get("/sites/999999999/")
    assert missing.status_code == 404
    assert "Content-Security-Policy" in missing
    fragment = client.get(reverse("registry:site-list"), HTTP_HX_REQUEST="true")
    assert "Content-Security-Policy" in fragment


def test_htmx_is_told_not_to_eval_or_inject_styles(client, users):
    client.force_login(users.manager_a)
    html = client.get(reverse("home")).content.decode()
    assert '"allowEval": false' in html
    assert '"includeIndicatorStyles": false' in html


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("manager_a", "/"),
        ("manager_a", "/sites/"),
        ("manager_a", "/hazards/"),
        ("grid", "/hazards/report/"),
        ("officer_a", "/risks/"),
        ("inspector_a", "/inspections/"),
        ("inspector_a", "/risks/inspections-due/"),
        ("admin", "/admin/"),
        ("admin", "/admin/accounts/user/"),
    ],
)
def test_rendered_pages_have_no_inline_script(client, users, sites, persona, url):
    client.force_login(getattr(users, persona))
    response = client.get(url)
    assert response.status_code == 200, url
    finder = _InlineScriptFinder()
    finder.feed(response.content.decode())
    assert finder.problems == []


def test_the_pages_whose_scripts_moved_load_them_from_static_files(client, users, sites):
    point = RiskPointFactory(site=sites.plant_a)
    ControlMeasureFactory(risk_point=point)
    client.force_login(users.officer_a)
    assess = client.get(reverse("risks:riskpoint-assess", args=[point.pk])).content.decode()
    assert "risks/assess.js" in assess
    detail = client.get(reverse("risks:riskpoint-detail", args=[point.pk])).content.decode()
    assert 'data-confirm="确定删除此管控措施吗？"' in detail
    finder = _InlineScriptFinder()
    finder.feed(assess + detail)
    assert finder.problems == []
    client.force_login(users.grid)
    report = client.get(reverse("hazards:report-add")).content.decode()
    assert "hazards/quickreport.js" in report
    assert "core/site.js" in report
