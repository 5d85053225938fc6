"""Issue 11, item 2: menus and buttons offer only what the user may do.

随手拍 (quick report) was in the menu of the city office, the inspector, the leader and the
province office, and each got "your role may not do this". Every demo persona now walks its
menu, the buttons of the pages the menu leads to, one row of each list and the buttons there:
no link answers 403."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.http import HttpRequest

from hazardledger.accounts.demo import DEMO_LOGINS

pytestmark = pytest.mark.django_db

# Links that are not pages of the application.
SKIP_PREFIXES = ("/admin/", "/static/", "/accounts/logout/", "/i18n/")


class _Links(HTMLParser):
    """The links a user is offered: the navigation bar's, the buttons' (``a.btn``) and the
    first link of each list's first row (to reach a detail page and its buttons)."""

    def __init__(self) -> None:
        super().__init__()
        self.nav: list[str] = []
        self.buttons: list[str] = []
        self.rows: list[str] = []
        self._in_nav = 0
        self._in_tbody = False
        self._row_taken = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "nav":
            self._in_nav += 1
        elif tag == "tbody":
            self._in_tbody, self._row_taken = True, False
        elif tag == "a" and a.get("href"):
            href = a["href"] or ""
            if self._in_nav and "nav-link" in (a.get("class") or ""):
                self.nav.append(href)
            elif "btn" in (a.get("class") or "").split():
                self.buttons.append(href)
            elif self._in_tbody and not self._row_taken:
                self.rows.append(href)
                self._row_taken = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_nav -= 1
        elif tag == "tbody":
            self._in_tbody = False


def _links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def _page(href: str) -> str | None:
    """The path (and query) of an in-app page, or None for anything else."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIP_PREFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", "--sites", "200", stdout=io.StringIO())


@pytest.mark.parametrize("username", DEMO_LOGINS)
def test_no_menu_entry_or_button_leads_to_a_403(client, demo, username):
    assert client.login(request=HttpRequest(), username=username, password="demo")
    client.raise_request_exception = False  # a broken page is reported with the others
    home = client.get("/")
    assert home.status_code == 200
    menu = [p for p in map(_page, _links(home.content.decode()).nav) if p]
    assert menu, "the menu offers nothing"

    refused: list[str] = []
    seen: set[str] = set()
    # The menu's pages, then what their buttons and first rows lead to, then those pages'
    # buttons: three steps from the home page.
    frontier = [(path, "menu") for path in menu]
    for _depth in range(3):
        following = []
        for path, came_from in frontier:
            if path in seen:
                continue
            seen.add(path)
            response = client.get(path)
            if response.status_code == 403 or response.status_code >= 500:
                refused.append(f"{path} {response.status_code} (from {came_from})")
                continue
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            links = _links(response.content.decode())
            following += [(p, path) for p in map(_page, links.buttons + links.rows) if p]
        frontier = following
    assert refused == []


def test_the_quick_report_is_in_the_menu_of_those_who_may_report(client, demo):
    """随手拍: the enterprise's people and the grid worker; no regulator, leader or office."""
    offered = set()
    for username in DEMO_LOGINS:
        client.login(request=HttpRequest(), username=username, password="demo")
        if "/hazards/report/" in _links(client.get("/").content.decode()).nav:
            offered.add(username)
    # The administrator may do everything, so also this.
    assert offered == {"admin", "th-grid", "ent-a", "ent-a-boss", "ent-a-worker", "ent-b"}
