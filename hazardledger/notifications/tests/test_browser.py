"""End to end in Chromium: an inspector records a hazard at enterprise A's plant; the
enterprise's safety officer sees the bell's count rise, opens the notice from the list and
lands on the hazard, and the count is gone. On a phone the bell stays in the top bar and
"mark read" updates the item and the count in place (HTMX, under the Content-Security-Policy).

Selectors use ids and data attributes, not text, so the tests hold in both languages.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hazardledger.hazards.models import Hazard
from hazardledger.hazards.services import hazard_record
from hazardledger.hazards.tests.factories import hazard_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BELL_COUNT = "#notice-bell [data-testid=notice-count]"


@pytest.fixture
def violations(page):
    """Everything the browser refused under the policy, and every uncaught script error."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Refused to" in message.text else None,
    )
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def _record_as_inspector(browser, base_url: str, site) -> None:
    """inspector_a records a general hazard at ``site`` through the record page, in a browser
    of their own."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.goto(f"{base_url}/accounts/login/")
    tab.fill("#id_username", "inspector_a")
    tab.fill("#id_password", "pw")
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{base_url}/", wait_until="commit")
    tab.goto(f"{base_url}/hazards/add/?site={site.pk}")
    tab.fill("#id_location", "2号储罐区")
    tab.fill("#id_description", "储罐区可燃气体报警器失效")
    tab.select_option("#id_category", "equipment")
    tab.check("input[name=grade][value=general]")
    tab.select_option("#id_source", "regulatory_inspection")
    tab.click("[data-testid=record]")
    tab.wait_for_selector("[data-testid=hazard-status][data-status=recorded]")
    context.close()


def test_the_enterprise_hears_of_a_hazard_an_inspector_recorded(
    page, login, users, sites, browser, violations
):
    login("officer_a")
    expect(page.locator("#notice-bell [data-testid=notice-bell]")).to_be_visible()
    expect(page.locator(BELL_COUNT)).to_have_count(0)

    _record_as_inspector(browser, page.base_url, sites.plant_a)
    hazard = Hazard.objects.get(site=sites.plant_a)

    page.reload()
    expect(page.locator(BELL_COUNT)).to_have_text("1")
    page.click("#notice-bell [data-testid=notice-bell]")
    page.wait_for_url(f"{page.base_url}/notifications/")
    notice = page.locator("[data-testid=notice]")
    expect(notice).to_have_count(1)
    expect(notice).to_have_attribute("data-read", "false")
    expect(notice.locator("[data-testid=notice-link]")).to_contain_text(f"#{hazard.pk}")

    notice.locator("[data-testid=notice-link]").click()
    page.wait_for_url(f"{page.base_url}/hazards/{hazard.pk}/")
    expect(page.locator("[data-testid=hazard-status]")).to_have_attribute("data-status", "recorded")
    expect(page.locator("#notice-bell [data-testid=notice-bell]")).to_be_visible()
    expect(page.locator(BELL_COUNT)).to_have_count(0)
    assert violations == []


def test_on_a_phone_the_bell_is_in_the_top_bar_and_mark_read_updates_in_place(
    page, login, users, sites, violations
):
    for location in ("1号罐", "2号罐"):
        hazard_record(
            actor=users.inspector_a,
            site_id=sites.plant_a.pk,
            data=hazard_data(location=location, source="regulatory_inspection"),
        )
    page.set_viewport_size({"width": 390, "height": 844})
    login("officer_a")
    # Visible without opening the collapsed menu.
    expect(page.locator("#nav")).to_be_hidden()
    expect(page.locator(BELL_COUNT)).to_have_text("2")

    page.goto(f"{page.base_url}/notifications/")
    first = page.locator("[data-testid=notice]").first
    first_id = first.get_attribute("id")
    first.locator("[data-testid=notice-mark-read]").click()
    expect(page.locator(f"#{first_id}")).to_have_attribute("data-read", "true")
    expect(page.locator(BELL_COUNT)).to_have_text("1")
    assert page.url == f"{page.base_url}/notifications/"  # swapped in place, no navigation

    page.click("[data-testid=notice-read-all]")
    expect(page.locator("[data-testid=notice][data-read=false]")).to_have_count(0)
    expect(page.locator(BELL_COUNT)).to_have_count(0)
    # Nothing sticks out sideways on a phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    assert re.fullmatch(r"notice-\d+", first_id or "")
    assert violations == []
