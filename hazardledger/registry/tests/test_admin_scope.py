"""The Django admin writes sites through the site service, so scope follows a site it moves."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from hazardledger.hazards.models import Hazard
from hazardledger.hazards.tests.factories import record
from hazardledger.registry.models import Site

pytestmark = pytest.mark.django_db


def _admin_data(site: Site, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": site.name,
        "kind": site.kind,
        "sector": site.sector_id,
        "region": site.region_id,
        "address": site.address,
        "latitude": "",
        "longitude": "",
        "organisation": site.organisation_id or "",
        "contact_person": site.contact_person,
        "contact_phone": site.contact_phone,
        "status": site.status,
        "attributes": json.dumps(site.attributes),
        "expected_version": site.version,
    }
    data.update(changes)
    return data


def test_moving_a_site_in_the_admin_moves_its_hazards(client, users, sites):
    site = sites.plant_a
    hazard = record(site, users.officer_a)
    client.force_login(users.admin)
    response = client.post(
        reverse("admin:registry_site_change", args=[site.pk]),
        _admin_data(site, region="440305001"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    hazard.refresh_from_db()
    assert hazard.region_id == "440305001"
    client.force_login(users.manager_a)
    assert client.get(reverse("hazards:hazard-detail", args=[hazard.pk])).status_code == 404
    assert client.get(reverse("registry:site-detail", args=[site.pk])).status_code == 404
    client.force_login(users.manager_b)
    assert client.get(reverse("hazards:hazard-detail", args=[hazard.pk])).status_code == 200
    assert client.get(reverse("registry:site-detail", args=[site.pk])).status_code == 200


def test_admin_edit_bumps_the_version_and_refuses_a_stale_page(client, users, sites):
    site = sites.plant_a
    client.force_login(users.admin)
    url = reverse("admin:registry_site_change", args=[site.pk])
    assert client.post(url, _admin_data(site, name="新名称")).status_code == 302
    stale = client.post(url, _admin_data(site, name="旧页面的修改"))
    assert stale.status_code == 200
    assert stale.context["adminform"].form.errors["expected_version"]
    site.refresh_from_db()
    assert (site.name, site.version) == ("新名称", 2)


def test_admin_refuses_a_city_as_a_site_region_and_a_department_as_its_enterprise(
    client, users, orgs, sites
):
    site = sites.plant_a
    client.force_login(users.admin)
    response = client.post(
        reverse("admin:registry_site_change", args=[site.pk]),
        _admin_data(site, region="4403", organisation=orgs.gz_em.pk),
    )
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"region", "organisation"}
    site.refresh_from_db()
    assert (site.region_id, site.organisation_id, site.version) == ("440112001", orgs.ent_a.pk, 1)


def test_adding_a_site_in_the_admin_goes_through_the_service(client, users, sites):
    client.force_login(users.admin)
    data = _admin_data(sites.plant_a, name="管理员新增场所")
    del data["expected_version"]
    response = client.post(reverse("admin:registry_site_add"), data)
    assert response.status_code == 302
    site = Site.objects.get(name="管理员新增场所")
    assert (site.region_id, site.created_by, site.version) == ("440112001", users.admin, 1)


def test_admin_cannot_delete_a_site_that_has_hazards(client, users, sites):
    site = sites.plant_a
    record(site, users.officer_a)
    client.force_login(users.admin)
    response = client.post(reverse("admin:registry_site_delete", args=[site.pk]), {"post": "yes"})
    assert response.status_code == 200
    assert Site.objects.filter(pk=site.pk).exists()
    assert Hazard.objects.filter(site=site).count() == 1
