"""Issue 11.3: importing a sites file again updates or skips its sites instead of adding them
again; the page shows new, changed and unchanged rows before writing; an edited export
round-trips; afterwards the list shows the sites the import created."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from hazardledger.audit.models import AuditEvent
from hazardledger.core.stash import stash_files
from hazardledger.registry.models import Site
from hazardledger.registry.services import site_update
from hazardledger.registry.transfer import site_import, site_import_plan

pytestmark = pytest.mark.django_db

HEADER = ["名称", "类型", "行政区划代码", "地址", "责任单位统一社会信用代码", "联系电话"]
THREE = [
    ["甲公司一号罐区", "危险化学品生产企业", "440112001", "港前路1号", "91440101MA5ATEST1A", ""],
    ["甲公司二号罐区", "危险化学品生产企业", "440112001", "港前路2号", "91440101MA5ATEST1A", ""],
    ["五山某自建房", "自建房", "440106001", "五山路2号", "", "13800000000"],
]


def xlsx(rows, name="sites.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    stream.name = name
    return stream


def run(user, rows):
    with translation.override("zh-hans"):
        return site_import(actor=user, handle=xlsx(rows), filename="sites.xlsx")


def export_rows(client, **filters):
    response = client.get(reverse("registry:site-export"), filters)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_same_file_twice_adds_its_sites_once(users, orgs):
    first = run(users.manager_a, [HEADER, *THREE])
    assert first.ok and first.created == 3
    second = run(users.manager_a, [HEADER, *THREE])
    assert second.ok, second.errors
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert Site.objects.count() == 3


def test_a_row_matches_by_enterprise_name_and_address_and_updates_its_site(users, orgs):
    run(users.manager_a, [HEADER, *THREE])
    site = Site.objects.get(name="五山某自建房")
    changed = [*THREE[2][:5], "13900000000"]
    result = run(users.manager_a, [HEADER, changed])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    site.refresh_from_db()
    assert (site.contact_phone, site.version) == ("13900000000", 2)
    # Through ``site_update``: its own audit row, besides the file's.
    assert AuditEvent.objects.filter(action="registry.site.update", object_id=str(site.pk)).exists()


def test_a_file_without_a_column_leaves_that_field_alone(users, orgs):
    run(users.manager_a, [HEADER, *THREE])
    result = run(users.manager_a, [HEADER[:5], THREE[2][:5]])
    assert (result.updated, result.unchanged) == (0, 1)
    assert Site.objects.get(name="五山某自建房").contact_phone == "13800000000"


def test_the_plan_writes_nothing_and_lists_new_changed_and_unchanged(users, orgs):
    run(users.manager_a, [HEADER, *THREE[:2]])
    edited = [*THREE[1][:5], "020-1234567"]
    with translation.override("zh-hans"):
        plan = site_import_plan(
            actor=users.manager_a,
            handle=xlsx([HEADER, THREE[0], edited, THREE[2]]),
            filename="s.xlsx",
        )
    assert plan.ok, plan.errors
    assert [(row.row, row.status) for row in plan.planned] == [
        (2, "unchanged"),
        (3, "changed"),
        (4, "new"),
    ]
    assert plan.changed_rows[0].changes == {"contact_phone": ["", "020-1234567"]}
    assert Site.objects.count() == 2


def test_an_edited_export_round_trips_through_the_preview(client, users, orgs, sites):
    client.force_login(users.manager_a)
    rows = export_rows(client, region="4401")
    header = rows[0]
    assert header[-2:] == ["系统编号", "数据版本"]
    name_at, phone_at = header.index("名称"), header.index("联系电话")
    by_name = {row[name_at]: row for row in rows[1:]}
    by_name["五山村自建房"][name_at] = "五山村自建房（改名）"
    by_name["乙机械一车间"][phone_at] = "020-88886666"
    new_row = [None] * len(header)
    for column, value in (
        ("名称", "新登记的仓库"),
        ("类型", "工贸企业"),
        ("行政区划代码", "440106001"),
        ("地址", "五山路9号"),
        ("行业领域", "工贸"),
        ("状态", "正常生产经营"),
    ):
        new_row[header.index(column)] = value
    edited = [header, *by_name.values(), new_row]
    before = Site.objects.count()

    preview = client.post(reverse("registry:site-import"), {"file": xlsx(edited)})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert 'data-testid="import-preview"' in body
    counts = preview.context["preview"]
    assert (counts["new_count"], counts["changed_count"], counts["unchanged_count"]) == (1, 2, 1)
    assert "020-88886666" in body and "五山村自建房（改名）" in body
    assert Site.objects.count() == before  # nothing written yet

    confirm = preview.context["confirm"]
    done = client.post(
        reverse("registry:site-import-confirm"),
        {"token": confirm["token"].value(), "digest": confirm["digest"].value()},
    )
    assert done.status_code == 302
    assert Site.objects.count() == before + 1
    sites.house.refresh_from_db()
    sites.factory_b.refresh_from_db()
    assert sites.house.name == "五山村自建房（改名）"
    assert (sites.factory_b.contact_phone, sites.factory_b.version) == ("020-88886666", 2)

    # The list of the sites the import created: exactly the new one.
    listing = client.get(done["Location"])
    assert [s.name for s in listing.context["object_list"]] == ["新登记的仓库"]

    # Exported again, the file is the edited one (new site ids and versions aside).
    again = export_rows(client, region="4401")
    strip = slice(0, len(header) - 2)
    assert sorted(tuple(r[strip]) for r in again[1:]) == sorted(tuple(r[strip]) for r in edited[1:])
    # And importing it once more changes nothing.
    assert (
        client.post(reverse("registry:site-import"), {"file": xlsx(again)}).context["preview"][
            "unchanged_count"
        ]
        == len(again) - 1
    )


def test_an_export_edited_while_the_site_changed_is_refused(client, users, orgs, sites):
    client.force_login(users.manager_a)
    rows = export_rows(client, kind="self_built_house")
    site_update(
        actor=users.manager_a,
        site=sites.house,
        expected_version=sites.house.version,
        data={"contact_person": "张三"},
    )
    response = client.post(reverse("registry:site-import"), {"file": xlsx(rows)})
    errors = response.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [(2, "数据版本")]
    assert "preview" not in response.context


def test_confirming_a_preview_after_the_site_changed_shows_a_new_one(client, users, orgs, sites):
    client.force_login(users.manager_a)
    rows = export_rows(client, kind="self_built_house")
    rows[1][rows[0].index("联系人")] = "李四"
    preview = client.post(reverse("registry:site-import"), {"file": xlsx(rows)})
    confirm = preview.context["confirm"]
    site_update(
        actor=users.manager_a,
        site=sites.house,
        expected_version=sites.house.version,
        data={"address": "五山路100号"},
    )
    response = client.post(
        reverse("registry:site-import-confirm"),
        {"token": confirm["token"].value(), "digest": confirm["digest"].value()},
    )
    assert response.status_code == 200
    sites.house.refresh_from_db()
    assert sites.house.contact_person != "李四"
    # The file's version is now stale: the new plan says so and offers nothing to confirm.
    assert response.context["result"].errors


def test_two_rows_for_one_site_are_refused(users, orgs):
    run(users.manager_a, [HEADER, *THREE])
    result = run(users.manager_a, [HEADER, THREE[0], THREE[0]])
    assert [(e.row, e.column) for e in result.errors] == [(3, "")]
    assert "第 2 行" in result.errors[0].message or "2" in result.errors[0].message


def test_a_site_id_out_of_scope_reads_as_unknown(users, orgs, sites):
    header = [*HEADER[:4], "系统编号"]
    row = ["丙电子厂房", "工贸企业", "440106001", "x", sites.shenzhen_c.pk]
    result = run(users.manager_a, [header, row])
    assert [e.column for e in result.errors] == ["系统编号"]
    assert str(sites.shenzhen_c.pk) in result.errors[0].message


@pytest.mark.parametrize(
    "value", ["=1+1", "-5", "1e9", "12.5", "0x10", "99999999999999999999", "١٢", "1 2"]
)
def test_a_site_id_that_is_not_one_is_refused(users, orgs, value):
    text = f"名称,类型,行政区划代码,地址,系统编号\nx,工贸企业,440106001,y,{value}\n"
    with translation.override("zh-hans"):
        result = site_import(
            actor=users.manager_a, handle=io.BytesIO(text.encode()), filename="sites.csv"
        )
    assert [e.column for e in result.errors] == ["系统编号"]
    assert Site.objects.count() == 0


def test_a_users_own_serial_number_column_is_not_taken_for_site_ids(users, orgs, sites):
    result = run(users.manager_a, [["编号", *HEADER], [sites.house.pk, *THREE[2]]])
    assert result.ok and result.created == 1


@pytest.mark.parametrize(
    "post",
    [
        {"token": "forged", "digest": "0" * 64},
        {"token": "", "digest": "0" * 64},
        {"token": "x" * 5000, "digest": "0" * 64},
        {"token": "abc", "digest": "not hex"},
        {},
    ],
)
def test_a_bad_confirmation_writes_nothing(client, users, orgs, post):
    client.force_login(users.manager_a)
    response = client.post(reverse("registry:site-import-confirm"), post)
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:site-import")
    assert Site.objects.count() == 0


def test_another_users_preview_cannot_be_confirmed(client, users, orgs):
    token, _kept = stash_files(
        user=users.manager_a, files=[("s.xlsx", xlsx([HEADER, *THREE]).read())]
    )
    client.force_login(users.inspector_a)
    response = client.post(
        reverse("registry:site-import-confirm"), {"token": token, "digest": "0" * 64}
    )
    assert response.status_code == 302
    assert Site.objects.count() == 0


def test_only_importers_may_confirm(client, users, orgs):
    client.force_login(users.grid)
    response = client.post(
        reverse("registry:site-import-confirm"), {"token": "x", "digest": "0" * 64}
    )
    assert response.status_code == 403
    assert client.get(reverse("registry:site-import-confirm")).status_code == 405
