"""Services: risk points, assessment with history, controls, site risk level, schedule."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from hazardledger.access.scope import ScopeViolation
from hazardledger.registry.models import Site
from hazardledger.registry.tests.factories import SiteFactory
from hazardledger.risks import services
from hazardledger.risks.choices import ControlKind, ControlLevel, HazardType, RiskGrade
from hazardledger.risks.grading import InvalidFactor
from hazardledger.risks.models import (
    ControlMeasure,
    RiskAssessment,
    RiskPoint,
    SiteInspectionSchedule,
)
from hazardledger.risks.selectors import site_check_item_list
from hazardledger.risks.services import (
    control_measure_create,
    risk_point_assess,
    risk_point_create,
    site_inspection_record,
    site_risk_level_refresh,
    site_risk_levels_refresh,
)

from .factories import ControlMeasureFactory, RiskPointFactory

pytestmark = pytest.mark.django_db

POINT = {
    "name": "甲类仓库",
    "kind": "place",
    "location": "厂区东侧",
    "hazard_types": [HazardType.FIRE, HazardType.POISONING],
    "consequences": "火灾、中毒",
    "emergency_phone": "020-12345678",
}


@pytest.fixture
def no_hazards_app(monkeypatch):
    """The hazard-free path: no site has an open major hazard (hazards' selector says so)."""
    monkeypatch.setattr(services, "site_has_open_major_hazard", lambda *, site_id: False)


@pytest.fixture
def fake_hazards(monkeypatch):
    """A stand-in for hazards' ``site_has_open_major_hazard`` whose answer the test sets."""
    answer = {"open": False, "asked": []}

    def site_has_open_major_hazard(*, site_id):
        answer["asked"].append(site_id)
        return answer["open"]

    monkeypatch.setattr(services, "site_has_open_major_hazard", site_has_open_major_hazard)
    return answer


def _assess(user, point, l, e, c):  # noqa: E741
    # The site's level follows an assessment after commit (the outbox handler): run the
    # on-commit callbacks, as the end of a request's transaction does.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return risk_point_assess(
            actor=user, risk_point=point, method="lec", factors={"l": l, "e": e, "c": c}
        )


def test_create_copies_the_scope_of_the_site(users, sites):
    point = risk_point_create(actor=users.officer_a, site=sites.plant_a, data=POINT)
    assert (point.region_id, point.sector_id, point.organisation_id) == (
        "440112001",
        "hazardous_chemicals",
        sites.plant_a.organisation_id,
    )
    assert point.grade == ""  # not assessed, never "low"
    assert point.created_by == users.officer_a


def test_create_refuses_bad_hazard_types_and_writes_nothing(users, sites):
    for bad in ([], ["meteor"]):
        with pytest.raises(ValidationError) as info:
            risk_point_create(
                actor=users.officer_a, site=sites.plant_a, data={**POINT, "hazard_types": bad}
            )
        assert "hazard_types" in info.value.message_dict
    assert not RiskPoint.objects.exists()


def test_create_out_of_scope_rolls_back(users, sites):
    with pytest.raises(ScopeViolation):
        risk_point_create(actor=users.officer_a, site=sites.factory_b, data=POINT)
    assert not RiskPoint.objects.exists()


def test_assessment_stores_method_factors_set_and_computed_grade(users, sites, no_hazards_app):
    point = RiskPointFactory(site=sites.plant_a)
    assessment = _assess(users.officer_a, point, 6, 6, 7)
    assessment.refresh_from_db()
    assert assessment.method == "lec"
    assert (assessment.l, assessment.e, assessment.c, assessment.s) == (6, 6, 7, None)
    assert (assessment.value, assessment.grade) == (Decimal(252), RiskGrade.LARGE)
    assert (assessment.threshold_set, assessment.threshold_version) == ("classic", 1)
    assert assessment.danger_class == "high"
    assert assessment.assessed_by == users.officer_a
    assert assessment.assessed_by_name == users.officer_a.display_name
    point.refresh_from_db()
    assert (point.grade, point.risk_value) == (RiskGrade.LARGE, Decimal(252))
    sites.plant_a.refresh_from_db()
    assert sites.plant_a.risk_level == RiskGrade.LARGE


def test_matrix_assessment_stores_its_threshold_set(users, sites, no_hazards_app):
    point = RiskPointFactory(site=sites.plant_a)
    assessment = risk_point_assess(
        actor=users.inspector_a,
        risk_point=point,
        method="matrix",
        factors={"l": 3, "s": 3, "threshold_set": "B"},
    )
    assert (assessment.l, assessment.s, assessment.e, assessment.c) == (3, 3, None, None)
    assert (assessment.threshold_set, assessment.value, assessment.grade) == ("B", 9, "general")


def test_reassessment_keeps_the_history(users, sites, no_hazards_app):
    point = RiskPointFactory(site=sites.plant_a)
    first = _assess(users.officer_a, point, 6, 6, 7)
    second = _assess(users.officer_a, point, 1, 6, 7)
    rows = list(point.assessments.order_by("id"))
    assert [a.pk for a in rows] == [first.pk, second.pk]
    assert [a.is_current for a in rows] == [False, True]
    assert [a.grade for a in rows] == [RiskGrade.LARGE, RiskGrade.LOW]
    point.refresh_from_db()
    assert point.grade == RiskGrade.LOW
    sites.plant_a.refresh_from_db()
    assert sites.plant_a.risk_level == RiskGrade.LOW


