"""Issue 11, item 1, end to end in Chromium: the site list's filters keep every chosen value.

The region dropdown used to vanish once a district was chosen, so the next change dropped the
district (天河区 + 危险化学品 showed every district's sites). The city office picks a
district, then a sector, then a risk level; after each step the count on screen, the URL and
the export agree."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from playwright.sync_api import expect

from hazardledger.registry.choices import SiteKind

from .factories import SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shown(page) -> set[str]:
    return set(page.locator("#site-results tbody tr td:first-child a").all_inner_texts())


def _exported(page) -> set[str]:
    """The site names in the workbook the export link downloads."""
    with page.expect_download() as download:
        page.click("#export-link")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("名称")
    return {row[column] for row in rows[1:]}


def _step(page, select: str, value: str, expected: set[str], query: dict[str, list[str]]):
    page.select_option(select, value)
    page.wait_for_url(re.compile(rf".*[?&]{select[4:]}={value}(&|$)"))
    expect(page.get_by_test_id("site-total")).to_have_text(re.compile(rf"^{len(expected)} "))
    assert _shown(page) == expected
    assert parse_qs(urlsplit(page.url).query) == query
    assert _exported(page) == expected


def test_district_then_sector_then_risk_level_keep_each_other(page, login, users, orgs, sites):
    chemicals = {"sector_id": "hazardous_chemicals", "kind": SiteKind.CHEMICAL_PLANT}
    SiteFactory(name="天河化工甲", region_id="440106002", risk_level="major", **chemicals)
    SiteFactory(name="天河化工乙", region_id="440106003", risk_level="general", **chemicals)
    SiteFactory(name="天河五金厂", region_id="440106003", risk_level="major")
    SiteFactory(name="黄埔化工丙", region_id="440112001", risk_level="major", **chemicals)

    login("manager_a")
    page.goto(f"{page.base_url}/sites/")
    assert page.get_by_test_id("site-total").inner_text() == "7 个监管对象"

    _step(
        page,
        "#id_region",
        "440106",
        {"天河化工甲", "天河化工乙", "天河五金厂", sites.house.name},
        {"region": ["440106"]},
    )
    _step(
        page,
        "#id_sector",
        "hazardous_chemicals",
        {"天河化工甲", "天河化工乙"},
        {"region": ["440106"], "sector": ["hazardous_chemicals"]},
    )
    _step(
        page,
        "#id_risk_level",
        "major",
        {"天河化工甲"},
        {"region": ["440106"], "sector": ["hazardous_chemicals"], "risk_level": ["major"]},
    )
    expect(page.locator("#id_region")).to_have_value("440106")

    # A street of the district, then back: still the sector and the level.
    _step(
        page,
        "#id_region",
        "440106002",
        {"天河化工甲"},
        {"region": ["440106002"], "sector": ["hazardous_chemicals"], "risk_level": ["major"]},
    )
