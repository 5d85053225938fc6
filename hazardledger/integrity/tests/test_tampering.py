"""Each tampering issue 10 lists, done by someone who can write to the database, after a signed
checkpoint: ``verify_history`` reports it, naming the hazard and the event.

On PostgreSQL the insider first switches off the history's append-only trigger (hazards
migration 0002), as a superuser would (``conftest.insider``). The same tests run on SQLite.
"""

from __future__ import annotations

import copy
import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from hazardledger.audit.models import AuditEvent
from hazardledger.hazards.choices import HazardAction, HazardGrade, HazardStatus
from hazardledger.hazards.history import chain_event, event_hash, hazard_state, state_changes
from hazardledger.hazards.models import (
    Evidence,
    ExtensionRequest,
    Hazard,
    HazardEvent,
    RectificationPlan,
)
from hazardledger.hazards.tests.factories import act, png_upload
from hazardledger.integrity.services import checkpoint_create

from .conftest import insider, verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "signing_key")]

PROOF = "proof: checkpoint #1 of test-county"


@pytest.fixture
def checkpointed(ledger):
    """The ledger, with checkpoint #1 taken after it; the ledger verifies."""
    taken = checkpoint_create()
    assert taken.created and taken.checkpoint.number == 1
    passed, _out, err = verify()
    assert passed, err
    return ledger


def _rehash(events: list[HazardEvent], start: int) -> None:
    """Recompute the hashes from ``events[start]`` on, each after the one before (what a
    forger who knows the algorithm does), and write them."""
    for index in range(start, len(events)):
        event = events[index]
        event.prev_hash = events[index - 1].hash if index else "0" * 64
        event.hash = event_hash(event)
    with insider():
        # Far-off hashes first, so that the unique hash column never holds one twice.
        for event in events[start:]:
            HazardEvent.objects.filter(pk=event.pk).update(hash=f"{event.pk:064d}")
        for event in events[start:]:
            HazardEvent.objects.filter(pk=event.pk).update(
                seq=event.seq,
                reason=event.reason,
                data=event.data,
                changes=event.changes,
                prev_hash=event.prev_hash,
                hash=event.hash,
            )


def _move_anchor(hazard: Hazard, events: list[HazardEvent], **fields) -> None:
    Hazard.objects.filter(pk=hazard.pk).update(
        history_seq=events[-1].seq, history_head=events[-1].hash, **fields
    )


def test_forged_event_appended_with_correct_hash_and_anchor_moved(checkpointed, users):
    """A reopening nobody did: a correct hash, the anchor and the status moved with it (the
    state replays consistently). No audit entry records it."""
    hazard = Hazard.objects.get(pk=checkpointed.closed.pk)
    after = copy.copy(hazard)
    after.status = HazardStatus.REOPENED
    forged = chain_event(
        hazard=hazard,
        action=HazardAction.REOPEN,
        from_status=HazardStatus.CLOSED,
        to_status=HazardStatus.REOPENED,
        actor=users.inspector_a,
        at=timezone.now(),
        reason="复查发现问题",
        changes=state_changes(hazard_state(Hazard.objects.get(pk=hazard.pk)), hazard_state(after)),
    )
    with insider():
        forged.save(force_insert=True)
        Hazard.objects.filter(pk=hazard.pk).update(
            status=HazardStatus.REOPENED,
            history_seq=hazard.history_seq,
            history_head=hazard.history_head,
        )
    passed, _out, err = verify()
    assert not passed
    assert (
        f"hazard {hazard.pk} event 5 (id {forged.pk}): has no entry in the audit trail: it was "
        "added behind the application's back" in err
    )


