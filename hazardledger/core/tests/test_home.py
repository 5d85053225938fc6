"""The overview page: figures for the user's scope only, each linking to its list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hazardledger.hazards.choices import HazardGrade
from hazardledger.hazards.tests.factories import record

pytestmark = pytest.mark.django_db


def test_overview_counts_hazards_and_sites_in_scope(client, users, sites):
    record(sites.plant_a, users.officer_a, grade=HazardGrade.MAJOR)
    record(sites.plant_a, users.officer_a)
    record(sites.shenzhen_c, users.manager_b)  # another city: not counted for Guangzhou
    client.force_login(users.manager_a)
    response = client.get(reverse("home"))
    assert response.context["hazards"]["open"] == 2
    assert response.context["hazards"]["major_open"] == 1
    assert response.context["summary"]["total"] == 3
    assert response.context["not_assessed"] == 3
    assert 'href="/hazards/?grade=major&amp;status=open">1<' in response.content.decode()


def test_enterprise_overview_is_its_own(client, users, sites):
    record(sites.factory_b, users.officer_b)
    client.force_login(users.officer_a)
    response = client.get(reverse("home"))
    assert response.context["hazards"]["open"] == 0
    assert response.context["summary"]["total"] == 1


def test_overview_query_count(client, users, sites, django_assert_max_num_queries):
    client.force_login(users.manager_a)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("home")).status_code == 200


def test_out_of_scope_page_says_not_found_in_chinese(client, users, sites):
    client.force_login(users.officer_b)
    response = client.get(reverse("registry:site-detail", args=[sites.plant_a.pk]))
    assert response.status_code == 404
    assert "未找到" in response.content.decode()
    assert "甲化工储罐区" not in response.content.decode()


def test_forbidden_page_explains(client, users, sites):
    client.force_login(users.auditor)
    response = client.get(reverse("registry:site-edit", args=[sites.plant_a.pk]))
    assert response.status_code == 403
    assert "不允许" in response.content.decode()
