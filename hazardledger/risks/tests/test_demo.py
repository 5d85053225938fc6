"""The demo step: deterministic, plausible, bulk, and leaves gz-inspector overdue sites."""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from hazardledger.core.demo import DEMO_STEPS, DemoContext
from hazardledger.registry.choices import SiteKind
from hazardledger.registry.models import Site
from hazardledger.registry.tests.factories import SiteFactory
from hazardledger.risks.demo import demo_populate
from hazardledger.risks.grading import assess
from hazardledger.risks.models import (
    ControlMeasure,
    RiskAssessment,
    RiskPoint,
    SiteInspectionSchedule,
)
from hazardledger.risks.selectors import site_inspection_due_list
from hazardledger.risks.services import highest_grade

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 3, 15, 10, 0))


def _context(users, seed=7):
    return DemoContext(
        rng=random.Random(seed),
        seed=seed,
        now=NOW,
        logins={"ent-a": users.officer_a, "gz-inspector": users.inspector_a},
        out=io.StringIO(),
    )


@pytest.fixture
def demo_sites(orgs, sites):
    kinds = [SiteKind.CHEMICAL_PLANT, SiteKind.CHEMICAL_STORE, SiteKind.FUEL_STATION]
    for n in range(30):
        SiteFactory(
            name=f"广州危化{n}",
            kind=kinds[n % 3],
            sector_id="hazardous_chemicals",
            region_id="440112001",
            organisation=orgs.ent_b,
        )
    for kind in (SiteKind.COAL_MINE, SiteKind.CONSTRUCTION_PROJECT, SiteKind.VENUE):
        SiteFactory(kind=kind, organisation=orgs.ent_c, region_id="440305001")
    return sites


def _snapshot():
    return list(
        RiskPoint.objects.order_by("site_id", "id").values_list(
            "site_id", "name", "grade", "risk_value"
        )
    ) + list(
        SiteInspectionSchedule.objects.order_by("site_id").values_list(
            "site_id", "last_inspected_on"
        )
    )


def test_demo_is_plausible_and_consistent(users, demo_sites, django_assert_max_num_queries):
    ctx = _context(users)
    with django_assert_max_num_queries(40):  # bulk: not one query per site or point
        demo_populate(ctx)
    assert "risk points" in ctx.out.getvalue()

    points = RiskPoint.objects.all()
    per_site = {}
    for point in points:
        per_site.setdefault(point.site_id, []).append(point)
    assert all(1 <= len(group) <= 5 for group in per_site.values())
    assert demo_sites.plant_a.pk in per_site  # ent-a always has a register
    assert demo_sites.house.pk not in per_site  # no enterprise, no register

    # Every point has exactly one current assessment, graded by the real grading.
    for assessment in RiskAssessment.objects.filter(is_current=True).select_related("risk_point"):
        factors = {"l": assessment.l, "e": assessment.e, "c": assessment.c, "s": assessment.s}
        factors["threshold_set"] = assessment.threshold_set
        result = assess(assessment.method, **{k: v for k, v in factors.items() if v is not None})
        assert (result.value, result.grade) == (assessment.value, assessment.grade)
        assert assessment.risk_point.grade == assessment.grade
    assert RiskAssessment.objects.filter(is_current=True).count() == points.count()
    assert (
        ControlMeasure.objects.filter(risk_point__in=points).values("risk_point").distinct().count()
        == points.count()
    )

    # Site levels are the highest grade of their points; sites without points stay empty.
    for site in Site.objects.all():
        expected = highest_grade(p.grade for p in per_site.get(site.pk, []))
        assert site.risk_level == expected

    # gz-inspector has overdue hazardous-chemicals sites in Guangzhou, ent-a's among them.
    overdue = list(
        site_inspection_due_list(user=users.inspector_a, today=NOW.date(), include_due_soon=False)
    )
    assert all(s.region_id.startswith("4401") for s in overdue)
    assert len([s for s in overdue if s.sector_id == "hazardous_chemicals"]) >= 3
    assert demo_sites.plant_a.pk in {s.pk for s in overdue}


def test_demo_is_deterministic(users, demo_sites):
    demo_populate(_context(users, seed=3))
    first = _snapshot()
    RiskPoint.objects.all().delete()
    SiteInspectionSchedule.objects.all().delete()
    Site.objects.update(risk_level="")
    demo_populate(_context(users, seed=3))
    assert _snapshot() == first


def test_risks_is_a_demo_step():
    assert "risks" in DEMO_STEPS


def test_assessments_are_in_the_demo_past(users, demo_sites):
    demo_populate(_context(users))
    latest = RiskAssessment.objects.order_by("-assessed_at").first().assessed_at
    assert latest <= NOW - timedelta(days=7)
