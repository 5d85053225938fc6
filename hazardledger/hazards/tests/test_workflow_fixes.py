"""The workflow fixes of issue 12, item 5, each found by running real transitions: extensions
before the deadline and decided upward, overdue days that stay, voiding, the major plan's
approval, interim measures, regrading, the definitions of overdue, the notice to the
workforce."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from hazardledger.accounts.choices import Role
from hazardledger.accounts.tests.factories import UserFactory
from hazardledger.core.errors import Invalid
from hazardledger.hazards.choices import HazardAction, HazardGrade, HazardStatus
from hazardledger.hazards.deadlines import hazard_days_overdue
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.selectors import (
    awaiting_acceptance_q,
    hazard_list,
    ledger_totals,
    overdue_q,
    review_overdue_q,
)
from hazardledger.hazards.workflow import InvalidTransition, TransitionNotAllowed, allowed_actions

from .factories import act, hazard_data, hazard_in_state, plan_data, record

pytestmark = pytest.mark.django_db
A, S, G, M = HazardAction, HazardStatus, HazardGrade.GENERAL, HazardGrade.MAJOR


def _at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock in Guangzhou on ``day``."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour - 8)


def _rectifying(users, sites, grade=G, **kwargs):
    return hazard_in_state(
        status=S.RECTIFYING,
        grade=grade,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
        **kwargs,
    )


# --- extensions ---------------------------------------------------------------------------


def test_an_extension_is_requested_before_the_deadline(users, sites):
    with time_machine.travel(_at(date(2026, 3, 1)), tick=False):
        hazard = _rectifying(users, sites)
        deadline = hazard.deadline
    with time_machine.travel(_at(deadline), tick=False):  # on the last day: still in time
        act(hazard, A.REQUEST_EXTENSION, users.officer_a)
    later = _rectifying(users, sites)
    after = _at(later.deadline + timedelta(days=1))
    with time_machine.travel(after, tick=False), pytest.raises(InvalidTransition):
        act(later, A.REQUEST_EXTENSION, users.officer_a)


def test_an_extension_is_never_approved_to_a_past_date(users, sites):
    with time_machine.travel(_at(date(2026, 3, 1)), tick=False):
        hazard = _rectifying(users, sites, pending_extension=True)
        requested = hazard.extensions.get().requested_deadline
    with time_machine.travel(_at(requested + timedelta(days=1)), tick=False):
        with pytest.raises(InvalidTransition):
            act(hazard, A.APPROVE_EXTENSION, users.principal_a)
        # Refusing it is still possible.
        hazard = act(hazard, A.REFUSE_EXTENSION, users.principal_a)
    assert hazard.extensions.get().status == "refused"


def test_the_principals_own_request_goes_to_the_sector_regulator(users, sites):
    hazard = _rectifying(users, sites)
    hazard = act(hazard, A.REQUEST_EXTENSION, users.principal_a)
    other_principal = UserFactory(
        role=Role.ENTERPRISE_PRINCIPAL, organisation=users.officer_a.organisation
    )
    for party in (users.principal_a, other_principal):
        assert A.APPROVE_EXTENSION not in allowed_actions(hazard=hazard, actor=party)
        with pytest.raises(PermissionDenied):
            act(hazard, A.APPROVE_EXTENSION, party)
    assert A.APPROVE_EXTENSION in allowed_actions(hazard=hazard, actor=users.inspector_a)
    hazard = act(hazard, A.APPROVE_EXTENSION, users.inspector_a)
    assert hazard.deadline == hazard.extensions.get().requested_deadline


def test_an_officers_request_stays_with_the_principal(users, sites):
    hazard = _rectifying(users, sites, pending_extension=True)
    with pytest.raises(TransitionNotAllowed):
        act(hazard, A.APPROVE_EXTENSION, users.inspector_a)
    act(hazard, A.APPROVE_EXTENSION, users.principal_a)


def test_a_grid_workers_request_goes_to_the_safety_committee_office(users, sites):
    hazard = hazard_in_state(
        status=S.RECTIFYING,
        grade=G,
        site=sites.house,
        responsible=users.grid,
        regulator=users.manager_a,
    )
    hazard = act(hazard, A.REQUEST_EXTENSION, users.grid)
    colleague = UserFactory(role=Role.GRID_WORKER, organisation=users.grid.organisation)
    with pytest.raises(TransitionNotAllowed):
        act(hazard, A.APPROVE_EXTENSION, colleague)
    with pytest.raises(TransitionNotAllowed):
        act(hazard, A.APPROVE_EXTENSION, users.manager_b)  # Shenzhen: out of scope
    hazard = act(hazard, A.APPROVE_EXTENSION, users.manager_a)
    assert hazard.extensions.get().decided_by_id == users.manager_a.pk


def test_a_late_extension_never_erases_the_days_overdue(users, sites):
    with time_machine.travel(_at(date(2026, 3, 1)), tick=False):
        hazard = _rectifying(users, sites)
        deadline = hazard.deadline
    with time_machine.travel(_at(deadline - timedelta(days=1)), tick=False):
        hazard = act(
            hazard,
            A.REQUEST_EXTENSION,
            users.officer_a,
            data={"requested_deadline": deadline + timedelta(days=30)},
        )
    with time_machine.travel(_at(deadline + timedelta(days=5)), tick=False):
        assert hazard_days_overdue(Hazard.objects.get(pk=hazard.pk)) == 5
        hazard = act(hazard, A.APPROVE_EXTENSION, users.principal_a)
        assert not Hazard.objects.filter(overdue_q(), pk=hazard.pk).exists()
    with time_machine.travel(_at(deadline + timedelta(days=6)), tick=False):
        assert hazard_days_overdue(hazard) == 5
        event = hazard.events.order_by("-seq").first()
        assert event.changes["past_overdue_days"] == [0, 5]


# --- voiding --------------------------------------------------------------------------------


def test_an_enterprise_cannot_void_a_hazard_a_regulator_recorded(users, sites):
    hazard = record(sites.plant_a, users.inspector_a)
    for party in (users.officer_a, users.principal_a):
        assert A.VOID not in allowed_actions(hazard=hazard, actor=party)
        with pytest.raises(TransitionNotAllowed):
            act(hazard, A.VOID, party)
    with pytest.raises(Invalid):
        act(hazard, A.VOID, users.manager_a, comment="")
    hazard = act(hazard, A.VOID, users.manager_a, comment="重复录入")
    assert hazard.status == S.VOIDED
    # The enterprise still voids what it recorded itself.
    assert act(record(sites.plant_a, users.officer_a), A.VOID, users.officer_a).status == S.VOIDED


# --- the major plan's approval --------------------------------------------------------------


def test_a_major_hazards_plan_waits_for_the_principals_approval(users, sites):
    hazard = record(sites.plant_a, users.officer_a, M)
    hazard = act(hazard, A.PLAN, users.officer_a)
    assert hazard.status == S.PLAN_PENDING
    with pytest.raises(InvalidTransition):
        act(hazard, A.SUBMIT, users.officer_a)
    with pytest.raises(TransitionNotAllowed):
        act(hazard, A.APPROVE_PLAN, users.officer_a)
    hazard = act(hazard, A.RETURN_PLAN, users.principal_a, comment="资金不足，重新编制")
    assert hazard.status == S.RECORDED and not hazard.plans.filter(closed_at__isnull=True)
    hazard = act(hazard, A.PLAN, users.officer_a)
    hazard = act(hazard, A.APPROVE_PLAN, users.principal_a)
    assert hazard.status == S.RECTIFYING
    assert act(hazard, A.SUBMIT, users.officer_a).status == S.SUBMITTED


def test_a_general_hazards_plan_starts_rectification_at_once(users, sites):
    hazard = act(record(sites.plant_a, users.officer_a), A.PLAN, users.officer_a)
    assert hazard.status == S.RECTIFYING


# --- interim measures -----------------------------------------------------------------------


def test_interim_measures_can_be_updated_while_the_hazard_is_open(users, sites):
    hazard = _rectifying(users, sites, M)
    version = hazard.version
    hazard = act(
        hazard,
        A.UPDATE_INTERIM,
        users.officer_a,
        data={"interim_measures": ["stopped_wholly"], "interim_note": "全面停产"},
    )
    assert (hazard.status, hazard.version) == (S.RECTIFYING, version)
    assert hazard.interim_measures == ["stopped_wholly"] and hazard.interim_note == "全面停产"
    with pytest.raises(Invalid):  # a major hazard keeps at least one measure
        act(hazard, A.UPDATE_INTERIM, users.officer_a, data={"interim_measures": []})


# --- regrading ------------------------------------------------------------------------------


def test_a_regulator_regrades_and_the_hazard_takes_the_new_path(users, sites):
    hazard = record(sites.plant_a, users.officer_a)
    with pytest.raises(TransitionNotAllowed):
        act(hazard, A.REGRADE, users.officer_a)
    with pytest.raises(Invalid):
        act(hazard, A.REGRADE, users.inspector_a, data={"grade": M, "clause": ""})
    version = hazard.version
    hazard = act(
        hazard,
        A.REGRADE,
        users.inspector_a,
        comment="储罐区报警失效且涉及重点监管工艺",
        data={"grade": M, "clause": "危险化学品重大隐患判定标准 第十一条"},
    )
    assert (hazard.grade, hazard.version) == (M, version + 1)
    assert hazard.grade_basis == "危险化学品重大隐患判定标准 第十一条"
    event = hazard.events.order_by("-seq").first()
    assert event.changes["grade"] == [G, M] and event.reason
    # From now on the major path: the plan waits for approval, the enterprise cannot accept.
    hazard = act(hazard, A.PLAN, users.officer_a)
    assert hazard.status == S.PLAN_PENDING


def test_a_regulator_in_another_area_cannot_regrade(users, sites):
    hazard = record(sites.plant_a, users.officer_a)
    with pytest.raises(TransitionNotAllowed):
        act(hazard, A.REGRADE, users.manager_b, data={"grade": M, "clause": "第十一条"})


# --- overdue, awaiting acceptance, review overdue ------------------------------------------


def test_an_unplanned_hazard_is_overdue_the_day_after_its_deadline(users, sites):
    with time_machine.travel(_at(date(2026, 3, 1)), tick=False):
        hazard = record(sites.plant_a, users.officer_a)
    deadline = hazard.deadline
    with time_machine.travel(_at(deadline, 23), tick=False):
        assert not Hazard.objects.filter(overdue_q(), pk=hazard.pk).exists()
    with time_machine.travel(_at(deadline + timedelta(days=1), 1), tick=False):
        assert Hazard.objects.filter(overdue_q(), pk=hazard.pk).exists()
        assert hazard_days_overdue(hazard) == 1


def test_submitted_on_time_with_a_late_review_is_review_overdue_not_overdue(client, users, sites):
    with time_machine.travel(_at(date(2026, 3, 1)), tick=False):
        hazard = _rectifying(users, sites, M)
        deadline = hazard.deadline
    submitted_on = deadline - timedelta(days=2)
    with time_machine.travel(_at(submitted_on), tick=False):
        hazard = act(hazard, A.SUBMIT, users.officer_a)
    assert hazard.review_due == submitted_on + timedelta(days=10)
    with time_machine.travel(_at(hazard.review_due + timedelta(days=1)), tick=False):
        assert deadline < hazard.review_due  # the deadline has long passed too
        found = Hazard.objects.filter(pk=hazard.pk)
        assert not found.filter(overdue_q()).exists()
        assert found.filter(awaiting_acceptance_q()).exists()
        assert found.filter(review_overdue_q()).exists()
        totals = ledger_totals(hazard_list(user=users.inspector_a))
        assert (totals["overdue"], totals["review_overdue"]) == (0, 1)
        client.force_login(users.inspector_a)
        url = reverse("hazards:hazard-list")
        assert [h.pk for h in client.get(url, {"review_overdue": "1"}).context["object_list"]] == [
            hazard.pk
        ]
        assert list(client.get(url, {"overdue": "1"}).context["object_list"]) == []
        sections = {
            s.key: s for s in client.get(reverse("hazards:hazard-queue")).context["sections"]
        }
        assert [h.pk for h in sections["review_overdue"].hazards] == [hazard.pk]
        assert "overdue" not in sections or sections["overdue"].total == 0


def test_a_late_submission_keeps_the_days_it_was_overdue(users, sites):
    with time_machine.travel(_at(date(2026, 3, 1)), tick=False):
        hazard = _rectifying(users, sites)
        deadline = hazard.deadline
    with time_machine.travel(_at(deadline + timedelta(days=3)), tick=False):
        hazard = act(hazard, A.SUBMIT, users.officer_a)
    with time_machine.travel(_at(deadline + timedelta(days=20)), tick=False):
        assert not Hazard.objects.filter(overdue_q(), pk=hazard.pk).exists()
        assert hazard_days_overdue(hazard) == 3


# --- notice to the workforce ----------------------------------------------------------------


def test_notice_of_a_major_hazard_to_the_workforce_is_recorded(users, sites):
    hazard = record(sites.plant_a, users.officer_a, M)
    version = hazard.version
    with pytest.raises(Invalid):
        act(
            hazard,
            A.NOTIFY_WORKFORCE,
            users.officer_a,
            data={"notified_on": hazard.found_on + timedelta(days=400), "method": "meeting"},
        )
    hazard = act(
        hazard,
        A.NOTIFY_WORKFORCE,
        users.officer_a,
        data={"notified_on": hazard.found_on, "method": "workers_congress"},
    )
    assert hazard.version == version
    event = hazard.events.order_by("-seq").first()
    assert event.data["method"] == "workers_congress"
    assert event.data["notified_on"] == hazard.found_on.isoformat()
    with pytest.raises(InvalidTransition):  # a general hazard has no such notice
        act(record(sites.plant_a, users.officer_a), A.NOTIFY_WORKFORCE, users.officer_a)


def test_a_hazard_a_regulator_found_is_accepted_by_a_regulator(users, sites):
    """ "Who inspects, re-checks", whatever the grade."""
    hazard = record(sites.plant_a, users.inspector_a, **hazard_data(found_by_name="检查组"))
    hazard = act(hazard, A.PLAN, users.officer_a, data=plan_data(deadline=hazard.deadline))
    hazard = act(hazard, A.SUBMIT, users.officer_a)
    for party in (users.officer_a, users.principal_a):
        assert A.ACCEPT not in allowed_actions(hazard=hazard, actor=party)
        with pytest.raises(TransitionNotAllowed):
            act(hazard, A.ACCEPT, party)
    assert act(hazard, A.ACCEPT, users.inspector_a).status == S.CLOSED
    fixed = act(record(sites.plant_a, users.inspector_a), A.FIX, users.officer_a)
    with pytest.raises(TransitionNotAllowed):
        act(fixed, A.CONFIRM, users.officer_a)
    assert act(fixed, A.CONFIRM, users.inspector_a).status == S.CLOSED