def test_invalid_factor_changes_nothing(users, sites, no_hazards_app):
    point = RiskPointFactory(site=sites.plant_a)
    _assess(users.officer_a, point, 6, 6, 7)
    with pytest.raises(InvalidFactor):
        _assess(users.officer_a, point, 4, 6, 7)
    assert point.assessments.count() == 1
    assert point.assessments.get().is_current


def test_only_one_current_assessment_per_point(users, sites, no_hazards_app):
    point = RiskPointFactory(site=sites.plant_a)
    current = _assess(users.officer_a, point, 6, 6, 7)
    duplicate = RiskAssessment.objects.get(pk=current.pk)
    duplicate.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_factors_must_fit_the_method_in_the_database(users, sites, no_hazards_app):
    point = RiskPointFactory(site=sites.plant_a)
    current = _assess(users.officer_a, point, 6, 6, 7)
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskAssessment.objects.filter(pk=current.pk).update(s=3)


def test_site_level_is_the_highest_grade_and_empty_when_not_assessed(users, sites, no_hazards_app):
    site = sites.plant_a
    low = RiskPointFactory(site=site)
    RiskPointFactory(site=site)  # never assessed: does not count
    assert site_risk_level_refresh(site=site) == ""
    _assess(users.officer_a, low, 1, 6, 7)
    assert Site.objects.get(pk=site.pk).risk_level == RiskGrade.LOW
    major = RiskPointFactory(site=site)
    _assess(users.officer_a, major, 3, 6, 40)
    assert Site.objects.get(pk=site.pk).risk_level == RiskGrade.MAJOR
    _assess(users.officer_a, major, 6, 6, 3)  # re-assessed down to general
    assert Site.objects.get(pk=site.pk).risk_level == RiskGrade.GENERAL


def test_site_level_refresh_without_the_hazards_app(sites, no_hazards_app):
    point = RiskPointFactory(site=sites.plant_a, grade=RiskGrade.GENERAL)
    assert site_risk_level_refresh(site=point.site) == RiskGrade.GENERAL


def test_open_major_hazard_makes_the_site_major(sites, fake_hazards):
    RiskPointFactory(site=sites.plant_a, grade=RiskGrade.LOW)
    assert site_risk_level_refresh(site=sites.plant_a) == RiskGrade.LOW
    fake_hazards["open"] = True
    assert site_risk_level_refresh(site=sites.plant_a) == RiskGrade.MAJOR
    # even with no assessed risk point at all
    assert site_risk_level_refresh(site=sites.factory_b) == RiskGrade.MAJOR
    assert fake_hazards["asked"] == [sites.plant_a.pk, sites.plant_a.pk, sites.factory_b.pk]
    fake_hazards["open"] = False
    assert site_risk_level_refresh(site=sites.plant_a) == RiskGrade.LOW


def test_refresh_is_a_conditional_update_of_the_level_only(sites, no_hazards_app):
    site = sites.plant_a
    RiskPointFactory(site=site, grade=RiskGrade.GENERAL)
    stale = Site.objects.get(pk=site.pk)
    Site.objects.filter(pk=site.pk).update(name="改名后的储罐区")  # a concurrent edit
    site_risk_level_refresh(site=stale)
    fresh = Site.objects.get(pk=site.pk)
    assert (fresh.name, fresh.risk_level, fresh.version) == ("改名后的储罐区", "general", 1)


def test_bulk_refresh_matches_the_single_one(sites, no_hazards_app):
    RiskPointFactory(site=sites.plant_a, grade=RiskGrade.GENERAL)
    RiskPointFactory(site=sites.plant_a, grade=RiskGrade.LARGE)
    RiskPointFactory(site=sites.factory_b)
    Site.objects.filter(pk=sites.house.pk).update(risk_level="low")  # stale: no risk points
    changed = site_risk_levels_refresh(site_ids=[s.pk for s in Site.objects.all()])
    levels = dict(Site.objects.values_list("name", "risk_level"))
    assert levels["甲化工储罐区"] == "large"
    assert levels["乙机械一车间"] == ""
    assert levels["五山村自建房"] == ""
    assert changed == 2


def test_controls_feed_the_check_items_worst_risk_first(users, sites):
    low = RiskPointFactory(site=sites.plant_a, name="配电房", grade=RiskGrade.LOW)
    major = RiskPointFactory(site=sites.plant_a, name="储罐区", grade=RiskGrade.MAJOR)
    control_measure_create(
        actor=users.officer_a,
        risk_point=low,
        data={
            "kind": ControlKind.MANAGEMENT,
            "description": "配电房上锁管理",
            "level": ControlLevel.TEAM,
            "responsible_person": "李四",
        },
    )
    ControlMeasureFactory(
        risk_point=major, description="储罐液位报警", check_item="液位报警是否完好"
    )
    ControlMeasureFactory(risk_point=RiskPointFactory(site=sites.factory_b))  # another site
    items = site_check_item_list(site=sites.plant_a)
    assert [(i.risk_point_name, i.text, i.grade) for i in items] == [
        ("储罐区", "液位报警是否完好", "major"),
        ("配电房", "配电房上锁管理", "low"),
    ]


