"""End to end in Chromium: the city office filters the ledger by district and grade, and the
"Export to Excel" link downloads exactly the rows on screen (it used to keep the filters of
the page load, so an export after filtering held every grade)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from hazardledger.hazards.choices import HazardGrade

from .factories import record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shown(page) -> set[int]:
    """The hazard numbers in the ledger's table."""
    cells = page.locator("#hazard-results tbody tr td:first-child").all_inner_texts()
    return {int(text) for text in cells}


def _exported(page) -> set[int]:
    """The hazard numbers in the workbook the export link downloads."""
    with page.expect_download() as download:
        page.click("#export-link")
    assert download.value.suggested_filename.endswith(".xlsx")
    # The saved download has no extension, which openpyxl insists on: read it from memory.
    data = Path(download.value.path()).read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "隐患编号"
    return {row[1] for row in rows[1:]}


def test_the_export_has_the_rows_the_filtered_ledger_shows(page, login, users, sites):
    huangpu_major = {
        record(sites.plant_a, users.officer_a, HazardGrade.MAJOR).pk,
        record(sites.plant_a, users.officer_a, HazardGrade.MAJOR, description="反应釜超温").pk,
    }
    record(sites.plant_a, users.officer_a, description="消防通道堵塞")  # Huangpu, general
    record(sites.factory_b, users.officer_b, HazardGrade.MAJOR)  # Panyu, major
    record(sites.factory_b, users.officer_b)  # Panyu, general

    login("manager_a")
    # The district from a fresh page load, then the grade through the filter form (HTMX swaps
    # the results only): the export must follow both.
    page.goto(f"{page.base_url}/hazards/?region=440112")
    assert page.get_by_test_id("hazard-total").inner_text() == "3 条隐患"
    page.select_option("#id_grade", "major")
    page.wait_for_url("**grade=major**")
    expect(page.get_by_test_id("hazard-total")).to_have_text(re.compile(r"^2 "))

    assert _shown(page) == huangpu_major
    assert _exported(page) == huangpu_major
