"""The workflow's effects: what an action writes once its rule let it through.

Every action, recording included, appends one hash-chained ``HazardEvent`` that carries the
fields it changed, and in the same transaction the ``AuditEvent`` and one outbox event
(``history_append``, the one place events are appended). Besides the hazard's own fields,
actions write side rows: the rectification plan, the extension request and its decision,
evidence files (stored when the transaction commits). ``EFFECTS`` names each action's: a
function that fills a ``Step`` with the hazard's field updates, the event's data and what to
write once the event exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from hazardledger.audit.services import record as audit_record
from hazardledger.core.models import OutboxEvent
from hazardledger.core.outbox import outbox_build, outbox_write_many

from ..choices import ExtensionStatus, HazardAction, HazardGrade, ProductionStop, VoidReason
from ..deadlines import local_today, review_due_date
from ..evidence import CheckedFile
from ..history import chain_event
from ..models import ExtensionRequest, Hazard, HazardEvent, RectificationPlan
from .errors import ConcurrentEditError
from .rules import (
    ActionInput,
    DelistInput,
    EscalateInput,
    InterimInput,
    ListInput,
    NotifyWorkforceInput,
    OrderInput,
    PlanInput,
    RegradeInput,
    RejectInput,
    ReopenInput,
    RequestExtensionInput,
    SignOffInput,
    SubmitInput,
    UrgeInput,
    VoidInput,
    is_coal_mine,
    needs_evaluation,
    pending_extension,
)
from .table import Transition

A = HazardAction


def history_append(
    *,
    hazard: Hazard,
    action: str,
    from_status: str,
    to_status: str,
    actor: Any,
    at: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> HazardEvent:
    """Append one event to the hazard's chain and move its anchor; write the audit entry and
    the outbox event ``hazards.hazard.<action>``.

    Must run inside the transaction that changed the hazard, after its row was locked, with
    ``hazard`` as it now is (its ``history_*`` current). ``changes`` are the fields the step
    changed (``history.state_changes``; every initial field for the first event). The outbox
    event's data: ``site_id``, ``grade``, ``from_status``, ``to_status`` and ``changes``, so
    handlers (the site's risk level, notifications, the change feed) need not read the hazard.
    """
    event = chain_event(
        hazard=hazard,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        at=at,
        reason=reason,
        data=data,
        changes=changes,
    )
    event.save(force_insert=True)
    Hazard.objects.filter(pk=hazard.pk).update(
        history_seq=hazard.history_seq, history_head=hazard.history_head
    )
    audit_record(
        actor=actor,
        action=f"hazards.hazard.{action}",
        obj=hazard,
        before={"status": from_status} if from_status else None,
        after={"status": to_status, "version": hazard.version},
        data={"event": event.seq, "hash": event.hash, "reason": reason, **event.data},
        at=at,
    )
    outbox_write_many(
        [
            hazard_outbox_event(
                hazard=hazard,
                event=event,
                actor=actor,
                from_status=from_status,
                to_status=to_status,
            )
        ]
    )
    return event


def hazard_outbox_event(
    *, hazard: Hazard, event: HazardEvent, actor: Any, from_status: str, to_status: str
) -> OutboxEvent:
    """The outbox event of one history event (built, not saved): topic
    ``hazards.hazard.<action>`` with the site, the grade, the move and the changed fields (and,
    for the actions in ``OUTBOX_EVENT_DATA``, those keys of the event's data)."""
    extra = {
        key: event.data[key]
        for key in OUTBOX_EVENT_DATA.get(event.action, ())
        if key in (event.data or {})
    }
    return outbox_build(
        topic=f"hazards.hazard.{event.action}",
        obj=hazard,
        actor=actor,
        data={
            "site_id": hazard.site_id,
            "grade": hazard.grade,
            "from_status": from_status,
            "to_status": to_status,
            "changes": event.changes,
            **extra,
        },
        at=event.created_at,
    )


# Actions whose outbox events also carry these keys of the event's data (issue 14: the step
# and the level an escalation reached, an urging's message), so handlers need not read the
# history.
OUTBOX_EVENT_DATA: dict[str, tuple[str, ...]] = {
    A.ESCALATE: ("step", "reason", "region_code", "days"),
    A.URGE: ("message", "region_code"),
}


@dataclass
class Step:
    """One action being applied: what its rule accepted, and what its effect will write.

    ``hazard`` is the hazard as the actor loaded it; ``updates`` are the hazard's fields the
    action sets (besides status and version); ``event_data`` goes into the event;
    ``after_event`` runs inside the transaction once the event exists (side rows);
    ``bumps_version``, when set, overrides the table's answer (an order that keeps the
    deadline).
    """

    hazard: Hazard
    transition: Transition
    actor: Any
    comment: str
    input: ActionInput
    files: list[CheckedFile]
    now: datetime
    updates: dict[str, Any] = field(default_factory=dict)
    event_data: dict[str, Any] = field(default_factory=dict)
    after_event: list[Callable[[HazardEvent], None]] = field(default_factory=list)
    bumps_version: bool | None = None


def _plan(step: Step) -> None:
    value = cast(PlanInput, step.input)
    plan = value.plan_fields(step.hazard)
    step.updates["deadline"] = plan["deadline"]
    step.updates["assignee_id"] = plan["responsible_user_id"]
    step.event_data["plan"] = plan
    hazard, actor, now = step.hazard, step.actor, step.now

    def create_plan(event: HazardEvent) -> None:
        RectificationPlan.objects.create(
            hazard=hazard, region_id=hazard.region_id, created_by=actor, created_at=now, **plan
        )

    step.after_event.append(create_plan)


def _close_plan(step: Step) -> None:
    hazard, now = step.hazard, step.now

    def close(event: HazardEvent) -> None:
        RectificationPlan.objects.filter(hazard=hazard, closed_at__isnull=True).update(
            closed_at=now
        )

    step.after_event.append(close)


def _fix(step: Step) -> None:
    step.updates["completed_at"] = step.now


def _submit(step: Step) -> None:
    step.updates["completed_at"] = step.now
    hazard = step.hazard
    if hazard.is_major:
        # The regulator's review is due within 10 days of the application (20 for a coal mine).
        step.updates["review_due"] = review_due_date(
            applied_on=local_today(step.now), coal_mine=is_coal_mine(hazard)
        )
    if needs_evaluation(hazard):
        value = cast(SubmitInput, step.input)
        step.event_data["evaluation"] = {
            "evaluator": value.evaluator,
            "body": value.evaluation_body,
        }
    pending = pending_extension(step.hazard)
    if pending is not None:
        # Submitting withdraws a request for more time: the work is done.
        step.event_data["extension_withdrawn"] = pending.pk
        now = step.now

        def withdraw(event: HazardEvent) -> None:
            ExtensionRequest.objects.filter(pk=pending.pk).update(
                status=ExtensionStatus.WITHDRAWN, decided_at=now
            )

        step.after_event.append(withdraw)


def _last_submitter_id(hazard: Hazard) -> int | None:
    return (
        hazard.events.filter(action__in=[A.SUBMIT, A.FIX])
        .order_by("-seq")
        .values_list("actor_id", flat=True)
        .first()
    )


def _accept(step: Step) -> None:
    step.updates.update(
        closed_at=step.now, accepted_by_name=step.actor.display_name[:100], review_due=None
    )
    # Allowed (the enterprise may close its own general hazards) but made visible.
    if _last_submitter_id(step.hazard) == step.actor.pk:
        step.event_data["self_accepted"] = True
    _close_plan(step)


def _reject(step: Step) -> None:
    value = cast(RejectInput, step.input)
    step.updates.update(completed_at=None, review_due=None)
    if value.deadline is not None:
        step.updates["deadline"] = value.deadline
    if value.stop_production:
        # Failing review with a stop order: production stops wholly.
        step.updates["production_stop"] = ProductionStop.WHOLE
        step.event_data["stop_order"] = True


def _request_extension(step: Step) -> None:
    requested = cast(RequestExtensionInput, step.input).requested_deadline
    current = step.hazard.deadline
    # The rule made sure of both: a requested date, and a deadline to extend.
    assert requested is not None and current is not None
    step.event_data.update(current_deadline=current, requested_deadline=requested)
    hazard, actor, now, reason = step.hazard, step.actor, step.now, step.comment

    def create_request(event: HazardEvent) -> None:
        ExtensionRequest.objects.create(
            hazard=hazard,
            region_id=hazard.region_id,
            current_deadline=current,
            requested_deadline=requested,
            reason=reason,
            requested_by=actor,
            requested_by_name=actor.display_name[:100],
            requested_by_role=actor.role or "",
            requested_at=now,
        )

    step.after_event.append(create_request)


def _decide_extension(step: Step, status: str) -> None:
    pending = pending_extension(step.hazard)
    if pending is None:  # decided by someone else since the rule looked
        raise ConcurrentEditError
    step.event_data.update(
        extension=pending.pk,
        current_deadline=pending.current_deadline,
        requested_deadline=pending.requested_deadline,
    )
    if status == ExtensionStatus.APPROVED:
        step.updates["deadline"] = pending.requested_deadline
    actor, now, comment = step.actor, step.now, step.comment

    def decide(event: HazardEvent) -> None:
        updated = ExtensionRequest.objects.filter(
            pk=pending.pk, status=ExtensionStatus.PENDING
        ).update(
            status=status,
            decided_by=actor,
            decided_by_name=actor.display_name[:100],
            decided_at=now,
            decision_comment=comment,
        )
        if updated != 1:
            raise ConcurrentEditError

    step.after_event.append(decide)


def _void(step: Step) -> None:
    value = cast(VoidInput, step.input)
    step.event_data["void_reason"] = value.void_reason
    if value.void_reason == VoidReason.DUPLICATE:
        step.event_data["duplicate_of"] = value.duplicate_of


def _reopen(step: Step) -> None:
    step.updates.update(
        closed_at=None,
        accepted_by_name="",
        completed_at=None,
        deadline=cast(ReopenInput, step.input).deadline,
    )


def _return_plan(step: Step) -> None:
    # The plan goes back to be redone: it is closed, and a new one is filed.
    step.updates["assignee_id"] = None
    _close_plan(step)


def _update_interim(step: Step) -> None:
    value = cast(InterimInput, step.input)
    step.updates.update(
        interim_measures=list(value.interim_measures), interim_note=value.interim_note
    )


def _regrade(step: Step) -> None:
    value = cast(RegradeInput, step.input)
    step.updates.update(grade=value.grade, grade_basis=value.clause)
    if value.grade == HazardGrade.MAJOR and step.hazard.reported_at is None:
        step.updates["reported_at"] = step.now
    step.event_data.update(grade=value.grade, clause=value.clause)


def _notify_workforce(step: Step) -> None:
    value = cast(NotifyWorkforceInput, step.input)
    step.event_data.update(notified_on=value.notified_on, method=value.method)


def _sign_off(step: Step) -> None:
    value = cast(SignOffInput, step.input)
    step.event_data.update(
        kind=value.kind, name=value.name, post=value.post, signed_on=value.signed_on
    )


def _order(step: Step) -> None:
    value = cast(OrderInput, step.input)
    step.event_data.update(order_id=value.order_id, document_number=value.document_number)
    step.updates["deadline"] = value.deadline
    if value.deadline == step.hazard.deadline:
        step.bumps_version = False


def _list(step: Step) -> None:
    value = cast(ListInput, step.input)
    step.updates.update(
        deadline=value.required_by, listing_level=value.level, production_stop=value.stop
    )
    step.event_data.update(
        listing_id=value.listing_id,
        level=value.level,
        body=value.body,
        document_number=value.document_number,
        required_by=value.required_by,
        stop=value.stop,
    )


def _delist(step: Step) -> None:
    value = cast(DelistInput, step.input)
    step.updates["listing_level"] = ""
    step.event_data.update(listing_id=value.listing_id, document_number=value.document_number)


def _escalate(step: Step) -> None:
    value = cast(EscalateInput, step.input)
    step.event_data.update(
        step=value.step, reason=value.reason, region_code=value.region_code, days=value.days
    )


def _urge(step: Step) -> None:
    value = cast(UrgeInput, step.input)
    step.event_data.update(message=value.message, region_code=value.region_code)


def no_effect(step: Step) -> None:
    """The effect of an action that writes nothing but its event (and the status): such an
    action needs no entry in ``EFFECTS``."""


EFFECTS: dict[str, Callable[[Step], None]] = {
    A.PLAN: _plan,
    A.FIX: _fix,
    A.CONFIRM: _accept,
    A.SUBMIT: _submit,
    A.ACCEPT: _accept,
    A.REJECT: _reject,
    A.REQUEST_EXTENSION: _request_extension,
    A.APPROVE_EXTENSION: lambda step: _decide_extension(step, ExtensionStatus.APPROVED),
    A.REFUSE_EXTENSION: lambda step: _decide_extension(step, ExtensionStatus.REFUSED),
    A.VOID: _void,
    A.REOPEN: _reopen,
    A.RETURN_PLAN: _return_plan,
    A.UPDATE_INTERIM: _update_interim,
    A.REGRADE: _regrade,
    A.NOTIFY_WORKFORCE: _notify_workforce,
    A.SIGN_OFF: _sign_off,
    A.ORDER: _order,
    A.LIST: _list,
    A.DELIST: _delist,
    A.ESCALATE: _escalate,
    A.URGE: _urge,
}


def effect_for(action: str) -> Callable[[Step], None]:
    """The effect of ``action`` (``no_effect`` for one that only records its event)."""
    return EFFECTS.get(action, no_effect)
