"""Selectors: inspection schedule by risk level and the counts by region, sector and grade."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from hazardledger.registry.choices import SiteStatus
from hazardledger.registry.models import Site
from hazardledger.registry.tests.factories import SiteFactory
from hazardledger.risks.choices import InspectionDueStatus, RiskGrade
from hazardledger.risks.models import SiteInspectionSchedule
from hazardledger.risks.selectors import (
    add_months,
    dashboard_risk_counts,
    inspection_due,
    site_inspection_due_list,
    site_inspection_status,
)

from .factories import RiskPointFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 15)


def _site(name, level, last, **kwargs):
    site = SiteFactory(
        name=name,
        risk_level=level,
        kind="chemical_plant",
        sector_id="hazardous_chemicals",
        region_id="440112001",
        **kwargs,
    )
    if last is not None:
        SiteInspectionSchedule.objects.create(
            site=site,
            region_id=site.region_id,
            sector_id=site.sector_id,
            organisation_id=site.organisation_id,
            last_inspected_on=last,
        )
    return site


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2026, 3, 15), 12, date(2027, 3, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_default_frequency_by_level(users):
    site = Site(risk_level=RiskGrade.MAJOR)
    assert inspection_due(site=site, last_inspected_on=date(2026, 2, 14), today=TODAY).status == (
        InspectionDueStatus.OVERDUE
    )
    assert inspection_due(site=site, last_inspected_on=date(2026, 2, 15), today=TODAY).status == (
        InspectionDueStatus.DUE  # due today is not yet overdue
    )
    site.risk_level = RiskGrade.LARGE
    assert inspection_due(site=site, last_inspected_on=date(2025, 12, 14), today=TODAY).due_on == (
        date(2026, 3, 14)
    )
    site.risk_level = RiskGrade.GENERAL
    assert inspection_due(site=site, last_inspected_on=date(2025, 9, 15), today=TODAY).due_on == (
        date(2026, 3, 15)
    )
    site.risk_level = RiskGrade.LOW
    due = inspection_due(site=site, last_inspected_on=date(2025, 6, 1), today=TODAY)
    assert (due.due_on, due.status) == (date(2026, 6, 1), InspectionDueStatus.OK)
    assert inspection_due(site=site, last_inspected_on=None, today=TODAY).status == "never"
    site.risk_level = ""
    assert inspection_due(site=site, last_inspected_on=None, today=TODAY) is None


def test_due_list_is_scoped_and_follows_the_risk_level(users, orgs):
    _site("重大-上月检查", RiskGrade.MAJOR, date(2026, 2, 1))  # due 03-01: overdue
    _site("重大-本月检查", RiskGrade.MAJOR, date(2026, 3, 1))  # due 04-01: not due soon
    _site("较大-从未检查", RiskGrade.LARGE, None)  # never inspected
    _site("一般-去年检查", RiskGrade.GENERAL, date(2025, 9, 20))  # due 03-20: due soon
    _site("低-去年检查", RiskGrade.LOW, date(2025, 6, 1))  # due 2026-06-01
    _site("未评估", "", None)  # no frequency: not listed
    _site("已关闭", RiskGrade.MAJOR, None, status=SiteStatus.CLOSED)
    SiteFactory(
        name="深圳重大", risk_level="major", region_id="440305001", sector_id="industry_trade"
    )
    SiteFactory(
        name="自建房重大", risk_level="major", sector_id="self_built_houses"
    )  # other sector

    names = [s.name for s in site_inspection_due_list(user=users.inspector_a, today=TODAY)]
    assert names == ["重大-上月检查", "较大-从未检查", "一般-去年检查"]
    overdue = site_inspection_due_list(user=users.inspector_a, today=TODAY, include_due_soon=False)
    assert [s.name for s in overdue] == ["重大-上月检查", "较大-从未检查"]
    assert [s.name for s in site_inspection_due_list(user=users.manager_b, today=TODAY)] == [
        "深圳重大"
    ]


def test_due_list_boundary_on_the_due_date(users):
    _site("今天到期", RiskGrade.MAJOR, date(2026, 2, 15))
    _site("昨天到期", RiskGrade.MAJOR, date(2026, 2, 14))
    overdue = site_inspection_due_list(user=users.inspector_a, today=TODAY, include_due_soon=False)
    assert [s.name for s in overdue] == ["昨天到期"]


@override_settings(RISK_INSPECTION_INTERVAL_MONTHS={"low": 24}, RISK_INSPECTION_DUE_SOON_DAYS=0)
def test_frequency_is_configurable(users):
    _site("低-十三个月", RiskGrade.LOW, date(2025, 2, 1))
    _site("低-二十五个月", RiskGrade.LOW, date(2024, 2, 1))
    assert [s.name for s in site_inspection_due_list(user=users.inspector_a, today=TODAY)] == [
        "低-二十五个月"
    ]


def test_due_list_query_count(users, django_assert_max_num_queries):
    for n in range(6):  # every other one inspected (overdue), the rest never
        _site(f"场所{n}", RiskGrade.MAJOR, date(2025, 12, 1) if n % 2 else None)
    with django_assert_max_num_queries(3):
        rows = list(site_inspection_due_list(user=users.inspector_a, today=TODAY))
        assert [r.region.name for r in rows]
        statuses = [site_inspection_status(site=r, today=TODAY).status for r in rows]
    assert sorted(statuses) == ["never"] * 3 + ["overdue"] * 3


def test_dashboard_counts_by_grade_and_region(users, sites, django_assert_max_num_queries):
    Site.objects.filter(pk=sites.plant_a.pk).update(risk_level="major")
    Site.objects.filter(pk=sites.factory_b.pk).update(risk_level="general")
    RiskPointFactory(site=sites.plant_a, grade="major")
    RiskPointFactory(site=sites.plant_a, grade="low")
    RiskPointFactory(site=sites.plant_a)
    RiskPointFactory(site=sites.factory_b, grade="general")
    RiskPointFactory(site=sites.shenzhen_c, grade="major")  # outside Guangzhou

    with django_assert_max_num_queries(6):
        counts = dashboard_risk_counts(user=users.manager_a)
    by_grade = {row["grade"]: (row["risk_points"], row["sites"]) for row in counts["grades"]}
    assert by_grade == {
        "major": (1, 1),
        "large": (0, 0),
        "general": (1, 1),
        "low": (1, 0),
        "": (1, 1),
    }
    assert counts["totals"] == {"risk_points": 4, "sites": 3}
    assert counts["region_code"] == "4401"
    regions = {row["code"]: row for row in counts["by_region"]}
    assert set(regions) == {"440106", "440112", "440113"}
    assert regions["440112"]["risk_points"]["major"] == 1
    assert regions["440113"]["sites"]["general"] == 1

    sector = dashboard_risk_counts(user=users.manager_a, sector_code="industry_trade")
    assert sector["totals"] == {"risk_points": 1, "sites": 1}
    county = dashboard_risk_counts(user=users.manager_a, region_code="440112")
    assert county["totals"] == {"risk_points": 3, "sites": 1}
    assert [row["code"] for row in county["by_region"]] == ["440112001"]
    # A region outside the user's scope counts nothing (and does not reveal anything).
    assert dashboard_risk_counts(user=users.manager_a, region_code="4403")["totals"] == {
        "risk_points": 0,
        "sites": 0,
    }
    # An enterprise sees its own.
    assert dashboard_risk_counts(user=users.officer_a)["totals"] == {"risk_points": 3, "sites": 1}
    # Province-wide for the administrator.
    assert dashboard_risk_counts(user=users.admin)["totals"]["risk_points"] == 5
