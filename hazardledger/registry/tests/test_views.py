"""Site pages: the scope matrix for every page, filters, create, edit, export, QR."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hazardledger.registry.models import Site

pytestmark = pytest.mark.django_db

OBJECT_PAGES = ["registry:site-detail", "registry:site-edit", "registry:site-qr"]
LIST_PAGES = [
    "registry:site-list",
    "registry:site-add",
    "registry:site-export",
    "registry:site-import",
    "registry:site-import-template",
]


@pytest.mark.parametrize("name", OBJECT_PAGES)
def test_object_pages_send_anonymous_users_to_login(client, sites, name):
    response = client.get(reverse(name, args=[sites.plant_a.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_send_anonymous_users_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("persona", "site", "status"),
    [
        ("officer_a", "plant_a", 200),
        ("officer_a", "factory_b", 404),
        ("officer_b", "plant_a", 404),
        ("inspector_a", "plant_a", 200),
        ("inspector_a", "house", 404),  # a sector the inspector does not cover
        ("manager_b", "plant_a", 404),
        ("manager_a", "shenzhen_c", 404),
        ("grid", "house", 200),
        ("grid", "plant_a", 404),
        ("auditor", "plant_a", 200),
        ("admin", "shenzhen_c", 200),
    ],
)
@pytest.mark.parametrize("name", ["registry:site-detail", "registry:site-qr"])
def test_object_pages_scope(client, users, sites, persona, site, status, name):
    client.force_login(getattr(users, persona))
    response = client.get(reverse(name, args=[getattr(sites, site).pk]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "site", "status"),
    [
        ("officer_a", "plant_a", 200),  # an enterprise keeps its own details up to date
        ("officer_a", "factory_b", 404),
        ("manager_a", "plant_a", 200),
        ("manager_b", "plant_a", 404),
        ("auditor", "plant_a", 403),  # visible, but leaders only read
        ("grid", "house", 200),
    ],
)
def test_edit_page_scope(client, users, sites, persona, site, status):
    client.force_login(getattr(users, persona))
    response = client.get(reverse("registry:site-edit", args=[getattr(sites, site).pk]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "name", "status"),
    [
        ("manager_a", "registry:site-add", 200),
        ("officer_a", "registry:site-add", 403),
        ("auditor", "registry:site-add", 403),
        ("manager_a", "registry:site-import", 200),
        ("inspector_a", "registry:site-import", 200),
        ("grid", "registry:site-import", 403),
        ("officer_a", "registry:site-import-template", 403),
        ("auditor", "registry:site-export", 200),
    ],
)
def test_action_pages_follow_the_role(client, users, persona, name, status):
    client.force_login(getattr(users, persona))
    assert client.get(reverse(name)).status_code == status


def test_list_shows_only_sites_in_scope(client, users, sites):
    client.force_login(users.manager_a)
    response = client.get(reverse("registry:site-list"))
    assert response.status_code == 200
    assert {s.name for s in response.context["object_list"]} == {
        "甲化工储罐区",
        "乙机械一车间",
        "五山村自建房",
    }


def test_enterprise_lists_only_its_own_sites(client, users, sites):
    client.force_login(users.officer_a)
    response = client.get(reverse("registry:site-list"))
    assert [s.name for s in response.context["object_list"]] == ["甲化工储罐区"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"region": "440112"}, {"甲化工储罐区"}),
        ({"region": "4401"}, {"甲化工储罐区", "乙机械一车间", "五山村自建房"}),
        ({"region": "4403"}, set()),  # another city's code cannot widen the scope
        ({"region": "44x"}, set()),
        ({"sector": "industry_trade"}, {"乙机械一车间"}),
        ({"kind": "self_built_house"}, {"五山村自建房"}),
        ({"q": "储罐"}, {"甲化工储罐区"}),
        ({"q": "广州乙"}, {"乙机械一车间"}),  # matches the enterprise's name
        ({"risk_level": "none"}, {"甲化工储罐区", "乙机械一车间", "五山村自建房"}),
        ({"risk_level": "major"}, set()),
    ],
)
def test_list_filters(client, users, sites, query, expected):
    client.force_login(users.manager_a)
    response = client.get(reverse("registry:site-list"), query)
    assert {s.name for s in response.context["object_list"]} == expected


def test_list_paginates_and_htmx_gets_the_results_fragment(client, users, sites):
    from hazardledger.registry.tests.factories import SiteFactory

    SiteFactory.create_batch(30, region_id="440106001")
    client.force_login(users.manager_a)
    page2 = client.get(reverse("registry:site-list"), {"page": 2, "sort": "name"})
    assert len(page2.context["object_list"]) == 33 - 25
    fragment = client.get(reverse("registry:site-list"), {"page": 1}, HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content
    assert b"33" in fragment.content


def test_create_site_in_scope(client, users, orgs):
    client.force_login(users.manager_a)
    response = client.post(
        reverse("registry:site-add"),
        {
            "name": "新建自建房",
            "kind": "self_built_house",
            "region": "440106001",
            "address": "五山路1号",
            "status": "operating",
            "attr_floors": "5",
            "attr_house_use": "business",
        },
    )
    site = Site.objects.get(name="新建自建房")
    assert response.status_code == 302
    assert site.sector_id == "self_built_houses"  # the kind's usual sector
    assert site.attributes == {"floors": 5, "house_use": "business"}
    assert site.created_by == users.manager_a


def test_create_site_outside_scope_is_refused(client, users, orgs):
    client.force_login(users.manager_a)
    response = client.post(
        reverse("registry:site-add"),
        {
            "name": "深圳某厂",
            "kind": "factory",
            "region": "440305001",
            "address": "x",
            "status": "operating",
        },
    )
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not Site.objects.filter(name="深圳某厂").exists()


def test_inspector_cannot_create_a_site_in_a_sector_outside_theirs(client, users, orgs):
    client.force_login(users.inspector_a)
    response = client.post(
        reverse("registry:site-add"),
        {
            "name": "某自建房",
            "kind": "self_built_house",
            "region": "440106001",
            "address": "x",
            "status": "operating",
        },
    )
    assert response.status_code == 200
    assert "sector" in response.context["form"].errors
    assert not Site.objects.filter(name="某自建房").exists()


def test_bad_attribute_value_gets_a_message_and_saves_nothing(client, users, orgs):
    client.force_login(users.manager_a)
    response = client.post(
        reverse("registry:site-add"),
        {
            "name": "坏数据",
            "kind": "self_built_house",
            "region": "440106001",
            "address": "x",
            "status": "operating",
            "attr_floors": "4.5",
        },
    )
    assert response.status_code == 200
    assert "attr_floors" in response.context["form"].errors
    assert not Site.objects.filter(name="坏数据").exists()


def test_kind_change_returns_its_attribute_fields(client, users):
    client.force_login(users.manager_a)
    response = client.get(
        reverse("registry:site-add"), {"kind": "metal_mine"}, HTTP_HX_REQUEST="true"
    )
    assert b'name="mine_type"' in response.content
    assert b"<html" not in response.content


def _edit_data(site, **changes):
    data = {
        "name": site.name,
        "kind": site.kind,
        "sector": site.sector_id,
        "region": site.region_id,
        "address": site.address,
        "status": site.status,
        "version": site.version,
    }
    data.update(changes)
    return data


def test_edit_site(client, users, sites):
    client.force_login(users.manager_a)
    site = sites.plant_a
    response = client.post(
        reverse("registry:site-edit", args=[site.pk]), _edit_data(site, name="新名称")
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.name, site.version) == ("新名称", 2)


def test_stale_edit_is_refused_and_changes_nothing(client, users, sites):
    client.force_login(users.manager_a)
    site = sites.plant_a
    stale = _edit_data(site, name="旧页面的修改")
    Site.objects.filter(pk=site.pk).update(name="别人刚改的", version=2)
    response = client.post(reverse("registry:site-edit", args=[site.pk]), stale)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    site.refresh_from_db()
    assert (site.name, site.version) == ("别人刚改的", 2)


def test_enterprise_cannot_move_its_site(client, users, sites):
    client.force_login(users.officer_a)
    site = sites.plant_a
    response = client.post(
        reverse("registry:site-edit", args=[site.pk]),
        _edit_data(site, region="440305001", sector="other", address="新地址"),
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.region_id, site.sector_id, site.address) == (
        "440112001",
        "hazardous_chemicals",
        "新地址",
    )


def test_export_contains_only_the_filtered_sites_in_scope(client, users, sites):
    client.force_login(users.manager_a)
    response = client.get(reverse("registry:site-export"), {"sector": "hazardous_chemicals"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "名称"
    assert [row[0] for row in rows[1:]] == ["甲化工储罐区"]


def test_export_then_import_round_trips(client, users, sites):
    client.force_login(users.manager_a)
    exported = client.get(reverse("registry:site-export"), {"kind": "self_built_house"})
    upload = io.BytesIO(exported.content)
    upload.name = "sites.xlsx"
    response = client.post(reverse("registry:site-import"), {"file": upload})
    # Issue 11: the export names its sites, so importing it again finds them unchanged.
    assert response.status_code == 200
    assert response.context["preview"]["unchanged_count"] == 1
    assert 'data-testid="import-nothing"' in response.content.decode()
    copies = Site.objects.filter(name="五山村自建房")
    assert copies.count() == 1
    assert {tuple(sorted(s.attributes.items())) for s in copies} == {
        (("floors", 4), ("house_use", "mixed"))
    }


def test_qr_code_is_an_svg_of_the_site_address(client, users, sites):
    client.force_login(users.officer_a)
    response = client.get(reverse("registry:site-qr", args=[sites.plant_a.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<?xml")


def test_organisation_options_search_within_region(client, users, sites):
    # Both enterprises run a site; only the one whose site is in Guangzhou is offered.
    client.force_login(users.manager_a)
    response = client.get(reverse("registry:organisation-options"), {"organisation": "有限公司"})
    assert "广州甲化工有限公司" in response.content.decode()
    assert "深圳丙电子有限公司" not in response.content.decode()


@pytest.mark.parametrize("name", ["registry:site-export", "registry:site-qr"])
def test_get_only_endpoints_refuse_post(client, users, sites, name):
    client.force_login(users.manager_a)
    args = [sites.plant_a.pk] if name.endswith("qr") else []
    assert client.post(reverse(name, args=args)).status_code == 405


def test_list_query_count_does_not_grow_with_rows(
    client, users, sites, django_assert_max_num_queries
):
    from hazardledger.registry.tests.factories import SiteFactory

    SiteFactory.create_batch(40, region_id="440106001", organisation=sites.plant_a.organisation)
    client.force_login(users.manager_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("registry:site-list"))
    assert len(response.context["object_list"]) == 25


def test_moving_a_site_moves_the_rows_other_apps_keep_for_it(client, users, sites):
    from hazardledger.hazards.models import Hazard
    from hazardledger.hazards.tests.factories import record
    from hazardledger.risks.models import RiskPoint
    from hazardledger.risks.tests.factories import RiskPointFactory

    site = sites.house
    point = RiskPointFactory(site=site)
    hazard = record(site, users.grid)
    client.force_login(users.manager_a)
    response = client.post(
        reverse("registry:site-edit", args=[site.pk]), _edit_data(site, region="440106002")
    )
    assert response.status_code == 302
    assert RiskPoint.objects.get(pk=point.pk).region_id == "440106002"
    assert Hazard.objects.get(pk=hazard.pk).region_id == "440106002"
    # Wushan's grid worker no longer sees the house nor its hazard; the next street's would.
    client.force_login(users.grid)
    assert client.get(reverse("hazards:hazard-detail", args=[hazard.pk])).status_code == 404
