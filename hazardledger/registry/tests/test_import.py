"""The sites spreadsheet import: all or nothing, every bad row reported in the user's language."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from hazardledger.registry.models import Site
from hazardledger.registry.transfer import site_import

pytestmark = pytest.mark.django_db

HEADER = [
    "名称",
    "类型",
    "行业领域",
    "行政区划代码",
    "地址",
    "经度",
    "纬度",
    "责任单位统一社会信用代码",
]
GOOD = [
    [
        "甲公司二号罐区",
        "危险化学品生产企业",
        "",
        "440112001",
        "港前路1号",
        113.45,
        23.1,
        "91440101MA5ATEST1A",
    ],
    ["五山某自建房", "self_built_house", "", "440106001", "五山路2号", "", "", ""],
]


def xlsx(rows, title=None):
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells("A1:H1")
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    return stream


def run(user, stream, filename="sites.xlsx"):
    with translation.override("zh-hans"):
        return site_import(actor=user, handle=stream, filename=filename)


def test_good_file_with_a_title_row_imports_every_row(users, orgs):
    result = run(users.manager_a, xlsx([HEADER, *GOOD], title="广州市监管对象清单"))
    assert result.ok, result.errors
    assert result.created == 2
    site = Site.objects.get(name="甲公司二号罐区")
    assert (site.sector_id, site.organisation, site.created_by) == (
        "hazardous_chemicals",
        orgs.ent_a,
        users.manager_a,
    )
    assert str(site.longitude) == "113.450000"


def test_one_bad_row_imports_nothing_and_names_the_row_and_reason(users, orgs):
    bad = ["坏行", "飞船", "", "440112001", "某路", "", "", ""]
    result = run(users.manager_a, xlsx([HEADER, GOOD[0], bad, GOOD[1]]))
    assert not result.ok
    assert Site.objects.count() == 0
    assert [(e.row, e.column) for e in result.errors] == [(3, "类型")]
    assert "飞船" in result.errors[0].message


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        (["", "工贸企业", "", "440112001", "x", "", "", ""], "名称", "必填"),
        (["x", "工贸企业", "", "999999999", "x", "", "", ""], "行政区划代码", "999999999"),
        (["x", "工贸企业", "", "440305001", "x", "", "", ""], "行政区划代码", "范围"),
        (["x", "工贸企业", "", "440112001", "x", 500, "", ""], "经度", "-180"),
        (["x", "工贸企业", "", "440112001", "x", "东经", "", ""], "经度", "东经"),
        (
            ["x", "工贸企业", "", "440112001", "x", "", "", "NOPE"],
            "责任单位统一社会信用代码",
            "NOPE",
        ),
        (["x", "工贸企业", "火星", "440112001", "x", "", "", ""], "行业领域", "火星"),
    ],
)
def test_each_kind_of_bad_value_is_reported_in_chinese(users, orgs, row, column, fragment):
    result = run(users.manager_a, xlsx([HEADER, row]))
    assert Site.objects.count() == 0
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column) == (2, column)
    assert fragment in error.message


def test_sector_outside_the_inspectors_is_refused(users, orgs):
    row = ["某自建房", "自建房", "", "440106001", "x", "", "", ""]
    result = run(users.inspector_a, xlsx([HEADER, row]))
    assert [e.column for e in result.errors] == ["行业领域"]
    assert Site.objects.count() == 0


def test_messages_follow_the_users_language(users, orgs):
    with translation.override("en"):
        result = site_import(
            actor=users.manager_a,
            handle=xlsx([HEADER, ["", "工贸企业", "", "440112001", "x", "", "", ""]]),
            filename="s.xlsx",
        )
    assert (result.errors[0].column, result.errors[0].message) == ("Name", "is required")


def test_gbk_csv_with_english_headers_and_labels(users, orgs):
    text = (
        "Name,Kind,Region code,Address,Floors,House use\n"
        "旧屋,Self-built house,440106001,五山路3号,3,Residential\n"
    )
    result = run(users.manager_a, io.BytesIO(text.encode("gbk")), filename="sites.csv")
    assert result.ok, result.errors
    assert Site.objects.get(name="旧屋").attributes == {"floors": 3, "house_use": "residential"}


def test_missing_required_column_is_reported(users, orgs):
    result = run(users.manager_a, xlsx([["名称", "类型", "地址"], ["x", "工贸企业", "y"]]))
    assert len(result.errors) == 1
    assert "行政区划代码" in result.errors[0].message


def test_not_a_spreadsheet_is_reported(users, orgs):
    result = run(users.manager_a, io.BytesIO(b"MZ\x90\x00 not a workbook"), filename="s.xlsx")
    assert not result.ok
    assert Site.objects.count() == 0


def test_only_allowed_roles_may_import(users, orgs):
    result = run(users.grid, xlsx([HEADER, *GOOD]))
    assert not result.ok
    assert Site.objects.count() == 0


def test_import_page_lists_the_errors(client, users, orgs):
    client.force_login(users.manager_a)
    upload = xlsx(
        [
            HEADER,
            GOOD[0],
            ["", "", "", "", "", "", "", ""],
            ["缺地址", "工贸企业", "", "440112001", "", "", "", ""],
        ]
    )
    upload.name = "sites.xlsx"
    response = client.post(reverse("registry:site-import"), {"file": upload})
    assert response.status_code == 200
    body = response.content.decode()
    assert "没有导入任何数据" in body or "Nothing was imported" in body
    assert [(e.row, e.column) for e in response.context["result"].errors] == [(4, "地址")]
    assert Site.objects.count() == 0


def test_import_page_refuses_other_file_types(client, users):
    client.force_login(users.manager_a)
    upload = io.BytesIO(b"hello")
    upload.name = "virus.exe"
    response = client.post(reverse("registry:site-import"), {"file": upload})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
