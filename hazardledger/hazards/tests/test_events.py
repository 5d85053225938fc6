"""Every hazard change carries its changes and writes one outbox event (issue 9, item 3).

The fields each action changes are written out by hand below (the specification), not read
from the workflow's effects.
"""

from __future__ import annotations

import io
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection

from hazardledger.audit.models import AuditEvent
from hazardledger.core.models import OutboxEvent
from hazardledger.hazards.choices import HazardAction, HazardGrade, HazardStatus
from hazardledger.hazards.history import (
    event_hash,
    hazard_state,
    replay,
    state_fields,
    verify_all,
)
from hazardledger.hazards.models import Hazard, HazardEvent
from hazardledger.hazards.workflow import TABLE, allowed_actions

from .factories import act, hazard_in_state, record

pytestmark = pytest.mark.django_db

A, S = HazardAction, HazardStatus
ACTORS = ["officer_a", "principal_a", "inspector_a", "manager_a"]
# The hazard fields each action changes (besides nothing else).
CHANGED: dict[str, set[str]] = {
    A.PLAN: {"status", "deadline"},
    A.FIX: {"status", "completed_at"},
    A.CONFIRM: {"status", "closed_at", "accepted_by_name"},
    A.REJECT: {"status", "completed_at"},
    A.SUBMIT: {"status", "completed_at"},
    A.ACCEPT: {"status", "closed_at", "accepted_by_name"},
    A.VOID: {"status"},
    A.REOPEN: {"status", "closed_at", "accepted_by_name", "completed_at", "deadline"},
    A.REQUEST_EXTENSION: set(),
    A.APPROVE_EXTENSION: {"deadline"},
    A.REFUSE_EXTENSION: set(),
    A.APPROVE_PLAN: {"status"},
    A.RETURN_PLAN: {"status"},
    A.UPDATE_INTERIM: {"interim_measures", "interim_note"},
    A.NOTIFY_WORKFORCE: set(),
    A.ORDER: {"deadline"},
    A.LIST: {"deadline", "listing_level", "production_stop"},
}
# What differs by grade (issue 12): a general hazard's plan keeps the default deadline (the
# factory's plan date is the same day); a major hazard's review due date is set on submission
# and cleared by the decision; regrading to major stamps the report to the regulator.
CHANGED_BY_GRADE: dict[tuple[str, str], set[str]] = {
    (A.PLAN, HazardGrade.GENERAL): {"status"},
    (A.SUBMIT, HazardGrade.MAJOR): {"status", "completed_at", "review_due"},
    (A.ACCEPT, HazardGrade.MAJOR): {"status", "closed_at", "accepted_by_name", "review_due"},
    (A.REJECT, HazardGrade.MAJOR): {"status", "completed_at", "review_due"},
}
# Actions that need a setup of their own (a coal mine's sign-off, delisting a listed hazard,
# the escalation job's and an escalated hazard's urging) or change the grade the outbox event
# reports: test_major_acceptance.py, test_supervision_actions.py, test_workflow_fixes.py and
# the responsibility app's tests test them.
SEPARATE = {A.SIGN_OFF, A.DELIST, A.REGRADE, A.ESCALATE, A.URGE}
# Statuses a hazard of a grade never reaches (a major hazard is not fixed on the spot; a
# general hazard's plan needs no approval).
UNREACHABLE = {(S.FIXED, HazardGrade.MAJOR), (S.PLAN_PENDING, HazardGrade.GENERAL)}
CASES = [
    (transition, grade)
    for transition in TABLE
    for grade in HazardGrade.values
    if transition.permission.get(grade) is not None
    and transition.action not in SEPARATE
    and (transition.source, grade) not in UNREACHABLE
]


def expected_changes(source: str, action: str, grade: str) -> set[str]:
    if (source, action, grade) == (S.REOPENED, A.PLAN, HazardGrade.GENERAL):
        # The plan's date is before the deadline the regulator set when reopening.
        return {"status", "deadline"}
    return CHANGED_BY_GRADE.get((action, grade), CHANGED.get(action, set()))


def _case_id(case: tuple) -> str:
    transition, grade = case
    return f"{transition.source}-{transition.action}-{grade}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_every_action_writes_one_outbox_event_with_its_changes(users, sites, case):
    transition, grade = case
    hazard = hazard_in_state(
        status=transition.source,
        grade=grade,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
        pending_extension=transition.action in (A.APPROVE_EXTENSION, A.REFUSE_EXTENSION),
    )
    actor = next(
        getattr(users, name)
        for name in ACTORS
        if transition.action in allowed_actions(hazard=hazard, actor=getattr(users, name))
    )
    before = hazard_state(hazard)
    seen = set(OutboxEvent.objects.values_list("pk", flat=True))

    hazard = act(hazard, transition.action, actor)

    written = OutboxEvent.objects.exclude(pk__in=seen)
    assert written.count() == 1
    outbox = written.get()
    event = hazard.events.order_by("-seq").first()
    assert (event.action, event.format) == (transition.action, 2)
    assert set(event.changes) == expected_changes(transition.source, transition.action, grade)
    after = hazard_state(hazard)
    assert event.changes == {name: [before[name], after[name]] for name in event.changes}
    assert {name for name in after if before[name] != after[name]} == set(event.changes)
    assert outbox.topic == f"hazards.hazard.{transition.action}"
    assert (outbox.object_type, outbox.object_id) == ("hazards.hazard", str(hazard.pk))
    assert (outbox.region_code, outbox.actor_id) == (hazard.region_id, actor.pk)
    assert outbox.data == {
        "site_id": sites.plant_a.pk,
        "grade": grade,
        "from_status": transition.source,
        "to_status": transition.target_for(grade),
        "changes": event.changes,
    }