def test_control_needs_level_and_responsible_person(users, sites):
    point = RiskPointFactory(site=sites.plant_a)
    with pytest.raises(ValidationError) as info:
        control_measure_create(
            actor=users.officer_a,
            risk_point=point,
            data={"kind": "engineering", "description": "x", "level": "galaxy"},
        )
    assert {"level", "responsible_person"} <= set(info.value.message_dict)
    assert not ControlMeasure.objects.exists()


def test_inspection_record_keeps_the_latest_date(users, sites):
    today = timezone.localdate()
    site_inspection_record(
        actor=users.inspector_a, site=sites.plant_a, inspected_on=today - timedelta(days=10)
    )
    site_inspection_record(
        actor=users.inspector_a, site=sites.plant_a, inspected_on=today - timedelta(days=40)
    )
    schedule = SiteInspectionSchedule.objects.get(site=sites.plant_a)
    assert schedule.last_inspected_on == today - timedelta(days=10)
    assert schedule.region_id == sites.plant_a.region_id
    with pytest.raises(ValidationError):
        site_inspection_record(
            actor=users.inspector_a, site=sites.plant_a, inspected_on=today + timedelta(days=1)
        )


def test_inspection_record_out_of_scope_rolls_back(users, sites):
    with pytest.raises(ScopeViolation):
        site_inspection_record(
            actor=users.inspector_a, site=sites.house, inspected_on=date(2026, 1, 5)
        )
    assert not SiteInspectionSchedule.objects.exists()


def test_risks_reads_hazards_only_through_its_public_selectors():
    # Issue 9: no try/except ImportError coupling; a plain call into hazards' public selectors
    # is the one way risks learns about hazards (everything else arrives as outbox events).
    package = Path(services.__file__).parent
    imported = set()
    for path in package.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "hazardledger.hazards"
            ):
                imported.add((path.name, node.module))
            elif isinstance(node, ast.Import):
                imported |= {
                    (path.name, alias.name)
                    for alias in node.names
                    if alias.name.startswith("hazardledger.hazards")
                }
            elif isinstance(node, ast.Try):
                caught = [h.type for h in node.handlers if h.type is not None]
                assert not any(
                    isinstance(t, ast.Name) and t.id in {"ImportError", "ModuleNotFoundError"}
                    for t in caught
                ), f"{path.name}:{node.lineno} catches ImportError"
    assert imported == {("services.py", "hazardledger.hazards.selectors")}


def test_site_factory_sites_start_not_assessed(db):
    assert SiteFactory().risk_level == ""


def test_writes_are_audited(users, sites, no_hazards_app):
    from hazardledger.audit.models import AuditEvent

    point = risk_point_create(actor=users.officer_a, site=sites.plant_a, data=POINT)
    _assess(users.inspector_a, point, 6, 6, 7)
    control = control_measure_create(
        actor=users.officer_a,
        risk_point=point,
        data={
            "kind": "training",
            "description": "岗前培训",
            "level": "team",
            "responsible_person": "李四",
        },
    )
    services.control_measure_delete(actor=users.officer_a, control=control)
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor__username"))
    assert actions == [
        ("risks.riskpoint.create", "officer_a"),
        ("risks.riskpoint.assess", "inspector_a"),
        ("risks.site.level_change", "inspector_a"),
        ("risks.controlmeasure.create", "officer_a"),
        ("risks.controlmeasure.delete", "officer_a"),
    ]
    assess_event = AuditEvent.objects.get(action="risks.riskpoint.assess")
    assert assess_event.before == {"grade": "", "value": None}
    assert assess_event.after == {"grade": "large", "value": "252"}
    assert assess_event.data["factors"] == {"l": "6", "e": "6", "c": "7"}
    level_event = AuditEvent.objects.get(action="risks.site.level_change")
    assert (level_event.before, level_event.after) == ({"risk_level": ""}, {"risk_level": "large"})


def test_unchanged_level_is_not_audited(sites, no_hazards_app):
    from hazardledger.audit.models import AuditEvent

    site_risk_level_refresh(site=sites.plant_a)
    assert not AuditEvent.objects.exists()


def test_resync_follows_a_site_that_moved(users, sites):
    point = RiskPointFactory(site=sites.plant_a)
    _assess(users.officer_a, point, 6, 6, 7)
    ControlMeasureFactory(risk_point=point)
    Site.objects.filter(pk=sites.plant_a.pk).update(region_id="440113007", organisation=None)
    site = Site.objects.get(pk=sites.plant_a.pk)
    assert services.site_risk_rows_resync(site=site) == 3
    for model in (RiskPoint, RiskAssessment, ControlMeasure):
        assert set(model.objects.values_list("region_id", "organisation_id")) == {
            ("440113007", None)
        }
    assert services.site_risk_rows_resync(site=site) == 0