def test_event_edited_with_later_hashes_and_anchor_recomputed(checkpointed):
    """The plan's event gets another reason; events 2–4 re-hashed, the anchor moved."""
    hazard = checkpointed.closed
    events = list(hazard.events.order_by("seq"))
    events[1].reason = "改写的理由"
    _rehash(events, 1)
    _move_anchor(hazard, events)
    passed, _out, err = verify()
    assert not passed
    assert (
        f"hazard {hazard.pk} event 4 (id {events[3].pk}): is not the event the checkpoint holds "
        "at this number: the history up to it was rewritten" in err
    )
    assert (
        f"hazard {hazard.pk} event 2 (id {events[1].pk}): differs from the event the audit " in err
    )
    assert "[proof: audit trail sealed in checkpoint #1 of test-county" in err
    assert f"hazard {hazard.pk}: events 3, 4 also differ from the audit trail" in err


def test_last_event_deleted_and_anchor_and_status_moved_back(checkpointed):
    """The acceptance deleted; anchor, status, closing fields and the plan moved back, so the
    state replays consistently with the shortened history."""
    hazard = checkpointed.closed
    events = list(hazard.events.order_by("seq"))
    with insider():
        Evidence.objects.filter(event=events[3]).delete()
        HazardEvent.objects.filter(pk=events[3].pk).delete()
        _move_anchor(
            hazard,
            events[:3],
            status=HazardStatus.SUBMITTED,
            closed_at=None,
            accepted_by_name="",
        )
        RectificationPlan.objects.filter(hazard=hazard).update(closed_at=None)
    passed, _out, err = verify()
    assert not passed
    assert (
        f"hazard {hazard.pk} event 4: missing: the history ends at event 3, but the checkpoint "
        f"holds 4 events (events were deleted" in err
    )
    assert f"[{PROOF}" in err
    assert f"hazard {hazard.pk} event 4: is missing: the audit trail records event 4" in err


def test_forged_event_inserted_mid_chain_and_the_rest_renumbered_and_rehashed(checkpointed, users):
    """An interim-measures event slipped in as number 2; 2–4 become 3–5, all re-hashed."""
    hazard = checkpointed.closed
    events = list(hazard.events.order_by("seq"))
    with insider():
        for event in reversed(events[1:]):
            event.seq += 1
            HazardEvent.objects.filter(pk=event.pk).update(seq=event.seq)
    head = copy.copy(hazard)
    head.history_seq, head.history_head = 1, events[0].hash
    inserted = chain_event(
        hazard=head,
        action=HazardAction.UPDATE_INTERIM,
        from_status=HazardStatus.RECORDED,
        to_status=HazardStatus.RECORDED,
        actor=users.officer_a,
        at=events[0].created_at + timedelta(minutes=1),
        reason="已设置警示标志",
    )
    with insider():
        inserted.save(force_insert=True)
    chain = [events[0], inserted, *events[1:]]
    _rehash(chain, 2)
    _move_anchor(hazard, chain)
    passed, _out, err = verify()
    assert not passed
    assert (
        f"hazard {hazard.pk} event 4 (id {events[2].pk}): is not the event the checkpoint holds"
        in err
    )
    assert (
        f"hazard {hazard.pk} event 2 (id {inserted.pk}): differs from the event the audit trail "
        "recorded" in err
    )


def test_status_moved_from_closed_to_rectifying_without_an_event(checkpointed):
    hazard = checkpointed.closed
    with insider():
        Hazard.objects.filter(pk=hazard.pk).update(status=HazardStatus.RECTIFYING)
    passed, _out, err = verify()
    assert not passed
    assert (
        f"hazard {hazard.pk}: status is rectifying, but its history says closed (event 4): "
        f"changed without an event [{PROOF}" in err
    )
    assert "attests events 1–4]" in err


def test_major_hazard_turned_general_with_a_new_description_without_an_event(checkpointed):
    hazard = checkpointed.major
    with insider():
        Hazard.objects.filter(pk=hazard.pk).update(
            grade=HazardGrade.GENERAL, grade_basis="", description="地面少量油污"
        )
    passed, _out, err = verify()
    assert not passed
    assert f"hazard {hazard.pk}: grade is general, but its history says major (event 1)" in err
    assert f"hazard {hazard.pk}: description is 地面少量油污, but its history says" in err
    assert f"hazard {hazard.pk}: grade_basis is —, but its history says" in err


