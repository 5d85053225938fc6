"""Site pages: scope for every page (anonymous → login, out of scope → 404, in scope → 200)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_list_shows_only_sites_in_scope(client, users, sites):
    client.force_login(users.manager_a)
    response = client.get(reverse("registry:site-list"))
    assert response.status_code == 200
    names = {site.name for site in response.context["object_list"]}
    assert names == {"甲化工储罐区", "乙机械一车间", "五山村自建房"}


@pytest.mark.parametrize(
    ("persona", "site", "status"),
    [
        ("officer_a", "plant_a", 200),
        ("officer_a", "factory_b", 404),
        ("officer_b", "plant_a", 404),
        ("inspector_a", "plant_a", 200),
        ("inspector_a", "house", 404),  # sector outside the inspector's
        ("manager_b", "plant_a", 404),
        ("manager_a", "shenzhen_c", 404),
        ("grid", "house", 200),
        ("grid", "plant_a", 404),
        ("auditor", "plant_a", 200),
        ("admin", "shenzhen_c", 200),
    ],
)
def test_detail_scope(client, users, sites, persona, site, status):
    client.force_login(getattr(users, persona))
    response = client.get(reverse("registry:site-detail", args=[getattr(sites, site).pk]))
    assert response.status_code == status
