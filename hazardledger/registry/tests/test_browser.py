"""End to end in Chromium: a city office filters sites, opens one, and imports a bad file."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from hazardledger.registry.models import Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _spreadsheet(path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["广州市监管对象导入表"])
    sheet.append(["名称", "类型", "行政区划代码", "地址"])
    sheet.append(["黄埔新材料厂", "工贸企业", "440112001", "黄埔东路1号"])
    sheet.append(["不存在的地方", "工贸企业", "440112999", "某路2号"])
    sheet.append(["黄埔加油站", "加油加气站", "440112001", "黄埔东路3号"])
    stream = io.BytesIO()
    workbook.save(stream)
    path.write_bytes(stream.getvalue())
    return path


def test_office_filters_opens_a_site_and_a_bad_import_changes_nothing(
    page, login, users, sites, tmp_path
):
    login("manager_a")
    page.goto(f"{page.base_url}/sites/")
    assert page.get_by_test_id("site-total").inner_text() == "3 个监管对象"

    page.select_option("#id_region", "440112")  # 黄埔区
    # A locator wait, not wait_for_function: its polling evals, which the CSP forbids.
    expect(page.get_by_test_id("site-total")).to_have_text(re.compile(r"^1 "))
    page.select_option("#id_sector", "hazardous_chemicals")
    page.wait_for_url("**sector=hazardous_chemicals**")
    rows = page.locator("#site-results table tbody tr")
    assert rows.count() == 1
    rows.first.get_by_role("link", name="甲化工储罐区").click()
    page.wait_for_selector("h1:has-text('甲化工储罐区')")
    assert page.locator("dd:has-text('黄埔街道')").count() == 1

    before = Site.objects.count()
    page.goto(f"{page.base_url}/sites/import/")
    page.set_input_files("#id_file", str(_spreadsheet(tmp_path / "sites.xlsx")))
    page.get_by_role("button", name="导入").click()
    errors = page.get_by_test_id("import-errors")
    errors.wait_for()
    assert "没有导入任何数据" in errors.inner_text()
    cells = errors.locator("tbody tr").first.locator("td").all_inner_texts()
    assert cells[0] == "4"
    assert cells[1] == "行政区划代码"
    assert "440112999" in cells[2]
    assert Site.objects.count() == before
