"""Issue 11.7: a risk value is shown with its method (20 is major under the matrix, 150 general
under LEC), and an enterprise's risk counts include its sites in every township."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from hazardledger.registry.tests.factories import SiteFactory
from hazardledger.risks.models import RiskPoint
from hazardledger.risks.selectors import dashboard_risk_counts
from hazardledger.risks.services import risk_point_assess

from .factories import RiskPointFactory

pytestmark = pytest.mark.django_db


def _assessed(actor, site, name, method, factors):
    point = RiskPointFactory(site=site, name=name)
    with TestCase.captureOnCommitCallbacks(execute=True):
        risk_point_assess(actor=actor, risk_point=point, method=method, factors=factors)
    point.refresh_from_db()
    return point


@pytest.fixture
def two_methods(users, sites):
    matrix = _assessed(users.officer_a, sites.plant_a, "矩阵评估点", "matrix", {"l": 4, "s": 5})
    lec = _assessed(users.officer_a, sites.plant_a, "LEC评估点", "lec", {"l": 10, "e": 1, "c": 15})
    return matrix, lec


def test_the_point_keeps_the_method_of_its_current_assessment(two_methods):
    matrix, lec = two_methods
    assert (matrix.risk_value, matrix.method, matrix.grade) == (20, "matrix", "major")
    assert (lec.risk_value, lec.method, lec.grade) == (150, "lec", "general")


@pytest.mark.parametrize(("language", "words"), [("en", ("Matrix", "LEC")), ("zh-hans", None)])
def test_the_risk_list_shows_the_method_beside_each_value(
    client, users, two_methods, language, words
):
    client.force_login(users.officer_a)
    body = client.get(reverse("risks:riskpoint-list"), HTTP_ACCEPT_LANGUAGE=language)
    html = body.content.decode()
    shown = dict(
        re.findall(
            r'<span class="risk-value">([\d.]+)</span> <span class="risk-method[^"]*" '
            r'title="[^"]+" data-method="(\w+)">',
            html,
        )
    )
    assert shown == {"20": "matrix", "150": "lec"}
    if words:
        for word in words:
            assert f'data-method="{word.lower()}">{word}</span>' in html


def test_the_site_risk_list_and_the_detail_show_the_method(client, users, sites, two_methods):
    client.force_login(users.officer_a)
    site_page = client.get(reverse("risks:site-risk-list", args=[sites.plant_a.pk]))
    assert site_page.content.decode().count('class="risk-method') == 2
    detail = client.get(reverse("risks:riskpoint-detail", args=[two_methods[0].pk]))
    assert 'data-method="matrix"' in detail.content.decode()


def test_the_migration_copies_each_points_method_from_its_current_assessment(two_methods):
    from importlib import import_module

    from django.apps import apps

    RiskPoint.objects.update(method="")
    migration = import_module("hazardledger.risks.migrations.0004_riskpoint_method")
    migration.copy_methods(apps, SimpleNamespace(connection=connection))
    assert dict(RiskPoint.objects.values_list("name", "method")) == {
        "矩阵评估点": "matrix",
        "LEC评估点": "lec",
    }


def test_an_enterprises_counts_include_its_sites_in_other_townships(users, orgs, sites):
    # Enterprise A is registered in Huangpu (440112); it also runs a warehouse in Baiyun.
    elsewhere = SiteFactory(
        name="甲化工白云仓库",
        kind="chemical_store",
        sector_id="hazardous_chemicals",
        region_id="440111002",
        organisation=orgs.ent_a,
    )
    RiskPointFactory(site=sites.plant_a, grade="major")
    RiskPointFactory(site=elsewhere, grade="large")
    RiskPointFactory(site=elsewhere, grade="low")

    counts = dashboard_risk_counts(user=users.officer_a)
    assert counts["totals"] == {"risk_points": 3, "sites": 2}
    assert counts["region_code"] == "4401"
    assert {row["code"] for row in counts["by_region"]} == {"440111", "440112"}
    # Still only its own: the other enterprises' points in those districts are not counted.
    RiskPointFactory(site=sites.factory_b, grade="major")
    assert dashboard_risk_counts(user=users.officer_a)["totals"]["risk_points"] == 3


def test_the_counts_page_of_an_enterprise_offers_the_districts_of_its_sites(
    client, users, orgs, sites
):
    SiteFactory(
        name="甲化工白云仓库",
        kind="chemical_store",
        sector_id="hazardous_chemicals",
        region_id="440111002",
        organisation=orgs.ent_a,
    )
    client.force_login(users.officer_a)
    response = client.get(reverse("risks:risk-counts"))
    assert response.context["counts"]["totals"]["sites"] == 2
    picked = client.get(reverse("risks:risk-counts"), {"region": "440111"})
    assert picked.status_code == 200
    assert picked.context["counts"]["totals"]["sites"] == 1
