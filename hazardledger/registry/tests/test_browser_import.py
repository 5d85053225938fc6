"""Issue 11.3 in Chromium: an office exports its self-built houses, edits one in the file, adds
one, imports it: the preview shows one new and one changed site before anything is written;
confirming leads to the list of the site the import created; the old file is then refused
(its site changed since), and a fresh export imports as "nothing to import"."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from hazardledger.registry.models import Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _edited_export(page, path):
    response = page.request.get(f"{page.base_url}/sites/export/?kind=self_built_house")
    rows = [
        list(row)
        for row in load_workbook(io.BytesIO(response.body())).active.iter_rows(values_only=True)
    ]
    header = rows[0]
    rows[1][header.index("联系电话")] = "020-12345678"
    new = [None] * len(header)
    for column, value in (
        ("名称", "新登记的自建房"),
        ("类型", "自建房"),
        ("行政区划代码", "440106001"),
        ("地址", "五山路88号"),
    ):
        new[header.index(column)] = value
    workbook = Workbook()
    for row in [*rows, new]:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    path.write_bytes(stream.getvalue())
    return path


def test_an_edited_export_is_previewed_confirmed_and_listed(page, login, users, sites, tmp_path):
    login("manager_a")
    before = Site.objects.count()
    path = _edited_export(page, tmp_path / "houses.xlsx")

    page.goto(f"{page.base_url}/sites/import/")
    page.set_input_files("#id_file", str(path))
    page.get_by_test_id("import-upload").click()
    preview = page.get_by_test_id("import-preview")
    preview.wait_for()
    assert preview.locator("[data-count=new]").inner_text() == "1"
    assert preview.locator("[data-count=changed]").inner_text() == "1"
    assert "020-12345678" in page.get_by_test_id("import-changed").inner_text()
    assert Site.objects.count() == before  # nothing written before the confirmation

    page.get_by_test_id("import-confirm").click()
    page.wait_for_url("**/sites/?batch=**")
    expect(page.get_by_test_id("site-total")).to_have_text("1 个监管对象")
    assert "新登记的自建房" in page.locator("#site-results").inner_text()
    assert Site.objects.count() == before + 1
    sites.house.refresh_from_db()
    assert sites.house.contact_phone == "020-12345678"

    # The same file again is refused: the house has changed since that export (its version).
    page.goto(f"{page.base_url}/sites/import/")
    page.set_input_files("#id_file", str(path))
    page.get_by_test_id("import-upload").click()
    expect(page.get_by_test_id("import-errors")).to_contain_text("数据版本")

    # A fresh export, imported as it is: every row matches its site, nothing to import.
    fresh = page.request.get(f"{page.base_url}/sites/export/?kind=self_built_house")
    (tmp_path / "fresh.xlsx").write_bytes(fresh.body())
    page.goto(f"{page.base_url}/sites/import/")
    page.set_input_files("#id_file", str(tmp_path / "fresh.xlsx"))
    page.get_by_test_id("import-upload").click()
    page.get_by_test_id("import-nothing").wait_for()
    assert Site.objects.count() == before + 1
