"""The risks app's outbox handlers, driven by the real services: the site's risk level follows
every hazard action that opens or closes a major hazard and every assessment, after commit; a
regulator's submitted inspection records a visit, a self-inspection does not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from hazardledger.audit.models import AuditEvent
from hazardledger.core.models import OutboxEvent
from hazardledger.core.outbox import outbox_write
from hazardledger.hazards.choices import HazardAction, HazardGrade, HazardStatus, VoidReason
from hazardledger.hazards.services import hazard_record
from hazardledger.hazards.tests.factories import hazard_data, hazard_in_state, record
from hazardledger.hazards.workflow import hazard_transition
from hazardledger.registry.models import Site
from hazardledger.risks.models import SiteInspectionSchedule
from hazardledger.risks.services import risk_point_assess

from .factories import RiskPointFactory

pytestmark = pytest.mark.django_db

MAJOR, GENERAL = HazardGrade.MAJOR, HazardGrade.GENERAL
# A level no refresh of a site without risk points can produce: it stays only if none ran.
STALE = "low"

# (status the hazard starts from, action, who acts, the level a refresh gives the site: the
# site has no risk point, so "major" while a major hazard is open and "" otherwise).
MAJOR_MOVES = [
    (None, HazardAction.RECORD, "responsible", "major"),
    (HazardStatus.SUBMITTED, HazardAction.ACCEPT, "regulator", ""),
    (HazardStatus.RECORDED, HazardAction.VOID, "regulator", ""),
    (HazardStatus.CLOSED, HazardAction.REOPEN, "regulator", "major"),
]
GENERAL_MOVES = [
    (None, HazardAction.RECORD, "responsible"),
    (HazardStatus.FIXED, HazardAction.CONFIRM, "responsible"),
    (HazardStatus.SUBMITTED, HazardAction.ACCEPT, "responsible"),
    (HazardStatus.RECORDED, HazardAction.VOID, "regulator"),
    (HazardStatus.CLOSED, HazardAction.REOPEN, "regulator"),
]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _level(site) -> str:
    return Site.objects.values_list("risk_level", flat=True).get(pk=site.pk)


def _move(users, sites, grade, status, action, who):
    """Bring a hazard at plant A to ``status``, mark the site's level stale, then take
    ``action`` through the services themselves (the factories' helpers run the on-commit
    callbacks at once; here the caller's capture decides when they run)."""
    actors = {"responsible": users.officer_a, "regulator": users.inspector_a}
    site = sites.plant_a
    hazard = None
    if status is not None:
        hazard = hazard_in_state(
            status=status,
            grade=grade,
            site=site,
            responsible=users.officer_a,
            regulator=users.inspector_a,
        )
    Site.objects.filter(pk=site.pk).update(risk_level=STALE)
    if action == HazardAction.RECORD:
        return hazard_record(actor=actors[who], site_id=site.pk, data=hazard_data(grade))
    assert hazard is not None
    hazard.refresh_from_db()
    return hazard_transition(
        hazard=hazard,
        action=action,
        actor=actors[who],
        expected_version=hazard.version,
        comment="说明",
        data=DATA.get(action),
    )


# What the actions need (reopening: the new deadline, issue 12).
DATA = {
    HazardAction.VOID: {"void_reason": VoidReason.ERROR},
    HazardAction.REOPEN: {"deadline": timezone.localdate() + timedelta(days=30)},
}


@pytest.mark.parametrize(("status", "action", "who", "level"), MAJOR_MOVES)
def test_a_major_hazard_move_refreshes_the_site_level_after_commit(
    users, sites, django_capture_on_commit_callbacks, status, action, who, level
):
    with django_capture_on_commit_callbacks(execute=True):
        _move(users, sites, MAJOR, status, action, who)
        assert _level(sites.plant_a) == STALE  # nothing inside the transaction
    assert _level(sites.plant_a) == level


@pytest.mark.parametrize(("status", "action", "who"), GENERAL_MOVES)
def test_a_general_hazard_move_leaves_the_site_level_alone(
    users, sites, django_capture_on_commit_callbacks, status, action, who
):
    with django_capture_on_commit_callbacks(execute=True):
        hazard = _move(users, sites, GENERAL, status, action, who)
    assert hazard.grade == GENERAL
    assert _level(sites.plant_a) == STALE


def test_the_level_change_is_audited_as_the_actors_doing(
    users, sites, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record(sites.plant_a, users.officer_a, MAJOR)
    change = AuditEvent.objects.get(action="risks.site.level_change")
    assert (change.before, change.after) == ({"risk_level": ""}, {"risk_level": "major"})
    assert change.object_id == str(sites.plant_a.pk)


def test_an_assessment_refreshes_the_site_level_after_commit(
    users, sites, django_capture_on_commit_callbacks
):
    point = RiskPointFactory(site=sites.plant_a)
    with django_capture_on_commit_callbacks(execute=True):
        assessment = risk_point_assess(
            actor=users.officer_a, risk_point=point, method="lec", factors={"l": 6, "e": 6, "c": 7}
        )
        assert _level(sites.plant_a) == ""  # nothing inside the transaction
    assert _level(sites.plant_a) == "large"
    event = OutboxEvent.objects.get(topic="risks.riskassessment.create")
    assert (event.object_type, event.object_id) == ("risks.riskassessment", str(assessment.pk))
    assert event.region_code == sites.plant_a.region_id
    assert event.data == {
        "site_id": sites.plant_a.pk,
        "risk_point_id": point.pk,
        "grade": "large",
        "changes": {"grade": ["", "large"], "risk_value": [None, "252"]},
    }
    # Other apps' handlers (the dashboards' rollups) may follow; the risk level's ran.
    assert "risks.site_risk_refresh" in event.handled and event.done_at is not None


def test_a_reassessment_to_the_same_grade_records_no_grade_change(
    users, sites, django_capture_on_commit_callbacks
):
    point = RiskPointFactory(site=sites.plant_a)
    with django_capture_on_commit_callbacks(execute=True):
        risk_point_assess(
            actor=users.officer_a, risk_point=point, method="lec", factors={"l": 6, "e": 6, "c": 7}
        )
    Site.objects.filter(pk=sites.plant_a.pk).update(risk_level=STALE)
    with django_capture_on_commit_callbacks(execute=True):
        risk_point_assess(
            actor=users.officer_a, risk_point=point, method="lec", factors={"l": 6, "e": 3, "c": 15}
        )
    latest = OutboxEvent.objects.filter(topic="risks.riskassessment.create").latest("pk")
    assert latest.data["changes"] == {"risk_value": ["252", "270"]}
    assert _level(sites.plant_a) == STALE  # the grade did not move: nothing to recompute


def _submit_event(site, actor, kind, inspected_on):
    """The event inspections write when an inspection is submitted (the contract's data)."""
    with transaction.atomic():
        outbox_write(
            topic="inspections.inspection.submit",
            obj=site,
            actor=actor,
            data={
                "site_id": site.pk,
                "kind": kind,
                "status": "submitted",
                "inspected_on": inspected_on.isoformat(),
                "changes": {"status": ["in_progress", "submitted"]},
            },
        )


@pytest.mark.parametrize("kind", ["routine", "double_random", "recheck"])
def test_a_regulators_submitted_inspection_records_the_visit(
    users, sites, django_capture_on_commit_callbacks, kind
):
    day = timezone.localdate() - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        _submit_event(sites.plant_a, users.inspector_a, kind, day)
    schedule = SiteInspectionSchedule.objects.get(site=sites.plant_a)
    assert schedule.last_inspected_on == day
    assert AuditEvent.objects.get(action="risks.site.inspection_record").actor == users.inspector_a


def test_a_self_inspection_is_not_a_visit(users, sites, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _submit_event(sites.plant_a, users.officer_a, "self", timezone.localdate())
    assert not SiteInspectionSchedule.objects.exists()
    event = OutboxEvent.objects.get(topic="inspections.inspection.submit")
    assert event.done_at is not None  # handled: nothing left to retry


def test_a_visit_by_someone_who_may_not_keep_the_schedule_is_skipped(
    users, sites, django_capture_on_commit_callbacks
):
    # Enterprise users do not keep the inspection schedule, whatever kind they submit.
    with django_capture_on_commit_callbacks(execute=True):
        _submit_event(sites.plant_a, users.officer_a, "routine", timezone.localdate())
    assert not SiteInspectionSchedule.objects.exists()
    event = OutboxEvent.objects.get(topic="inspections.inspection.submit")
    assert (event.done_at is not None, event.attempts) == (True, 0)  # skipped, not failing


def test_recording_a_visit_again_changes_nothing(users, sites, django_capture_on_commit_callbacks):
    day = timezone.localdate() - timedelta(days=2)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            _submit_event(sites.plant_a, users.inspector_a, "routine", day)
    assert SiteInspectionSchedule.objects.get(site=sites.plant_a).last_inspected_on == day
    assert AuditEvent.objects.filter(action="risks.site.inspection_record").count() == 1
