"""Hostile input on the site pages: control characters in the site form (its fixed fields and
the attribute fields a kind adds), and an export link that always carries the list's filters."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hazardledger.registry.models import Site

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _new_site(**changes):
    data = {
        "name": "新建自建房",
        "kind": "self_built_house",
        "region": "440106001",
        "address": "五山路1号",
        "status": "operating",
        "attr_floors": "5",
        "attr_house_use": "business",
    }
    data.update(changes)
    return data


def test_a_site_name_ending_in_a_bell_is_refused(client, users):
    client.force_login(users.manager_a)
    response = client.post(
        reverse("registry:site-add"), _new_site(name="新建自建房\x07", contact_phone="1\x1b38")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"name", "contact_phone"}
    assert errors["name"] == [
        "This text contains invisible control characters (U+0007). Remove them."
    ]
    assert not Site.objects.exists()


def test_an_attribute_field_added_for_the_kind_is_guarded_too(client, users):
    client.force_login(users.manager_a)
    response = client.post(
        reverse("registry:site-add"),
        {
            "name": "粤广州渔12345",
            "kind": "fishing_vessel",
            "region": "440106001",
            "address": "渔港码头",
            "status": "operating",
            "attr_length_m": "24",
            "attr_home_port": "广州\x02港",
        },
    )
    assert response.status_code == 200
    assert "U+0002" in response.context["form"].errors["attr_home_port"][0]
    assert not Site.objects.exists()


def test_editing_a_site_refuses_control_characters_and_changes_nothing(client, users, sites):
    client.force_login(users.manager_a)
    site = sites.plant_a
    response = client.post(
        reverse("registry:site-edit", args=[site.pk]),
        {
            "name": "甲化工\x85储罐区",
            "kind": site.kind,
            "sector": site.sector_id,
            "region": site.region_id,
            "address": site.address,
            "status": site.status,
            "version": site.version,
        },
    )
    assert response.status_code == 200
    assert "U+0085" in response.context["form"].errors["name"][0]
    site.refresh_from_db()
    assert (site.name, site.version) == ("甲化工储罐区", 1)


def _export_query(content: str) -> dict[str, list[str]]:
    links = re.findall(r'id="export-link" href="([^"]*)"', content)
    assert len(links) == 1, links
    href = links[0].replace("&amp;", "&")
    assert urlsplit(href).path == reverse("registry:site-export")
    return parse_qs(urlsplit(href).query)


def test_the_filtered_results_fragment_carries_the_export_link_with_its_filters(
    client, users, sites
):
    client.force_login(users.manager_a)
    response = client.get(
        reverse("registry:site-list"),
        {"sector": "hazardous_chemicals", "q": "甲", "page": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.templates[0].name == "registry/partials/_site_results.html"
    assert _export_query(response.content.decode()) == {
        "sector": ["hazardous_chemicals"],
        "q": ["甲"],
    }


@pytest.mark.parametrize(
    "query",
    [{}, {"sector": "industry_trade"}, {"region": "440106"}, {"q": "甲", "sort": "-name"}],
)
def test_the_export_has_the_sites_the_list_shows(client, users, sites, query):
    client.force_login(users.manager_a)
    listed = client.get(reverse("registry:site-list"), query, headers={"HX-Request": "true"})
    shown = [site.name for site in listed.context["object_list"]]
    exported = client.get(reverse("registry:site-export"), _export_query(listed.content.decode()))
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == shown


def test_the_site_admin_refuses_control_characters_too(client, users, sites):
    site = sites.plant_a
    client.force_login(users.admin)
    response = client.post(
        reverse("admin:registry_site_change", args=[site.pk]),
        {
            "name": "甲化工储罐区\x07",
            "kind": site.kind,
            "sector": site.sector_id,
            "region": site.region_id,
            "address": site.address,
            "organisation": site.organisation_id,
            "status": site.status,
            "attributes": "{}",
            "expected_version": site.version,
        },
    )
    assert response.status_code == 200
    assert "U+0007" in response.context["adminform"].form.errors["name"][0]
    site.refresh_from_db()
    assert (site.name, site.version) == ("甲化工储罐区", 1)
