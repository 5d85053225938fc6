"""The dashboards: each scope sees its own figures, every figure matches the ledger it links
to, the JSON endpoints keep to the same scope, and bad input is a clear 4xx."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from hazardledger.hazards.choices import HazardAction as A
from hazardledger.hazards.choices import HazardGrade, HazardSource
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.tests.factories import act, plan_approved, plan_data, record
from hazardledger.registry.models import Site
from hazardledger.reporting.rollups import rollups_time_sweep, sites_reconcile
from hazardledger.supervision.services.listings import ListingProposal, listing_create

from .conftest import committed

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _ledger_count(client: Any, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return int(response.context["paginator"].count)


@pytest.fixture
def ledger(users, sites):
    """A ledger with something of everything, built over two months through the services:
    Guangzhou hazards of two enterprises and a house (three sectors), found by the enterprise
    and by the regulator, closed on time and late, overdue, listed, escalated, voided; and a
    Shenzhen hazard nobody in Guangzhou may count."""
    Site.objects.filter(pk=sites.plant_a.pk).update(
        latitude=Decimal("23.10"), longitude=Decimal("113.45")
    )
    sites_reconcile()
    with time_machine.travel(START, tick=False) as clock:
        officer, officer_b = users.officer_a, users.officer_b
        with committed():
            major = record(sites.plant_a, officer, grade=HazardGrade.MAJOR)
            late = record(sites.plant_a, officer)
            on_time = record(
                sites.factory_b, users.inspector_a, source=HazardSource.REGULATORY_INSPECTION
            )
            house = record(sites.house, users.grid, source=HazardSource.PUBLIC_REPORT)
            voided = record(sites.factory_b, officer_b)
            record(sites.shenzhen_c, users.manager_b)
        steps = [
            lambda: act(voided, A.VOID, officer_b, data={"void_reason": "error"}),
            lambda: act(on_time, A.PLAN, officer_b),
            lambda: act(on_time, A.SUBMIT, officer_b),
            lambda: act(on_time, A.ACCEPT, users.inspector_a),
            lambda: act(
                late, A.PLAN, officer, data=plan_data(deadline=local_today() + timedelta(days=5))
            ),
            lambda: plan_approved(major, officer),
            lambda: listing_create(
                actor=users.manager_a,
                hazard=major,
                proposal=ListingProposal(
                    required_by=local_today() + timedelta(days=60),
                    stop="part",
                    officials=({"name": "张三", "post": "副区长"},),
                    grounds="整改滞后",
                ),
                document_number="穗安办督〔2026〕3号",
            ),
            lambda: act(
                house,
                A.ESCALATE,
                users.admin,
                data={"step": "county", "reason": "overdue", "region_code": "440106", "days": 8},
            ),
        ]
        for step in steps:
            with committed():
                step()
        clock.shift(timedelta(days=40))
        rollups_time_sweep()
        for step in [
            lambda: act(late, A.SUBMIT, officer),
            lambda: act(late, A.ACCEPT, users.principal_a),
            lambda: record(sites.factory_b, officer_b, found_on=local_today() - timedelta(days=3)),
        ]:
            with committed():
                step()
        rollups_time_sweep()
        yield clock


def _cells(dashboard: Any) -> list[Any]:
    cells = [*dashboard.period_cards, *dashboard.now_cards]
    for table in dashboard.breakdowns:
        for row in table.rows:
            cells += row.cells
    return [cell for cell in cells if not cell.is_rate]


def test_twenty_random_figures_match_the_ledger(client, users, ledger):
    """Twenty figures drawn at random from four users' dashboards (cards and tables, this year
    and a custom period) each equal the number of hazards the ledger shows for its link."""
    pool = []
    for who in ("manager_a", "inspector_a", "officer_a", "admin"):
        client.force_login(getattr(users, who))
        for query in ("", "?period=custom&start=2026-03-01&end=2026-03-31"):
            response = client.get(reverse("home") + query)
            assert response.status_code == 200
            pool += [(who, cell) for cell in _cells(response.context["dashboard"])]
    nonzero = [item for item in pool if item[1].value]
    rng = random.Random(15)
    chosen = rng.sample(nonzero, 14) + rng.sample(pool, 6)
    for who, cell in chosen:
        client.force_login(getattr(users, who))
        assert _ledger_count(client, cell.url) == cell.value, (who, cell.key, cell.url)
    assert {cell.key for _who, cell in chosen} >= {"found", "open"}


def test_every_card_of_a_district_matches_the_ledger(client, users, ledger):
    client.force_login(users.manager_a)
    response = client.get(reverse("reporting:dashboard", args=["440112"]))
    dashboard = response.context["dashboard"]
    values = {cell.key: cell.value for cell in dashboard.now_cards + dashboard.period_cards}
    assert values["open"] == 1 and values["major_open"] == 1 and values["listed_now"] == 1
    for cell in _cells(dashboard):
        assert _ledger_count(client, cell.url) == cell.value, (cell.key, cell.url)


def test_each_scope_sees_its_own_figures(client, users, ledger):
    def totals(who: str, url: str = "/") -> dict[str, Any]:
        client.force_login(getattr(users, who))
        response = client.get(url)
        assert response.status_code == 200, who
        return response.context["dashboard"].totals

    assert totals("admin")["hazards"] == 7  # the province: Shenzhen's too
    assert totals("manager_a")["hazards"] == 6  # Guangzhou
    assert totals("manager_b")["hazards"] == 1  # Shenzhen
    # Guangzhou's emergency management: hazardous chemicals and industry and trade, not houses.
    assert totals("inspector_a")["hazards"] == 5
    assert totals("officer_a")["hazards"] == 2  # enterprise A's own
    assert totals("grid")["hazards"] == 1 and totals("grid")["escalated"] == 1  # Wushan's house
    assert totals("auditor")["overdue"] == 1


def test_the_enterprise_sees_its_sites_and_risk_colours(client, users, ledger):
    client.force_login(users.officer_a)
    response = client.get("/")
    html = response.content.decode()
    assert 'data-testid="enterprise-sites"' in html and "甲化工储罐区" in html
    assert "乙机械一车间" not in html
    sites = response.context["dashboard"].sites
    assert [row["site"].name for row in sites] == ["甲化工储罐区"]
    assert sites[0]["colour"] == "red"  # an open major hazard makes the site's level major
    assert response.context["map_url"] == ""
    assert client.get(reverse("reporting:enterprise-charts")).status_code == 200
    assert client.get(reverse("reporting:dashboard", args=["4401"])).status_code == 404
    assert client.get(reverse("reporting:dashboard-charts", args=["4401"])).status_code == 404
    assert client.get(reverse("reporting:dashboard-map", args=["4401"])).status_code == 404


@pytest.mark.parametrize(
    ("who", "region", "status"),
    [
        ("manager_a", "4401", 200),
        ("manager_a", "440112", 200),
        ("manager_a", "440112001", 200),
        ("manager_a", "4403", 404),
        ("manager_a", "44", 404),
        ("manager_a", "4401999", 404),  # not a division
        ("manager_a", "440199", 404),  # well formed, but no such division
        ("grid", "440106001", 200),
        ("grid", "440106", 404),
        ("inspector_a", "440113", 200),
        ("admin", "4403", 200),
        ("officer_a", "440112", 404),
    ],
)
def test_region_dashboards_keep_to_scope(client, users, ledger, who, region, status):
    client.force_login(getattr(users, who))
    for name in ("reporting:dashboard", "reporting:dashboard-charts"):
        assert client.get(reverse(name, args=[region])).status_code == status, name
    map_status = status if len(region) <= 6 else 404
    assert client.get(reverse("reporting:dashboard-map", args=[region])).status_code == map_status


def test_the_json_endpoints_count_only_the_scope(client, users, ledger):
    client.force_login(users.inspector_a)
    charts = client.get(reverse("reporting:dashboard-charts", args=["4401"])).json()
    found = {serie["key"]: sum(serie["data"]) for serie in charts["trend"]["series"]}
    assert found["found"] == 4  # not the house (another sector), not the voided one
    city = client.get(reverse("reporting:dashboard-map", args=["4401"])).json()
    values = {area["name"]: area["value"] for area in city["areas"]}
    assert values["440112"] == 1 and values["440106"] == 0  # the house is not theirs
    assert [point["name"] for point in city["points"]] == ["甲化工储罐区"]
    assert city["points"][0]["level"] == "major"
    client.force_login(users.manager_b)
    assert client.get(reverse("reporting:dashboard-map", args=["44"])).status_code == 404
    client.force_login(users.admin)
    province = client.get(reverse("reporting:dashboard-map", args=["44"]) + "?indicator=open_major")
    values = {area["name"]: area["value"] for area in province.json()["areas"]}
    assert len(values) == 21 and values["4401"] == 1 and values["4403"] == 0
    assert province.json()["geo"].endswith("reporting/geo/44.json")


def test_a_sector_narrows_the_dashboard(client, users, ledger):
    client.force_login(users.manager_a)
    response = client.get("/?sector=hazardous_chemicals")
    dashboard = response.context["dashboard"]
    assert dashboard.totals["hazards"] == 2
    assert all("sector=hazardous_chemicals" in cell.url for cell in dashboard.now_cards)
    client.force_login(users.inspector_a)
    assert client.get("/?sector=self_built_houses").status_code == 400  # not theirs


def test_the_dashboard_costs_a_fixed_number_of_queries(
    client, users, ledger, django_assert_max_num_queries
):
    client.force_login(users.manager_a)
    with django_assert_max_num_queries(30):
        assert client.get("/").status_code == 200
    client.force_login(users.officer_a)
    with django_assert_max_num_queries(30):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "?period=decade",
        "?period=custom",
        "?period=custom&start=2026-03-01",
        "?period=custom&start=2026-03-10&end=2026-03-01",
        "?period=custom&start=2000-01-01&end=2099-12-31",
        "?period=custom&start=99999-01-01&end=2026-01-01",
        "?period=custom&start=1900-01-01&end=2026-01-01",
        "?start=2026-13-45",
        "?start=%01",
        "?start=2026-01-01%00",
        "?sector=%3DHYPERLINK(%22x%22)",
        "?sector=mines%07",
        "?period=" + "9" * 400,
    ],
)
def test_bad_choices_are_a_clear_400(client, users, query):
    client.force_login(users.manager_a)
    response = client.get("/" + query)
    assert response.status_code == 400
    # Control characters are refused before any view runs (core's middleware).
    refused_early = "%0" in query
    assert refused_early or 'data-testid="period-errors"' in response.content.decode()
    for name in ("reporting:dashboard-charts", "reporting:dashboard-map"):
        response = client.get(reverse(name, args=["4401"]) + query)
        assert response.status_code == 400
        assert refused_early or response.json()["errors"]


def test_bad_indicators_and_paths(client, users):
    client.force_login(users.manager_a)
    map_url = reverse("reporting:dashboard-map", args=["4401"])
    assert client.get(map_url + "?indicator=drop%20table").status_code == 400
    assert client.get("/dashboard/4401234567890123/").status_code == 404  # 16 digits
    assert client.get("/dashboard/44x1/").status_code == 404
    assert client.post("/").status_code == 405
    assert client.post(map_url).status_code == 405


def test_a_custom_period_counts_what_the_ledger_counts(client, users, ledger):
    client.force_login(users.manager_a)
    query = "?period=custom&start=2026-03-02&end=2026-04-10"
    dashboard = client.get("/" + query).context["dashboard"]
    found = next(cell for cell in dashboard.period_cards if cell.key == "found")
    closed = next(cell for cell in dashboard.period_cards if cell.key == "closed")
    # Five found since 2 March; of the two closed, one on 2 March, the other on 11 April.
    assert found.value == 5 and closed.value == 1
    assert "found_after=2026-03-02" in found.url and "closed_before=2026-04-10" in closed.url
    assert _ledger_count(client, found.url) == 5 and _ledger_count(client, closed.url) == 1


def test_a_childs_row_leads_to_its_dashboard_with_the_period(client, users, ledger):
    client.force_login(users.manager_a)
    response = client.get("/?period=month")
    region = next(t for t in response.context["dashboard"].breakdowns if t.key == "region")
    huangpu = next(row for row in region.rows if row.code == "440112")
    assert huangpu.url == "/dashboard/440112/?period=month"
    assert len(region.rows) == 11  # every district, with or without hazards


def test_the_map_shows_the_most_serious_sites_first_within_scope(client, users, monkeypatch):
    """Points: sites with coordinates only, major risks first, then large, general, low and
    not assessed (each by division, then id), at most MAP_POINTS_MAX, and a department sees
    only its sectors' sites."""
    from hazardledger.registry.tests.factories import SiteFactory
    from hazardledger.reporting import views

    made = {}
    for name, level, sector, mapped in [
        ("低", "low", "industry_trade", True),
        ("未评", "", "hazardous_chemicals", True),
        ("一般", "general", "hazardous_chemicals", True),
        ("重大无坐标", "major", "hazardous_chemicals", False),
        ("较大", "large", "self_built_houses", True),
        ("重大甲", "major", "hazardous_chemicals", True),
        ("重大乙", "major", "industry_trade", True),
    ]:
        made[name] = SiteFactory(
            name=name,
            region_id="440112001" if name != "重大乙" else "440106001",
            sector_id=sector,
            risk_level=level,
            latitude=Decimal("23.1") if mapped else None,
            longitude=Decimal("113.4") if mapped else None,
        )

    def names(user: Any) -> tuple[list[str], bool]:
        client.force_login(user)
        answer = client.get(reverse("reporting:dashboard-map", args=["4401"])).json()
        return [point["name"] for point in answer["points"]], answer["points_more"]

    # 重大乙 in 440106 (Tianhe) comes before 重大甲, made first, in 440112 (Huangpu).
    assert names(users.manager_a) == (["重大乙", "重大甲", "较大", "一般", "低", "未评"], False)
    assert names(users.inspector_a) == (["重大乙", "重大甲", "一般", "低", "未评"], False)
    monkeypatch.setattr(views, "MAP_POINTS_MAX", 3)
    assert names(users.manager_a) == (["重大乙", "重大甲", "较大"], True)
    assert names(users.inspector_a) == (["重大乙", "重大甲", "一般"], True)
    point = client.get(reverse("reporting:dashboard-map", args=["4401"])).json()["points"][0]
    assert point["url"] == reverse("registry:site-detail", args=[made["重大乙"].pk])
    assert point["level"] == "major" and point["value"] == [113.4, 23.1]
