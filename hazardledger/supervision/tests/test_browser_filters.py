"""Issue 11, item 1, on the listed hazards: the filter bar is a plain form that sends itself on
each choice (no request of the region dropdown's own), so the URL states every filter and a
chosen district offers its streets and stays chosen through the next change."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_district_then_sector_keep_each_other_in_the_url(page, login, users):
    login("manager_a")
    page.goto(f"{page.base_url}/supervision/listings/?level=city")

    page.select_option("#id_region", "440106")
    page.wait_for_url("**region=440106**")
    assert page.locator("#id_region option[value='440106001']").count() == 1  # 五山街道

    page.select_option("#id_sector", "hazardous_chemicals")
    page.wait_for_url("**sector=hazardous_chemicals**")
    query = parse_qs(urlsplit(page.url).query)
    assert query["region"] == ["440106"] and query["level"] == ["city"]
    expect(page.locator("#id_region")).to_have_value("440106")
    expect(page.get_by_test_id("level-city")).to_have_class("nav-link active")
