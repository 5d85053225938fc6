"""End to end in Chromium: a city office filters sites, opens one, and imports a bad file."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_filters_and_opens_a_site(page, login, users, sites):
    login("manager_a")
    page.goto(f"{page.base_url}/sites/")
    page.select_option("#id_sector", "hazardous_chemicals")
    page.wait_for_selector("text=甲化工储罐区")
    assert page.locator("table tbody tr").count() == 1
    page.click("text=甲化工储罐区")
    page.wait_for_selector("h1:has-text('甲化工储罐区')")