def test_plan_funds_changed(checkpointed):
    hazard = checkpointed.major
    plan = hazard.plans.get()
    plan_event = hazard.events.get(action=HazardAction.PLAN)
    with insider():
        RectificationPlan.objects.filter(pk=plan.pk).update(funds=Decimal("500.00"))
    passed, _out, err = verify()
    assert not passed
    assert (
        f"hazard {hazard.pk} event {plan_event.seq} (id {plan_event.pk}): its plan (plan {plan.pk})"
        " has funds 500.00, but the history says 12000.00" in err
    )


def test_evidence_row_repointed_to_another_file_with_a_new_hash(checkpointed):
    hazard = checkpointed.closed
    evidence = Evidence.objects.get(hazard=hazard, original_name="after.png")
    other = png_upload("other.png", colour="blue").read()
    name = default_storage.save("hazards/evidence/forged.png", ContentFile(other))
    with insider():
        Evidence.objects.filter(pk=evidence.pk).update(
            file=name,
            sha256=hashlib.sha256(other).hexdigest(),
            original_sha256=hashlib.sha256(other).hexdigest(),
            size=len(other),
        )
    passed, _out, err = verify()
    assert not passed
    event = evidence.event
    assert (
        f"hazard {hazard.pk} event {event.seq} (id {event.pk}): evidence {evidence.pk} "
        "(“after.png”) differs from the file this event recorded: hash" in err
    )


def test_hazard_deleted_with_its_events_and_audit_entries(checkpointed):
    hazard = checkpointed.closed
    with insider():
        Evidence.objects.filter(hazard=hazard).delete()
        ExtensionRequest.objects.filter(hazard=hazard).delete()
        RectificationPlan.objects.filter(hazard=hazard).delete()
        HazardEvent.objects.filter(hazard=hazard).delete()
        Hazard.objects.filter(pk=hazard.pk).delete()
        AuditEvent.objects.filter(object_type="hazards.hazard", object_id=str(hazard.pk)).delete()
    passed, _out, err = verify()
    assert not passed
    assert (
        f"hazard {hazard.pk}: is missing: the checkpoint holds this hazard with 4 events "
        f"(deleted, with its history) [{PROOF}" in err
    )
    # The audit trail's chain shows the entries deleted before the checkpoint too.
    assert "is missing from the chain (deleted)" in err or "are missing from the chain" in err


def test_an_intact_ledger_after_more_work_still_verifies(checkpointed, users):
    """Work done through the application after the checkpoint is not a problem."""
    act(checkpointed.major, HazardAction.SUBMIT, users.officer_a)
    passed, out, err = verify()
    assert passed, err
    assert "1 events are newer than the checkpoint" in out


def test_a_consistent_change_after_the_last_checkpoint_is_not_detectable(checkpointed, users):
    """The limit docs/integrity.md states: an insider who, after the last checkpoint, appends
    an event with its audit entry and moves the state to match leaves nothing to detect. (The
    next checkpoint would sign it as genuine.)"""
    hazard = Hazard.objects.get(pk=checkpointed.major.pk)
    after = copy.copy(hazard)
    after.interim_note = "伪造的临时措施"
    forged = chain_event(
        hazard=hazard,
        action=HazardAction.UPDATE_INTERIM,
        from_status=hazard.status,
        to_status=hazard.status,
        actor=users.officer_a,
        at=timezone.now(),
        changes=state_changes(hazard_state(Hazard.objects.get(pk=hazard.pk)), hazard_state(after)),
    )
    with insider():
        forged.save(force_insert=True)
        Hazard.objects.filter(pk=hazard.pk).update(
            interim_note=after.interim_note,
            history_seq=hazard.history_seq,
            history_head=hazard.history_head,
        )
        AuditEvent.objects.create(
            created_at=forged.created_at,
            action="hazards.hazard.update_interim",
            object_type="hazards.hazard",
            object_id=str(hazard.pk),
            data={"event": forged.seq, "hash": forged.hash},
        )
    passed, _out, err = verify()
    assert passed, err
