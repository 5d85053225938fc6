"""Issue 11, item 1, end to end in Chromium: the ledger's filters keep every chosen value.

Choosing a district used to remove the region dropdown (its own HTMX request got the results
fragment, in which its ``hx-select`` found nothing), so the next change dropped the district:
天河区 + 危险化学品 showed every district's hazardous-chemicals hazards. The city office now
picks a district, then a sector, then a grade; after each step the count on screen, the URL
(bookmarkable: it states the filter) and the export agree."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from playwright.sync_api import expect

from hazardledger.hazards.choices import HazardGrade
from hazardledger.registry.choices import SiteKind
from hazardledger.registry.tests.factories import SiteFactory

from .factories import record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _shown(page) -> set[int]:
    cells = page.locator("#hazard-results tbody tr td:first-child").all_inner_texts()
    return {int(text.strip().lstrip("#")) for text in cells}


def _exported(page) -> set[int]:
    """The hazard numbers in the workbook the export link downloads."""
    with page.expect_download() as download:
        page.click("#export-link")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("隐患编号")
    return {row[column] for row in rows[1:]}


def _step(page, select: str, value: str, expected: set[int], query: dict[str, list[str]]):
    page.select_option(select, value)
    page.wait_for_url(re.compile(rf".*[?&]{select[4:]}={value}(&|$)"))
    expect(page.get_by_test_id("hazard-total")).to_have_text(re.compile(rf"^{len(expected)} "))
    assert _shown(page) == expected
    assert _query(page) == query  # only the chosen filters: a link to share
    assert _exported(page) == expected


def test_district_then_sector_then_grade_keep_each_other(page, login, users, orgs, sites):
    tianhe_plant = SiteFactory(
        name="天河化工仓库",
        kind=SiteKind.CHEMICAL_PLANT,
        sector_id="hazardous_chemicals",
        region_id="440106002",
        organisation=orgs.ent_a,
    )
    tianhe_factory = SiteFactory(name="天河五金厂", region_id="440106003", organisation=orgs.ent_b)
    tianhe_chem_major = record(tianhe_plant, users.inspector_a, HazardGrade.MAJOR).pk
    tianhe_chem_general = record(tianhe_plant, users.inspector_a).pk
    tianhe_trade = record(tianhe_factory, users.inspector_a, HazardGrade.MAJOR).pk
    record(sites.plant_a, users.inspector_a, HazardGrade.MAJOR)  # Huangpu, hazardous chemicals
    record(sites.plant_a, users.inspector_a)
    record(sites.factory_b, users.inspector_a)  # Panyu, industry and trade

    login("manager_a")
    page.goto(f"{page.base_url}/hazards/")
    assert page.get_by_test_id("hazard-total").inner_text() == "6 条隐患"

    tianhe = {tianhe_chem_major, tianhe_chem_general, tianhe_trade}
    _step(page, "#id_region", "440106", tianhe, {"region": ["440106"]})
    # The district's dropdown is still there, still on the district, now with its streets.
    expect(page.locator("#id_region")).to_have_value("440106")
    assert page.locator("#id_region option[value='440106002']").count() == 1

    chemicals = {tianhe_chem_major, tianhe_chem_general}
    _step(
        page,
        "#id_sector",
        "hazardous_chemicals",
        chemicals,
        {"region": ["440106"], "sector": ["hazardous_chemicals"]},
    )
    _step(
        page,
        "#id_grade",
        "major",
        {tianhe_chem_major},
        {"region": ["440106"], "sector": ["hazardous_chemicals"], "grade": ["major"]},
    )
    expect(page.locator("#id_region")).to_have_value("440106")
    expect(page.locator("#id_sector")).to_have_value("hazardous_chemicals")

    # The URL is the filter: opened afresh (bookmarked, shared), it shows the same.
    page.goto(page.url)
    assert _shown(page) == {tianhe_chem_major}
    expect(page.locator("#id_region")).to_have_value("440106")


def test_a_filter_set_by_a_link_survives_changes_of_the_visible_ones(page, login, users, sites):
    """The queue's "in the ledger" links set filters the bar has no control for (here a
    site): changing a visible filter keeps them."""
    plant_major = record(sites.plant_a, users.inspector_a, HazardGrade.MAJOR).pk
    record(sites.plant_a, users.inspector_a)
    record(sites.factory_b, users.inspector_a, HazardGrade.MAJOR)

    login("manager_a")
    page.goto(f"{page.base_url}/hazards/?site={sites.plant_a.pk}")
    assert page.get_by_test_id("hazard-total").inner_text() == "2 条隐患"
    page.select_option("#id_grade", "major")
    page.wait_for_url("**grade=major**")
    expect(page.get_by_test_id("hazard-total")).to_have_text(re.compile(r"^1 "))
    assert _shown(page) == {plant_major}
    # The region dropdown's first choice is the office's whole city: the URL says so.
    assert _query(page) == {"region": ["4401"], "site": [str(sites.plant_a.pk)], "grade": ["major"]}
