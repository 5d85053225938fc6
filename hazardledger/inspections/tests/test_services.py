"""From a failed item to the ledger: drafts, grade overrides, re-checks, self-inspections."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from hazardledger.audit.models import AuditEvent
from hazardledger.hazards.choices import HazardGrade, HazardSource, HazardStatus, InterimMeasure
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.selectors import hazard_queue
from hazardledger.inspections.choices import DraftStatus
from hazardledger.inspections.models import HazardDraft, RecheckDecision
from hazardledger.inspections.services import (
    InspectionError,
    hazard_draft_confirm,
    hazard_draft_dismiss,
    inspection_plan,
    recheck_decide,
    recheck_finish,
)
from hazardledger.inspections.sync import inspection_sync

from .conftest import committed, submitted_major_hazard, sync_document

FAIL = {"hc-12": "2号罐区可燃气体报警器缺失", "hc-g01": "罐区入口警示标志褪色"}
MEASURES = [InterimMeasure.PEOPLE_WITHDRAWN, InterimMeasure.WARNINGS_POSTED]


def _submitted(actor, site, checklist, kind="routine", fail=FAIL):
    inspection = inspection_plan(
        actor=actor, site=site, kind=kind, checklist=checklist, planned_on=date.today(), start=True
    )
    with committed():
        inspection_sync(
            actor=actor, inspection=inspection, document=sync_document(inspection, fail=fail)
        )
    inspection.refresh_from_db()
    return inspection


def _draft(inspection, code):
    return HazardDraft.objects.get(inspection=inspection, result__item__code=code)


@pytest.fixture
def inspection(checklists, users, sites):
    return _submitted(users.inspector_a, sites.plant_a, checklists["hazardous_chemicals"])


def test_confirming_records_one_major_hazard_citing_its_clause_in_the_regulator_queue(
    inspection, users
):
    major = hazard_draft_confirm(
        actor=users.inspector_a,
        draft=_draft(inspection, "hc-12"),
        data={"interim_measures": MEASURES},
    )
    general = hazard_draft_confirm(
        actor=users.inspector_a, draft=_draft(inspection, "hc-g01"), data={}
    )
    assert major.grade == HazardGrade.MAJOR and general.grade == HazardGrade.GENERAL
    assert "安监总管三〔2017〕121号" in major.grade_basis and "（hc-12）" in major.grade_basis
    assert major.source == HazardSource.REGULATORY_INSPECTION
    assert major.evidence.count() == 1  # the item's photo
    assert major.inspection_draft.inspection == inspection
    queue = {s.key: s for s in hazard_queue(user=users.inspector_a)}
    assert major in queue["major"].hazards and general not in queue["major"].hazards
    assert _draft(inspection, "hc-12").status == DraftStatus.RECORDED


def test_a_major_hazard_without_interim_measures_is_refused_and_the_draft_stays(inspection, users):
    with pytest.raises(ValidationError) as exc:
        hazard_draft_confirm(actor=users.inspector_a, draft=_draft(inspection, "hc-12"), data={})
    assert "interim_measures" in exc.value.message_dict
    assert _draft(inspection, "hc-12").status == DraftStatus.DRAFT
    assert not Hazard.objects.exists()


def test_changing_the_grade_needs_a_reason_which_is_recorded(inspection, users):
    draft = _draft(inspection, "hc-g01")
    with pytest.raises(ValidationError) as exc:
        hazard_draft_confirm(
            actor=users.inspector_a,
            draft=draft,
            data={"grade": "major", "interim_measures": MEASURES},
        )
    assert "override_reason" in exc.value.message_dict
    hazard = hazard_draft_confirm(
        actor=users.inspector_a,
        draft=draft,
        data={
            "grade": "major",
            "override_reason": "警示缺失且罐区泄漏",
            "interim_measures": MEASURES,
        },
    )
    assert hazard.grade == HazardGrade.MAJOR and "警示缺失且罐区泄漏" in hazard.grade_basis
    draft.refresh_from_db()
    assert draft.is_overridden and draft.override_reason == "警示缺失且罐区泄漏"
    entry = AuditEvent.objects.get(action="inspections.hazarddraft.confirm")
    assert entry.data["override_reason"] == "警示缺失且罐区泄漏"
    assert entry.data["checklist_grade"] == "general"


def test_a_draft_is_confirmed_once(inspection, users):
    draft = _draft(inspection, "hc-g01")
    hazard_draft_confirm(actor=users.inspector_a, draft=draft, data={})
    with pytest.raises(InspectionError):
        hazard_draft_confirm(actor=users.inspector_a, draft=draft, data={})
    assert Hazard.objects.count() == 1


def test_a_draft_can_be_dismissed_with_a_reason(inspection, users):
    draft = _draft(inspection, "hc-g01")
    with pytest.raises(ValidationError):
        hazard_draft_dismiss(actor=users.inspector_a, draft=draft, reason=" ")
    hazard_draft_dismiss(actor=users.inspector_a, draft=draft, reason="现场已整改完毕")
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DISMISSED and draft.hazard is None


def test_an_enterprise_self_inspection_records_self_inspection_hazards(checklists, users, sites):
    inspection = _submitted(
        users.officer_a,
        sites.plant_a,
        checklists["hazardous_chemicals"],
        kind="self",
        fail={"hc-g02": "灭火器过期"},
    )
    hazard = hazard_draft_confirm(
        actor=users.officer_a, draft=_draft(inspection, "hc-g02"), data={}
    )
    assert hazard.source == HazardSource.SELF_INSPECTION


def test_an_enterprise_may_not_run_a_regulatory_inspection(checklists, users, sites):
    with pytest.raises(ValidationError):
        inspection_plan(
            actor=users.officer_a,
            site=sites.plant_a,
            kind="routine",
            checklist=checklists["hazardous_chemicals"],
            planned_on=date.today(),
        )


def test_a_checklist_that_does_not_fit_the_site_is_refused(checklists, users, sites):
    with pytest.raises(ValidationError):
        inspection_plan(
            actor=users.inspector_a,
            site=sites.plant_a,
            kind="routine",
            checklist=checklists["coal_mine"],
            planned_on=date.today(),
        )


@pytest.mark.parametrize(
    ("outcome", "status"), [("accept", HazardStatus.CLOSED), ("reject", HazardStatus.RECTIFYING)]
)
def test_a_recheck_acts_on_open_hazards_through_the_state_machine(users, sites, outcome, status):
    hazard = submitted_major_hazard(users, sites)
    recheck = inspection_plan(
        actor=users.inspector_a,
        site=sites.plant_a,
        kind="recheck",
        checklist=None,
        planned_on=date.today(),
        start=True,
    )
    recheck_decide(
        actor=users.inspector_a,
        inspection=recheck,
        hazard=hazard,
        outcome=outcome,
        expected_version=hazard.version,
        comment="复查意见",
    )
    hazard.refresh_from_db()
    assert hazard.status == status
    assert hazard.events.order_by("-seq").first().action == outcome
    assert RecheckDecision.objects.filter(
        inspection=recheck, hazard=hazard, outcome=outcome
    ).exists()
    recheck_finish(actor=users.inspector_a, inspection=recheck)
    recheck.refresh_from_db()
    assert recheck.status == "submitted"
    with pytest.raises(InspectionError):
        recheck_decide(
            actor=users.inspector_a,
            inspection=recheck,
            hazard=hazard,
            outcome=outcome,
            expected_version=hazard.version,
        )
