"""Issue 11, item 11: WCAG 2 A and AA (GB/T 37668) on the pages people use most, checked with
axe-core inside Chromium.

axe-core comes from npm (package.json's devDependencies) and is read from node_modules by this
test only: the application never serves it. It is evaluated through the DevTools protocol, to
which the page's Content-Security-Policy does not apply, so the policy stays on.

The demo province (load_demo) gives the pages realistic content: every status badge, overdue
and major hazards, risk colours. Each persona opens the overview, the site list and a site, the
ledger, a hazard and the form to record one, the queue, the risk register, the inspections and
an inspection's field page (started from the site page), and the quick report where they may
send one; at a desktop's and a phone's width.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """() => axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}})
  .then(result => result.violations.flatMap(rule => rule.nodes.map(node =>
    `${rule.id}: ${node.target.join(" ")}: ${node.failureSummary.replace(/\\s+/g, " ")}`)))"""

PERSONAS = ["gz-office", "ent-a", "gz-inspector", "th-grid"]
# Those who may send a quick report (the others do not have it in their menu).
REPORTERS = {"ent-a", "th-grid"}
SIZES = {"desktop": {"width": 1366, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (package.json's devDependencies)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def demo(settings):
    """The demo province, its events left for a worker this test does not run (handling them
    on each commit, as tests otherwise do, takes most of a minute)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    call_command("load_demo", "--sites", "200", stdout=io.StringIO())


def _violations(tab, axe_source: str) -> list[str]:
    tab.evaluate(axe_source)
    return tab.evaluate(RUN_AXE)


def _first_link(tab, path: str, selector: str) -> str:
    tab.goto(f"{tab.base_url}{path}")
    href = tab.locator(selector).first.get_attribute("href")
    assert href, f"nothing to open on {path}"
    return href


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("username", PERSONAS)
def test_the_main_pages_have_no_wcag_2_a_or_aa_violations(
    browser, live_server, demo, axe_source, username, size
):
    context = browser.new_context(locale="zh-CN", viewport=SIZES[size])
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    tab.goto(f"{live_server.url}/accounts/login/")
    tab.fill("#id_username", username)
    tab.fill("#id_password", "demo")
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{live_server.url}/", wait_until="commit")

    site = _first_link(tab, "/sites/", "#site-results tbody a")
    hazard = _first_link(tab, "/hazards/", "#hazard-results tbody td.card-title a")
    pages = [
        "/",
        "/sites/",
        site,
        "/hazards/",
        hazard,
        "/hazards/add/",
        "/hazards/queue/",
        "/risks/",
        "/inspections/",
    ]
    if username in REPORTERS:
        pages.append("/hazards/report/")

    found: dict[str, list[str]] = {}
    for path in pages:
        response = tab.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        tab.wait_for_load_state("networkidle")
        if problems := _violations(tab, axe_source):
            found[path] = problems

    # The field page: start an inspection from the site page, as at the site.
    tab.goto(f"{live_server.url}{site}")
    tab.get_by_test_id("start-inspection").click()
    tab.get_by_test_id("start-now").click()
    tab.wait_for_url(re.compile(r".*/inspections/\d+/conduct/$"))
    tab.wait_for_load_state("networkidle")
    if problems := _violations(tab, axe_source):
        found[tab.url] = problems

    # Leave no request in flight: the next test empties the database.
    tab.goto("about:blank")
    context.close()
    assert found == {}