@pytest.mark.parametrize("grade", HazardGrade.values)
def test_recording_writes_every_initial_field_and_one_outbox_event(users, sites, grade):
    hazard = record(sites.plant_a, users.officer_a, grade)
    event = hazard.events.get()
    assert event.format == 2
    assert set(event.changes) == set(state_fields())
    assert {"site", "region", "sector", "organisation", "grade", "status"} <= set(event.changes)
    assert all(old is None for old, _new in event.changes.values())
    assert event.changes["grade"] == [None, grade]
    assert event.changes["site"] == [None, sites.plant_a.pk]
    outbox = OutboxEvent.objects.get()
    assert outbox.topic == "hazards.hazard.record"
    assert outbox.data["from_status"] == "" and outbox.data["to_status"] == S.RECORDED
    assert outbox.data["changes"] == event.changes


@pytest.mark.parametrize("status", [*S.values, "extended"])
def test_a_hazard_replays_from_its_chain(users, sites, status):
    """Every path of the workflow leaves a chain whose changes rebuild the hazard's fields."""
    grade = HazardGrade.GENERAL if status == S.FIXED else HazardGrade.MAJOR
    hazard = hazard_in_state(
        status=S.RECTIFYING if status == "extended" else status,
        grade=grade,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
        pending_extension=status == "extended",
    )
    if status == "extended":
        hazard = act(hazard, A.APPROVE_EXTENSION, users.inspector_a)
    hazard = Hazard.objects.get(pk=hazard.pk)
    assert replay(hazard.events.order_by("seq")) == hazard_state(hazard)


@contextmanager
def _behind_the_back():
    """Write history rows as someone with direct database access (on PostgreSQL, a superuser
    switching the append-only trigger off for the session)."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = origin")


def _format_1_hazard(users, sites) -> Hazard:
    """A hazard whose history was written before events carried their changes: its events
    rewritten as format 1 (no changes, the old hash), as an existing database holds them, with
    the audit trail's entries naming those hashes."""
    hazard = hazard_in_state(
        status=S.CLOSED,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
    )
    prev = "0" * 64
    with _behind_the_back():
        for event in hazard.events.order_by("seq"):
            event.format, event.changes, event.prev_hash = 1, {}, prev
            event.hash = event_hash(event)
            HazardEvent.objects.filter(pk=event.pk).update(
                format=1, changes={}, prev_hash=prev, hash=event.hash
            )
            AuditEvent.objects.filter(
                object_type="hazards.hazard", object_id=str(hazard.pk), data__event=event.seq
            ).update(data={"event": event.seq, "hash": event.hash})
            prev = event.hash
    Hazard.objects.filter(pk=hazard.pk).update(history_head=prev)
    return hazard


def test_format_1_chains_still_verify_and_say_so(users, sites):
    old = _format_1_hazard(users, sites)
    new = record(sites.plant_a, users.officer_a)
    out = io.StringIO()
    call_command("verify_history", stdout=out)
    text = out.getvalue()
    assert "Chain format version 1 (without changes): 4 events." in text
    assert "Chain format version 2 (with their changes): 1 events." in text
    assert "0 problem(s)" in text
    assert verify_all(hazard_ids=[old.pk, new.pk])[2] == []


def test_the_hash_covers_the_format_and_the_changes(users, sites):
    hazard = record(sites.plant_a, users.officer_a)
    event = hazard.events.get()
    altered = "altered: its content no longer matches its hash"
    with _behind_the_back():
        HazardEvent.objects.filter(pk=event.pk).update(changes={"grade": [None, "major"]})
    # (The altered changes also no longer replay to the hazard's grade.)
    assert [p.message for p in verify_all(hazard_ids=[hazard.pk])[2]] == [
        altered,
        "grade is general, but its history says major (event 1): changed without an event",
    ]
    # Passing a format 2 event off as format 1 (whose hash ignores changes) shows too.
    with _behind_the_back():
        HazardEvent.objects.filter(pk=event.pk).update(changes=event.changes, format=1)
    assert [p.message for p in verify_all(hazard_ids=[hazard.pk])[2]] == [altered]
    with _behind_the_back():
        HazardEvent.objects.filter(pk=event.pk).update(format=2)
    assert verify_all(hazard_ids=[hazard.pk])[2] == []
