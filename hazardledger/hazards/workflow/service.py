"""``hazard_transition``: the one service that applies a workflow action."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from hazardledger.audit.services import record_build
from hazardledger.core.bulk import bulk_insert
from hazardledger.core.outbox import outbox_write_many

from ..choices import PARTY_MOVE_STATUSES
from ..deadlines import days_overdue, local_today
from ..evidence import evidence_build
from ..history import chain_event, hazard_state, state_changes
from ..models import Hazard, HazardEvent, RectificationPlan
from ..policies import HAZARD_POLICY
from .effects import Step, effect_for, hazard_outbox_event, history_append
from .errors import ConcurrentEditError, InvalidTransition, TransitionNotAllowed
from .rules import ActionInput, check_action_input, rule_for, transition_check
from .table import TRANSITIONS, Transition


def hazard_transition(
    *,
    hazard: Hazard,
    action: str,
    actor: Any,
    expected_version: int,
    comment: str = "",
    data: ActionInput | Mapping[str, Any] | None = None,
    files: Sequence[Any] = (),
) -> Hazard:
    """Apply ``action`` to ``hazard`` for ``actor`` and return the updated hazard.

    ``data`` is the action's typed input (``rules.PlanInput`` …, what the page's form builds)
    or a mapping turned into it. A plain ``transaction.atomic()`` block: inside a caller's
    transaction (an inspection's re-check) it commits or rolls back with it.

    Steps:
    1. refuse a stale page: ``expected_version`` must be the hazard's version
       (``ConcurrentEditError``);
    2. the rule: the table row, who may act, the precondition (``InvalidTransition``,
       ``TransitionNotAllowed``); then the input, the reason and the files, validated once
       (``Invalid``, per field);
    3. the effect is planned (the hazard's field updates, the event's data, side rows);
    4. in one transaction: lock the row if it still has the expected version and status (else
       another user won the race: ``ConcurrentEditError``, nothing written); update it (the
       status the move leads to for the hazard's grade; the version moves only for an action
       that bumps it; the days overdue so far kept when the deadline moves or the party hands
       the hazard over, ``_overdue_days_to_keep``); append the event with the fields that
       changed, the audit entry and the outbox event (``history_append``); write the side rows,
       the open plan's deadline (the hazard's) and the evidence rows, whose files are stored
       when the transaction commits.
    """
    if hazard.version != expected_version:
        raise ConcurrentEditError
    transition = transition_check(hazard=hazard, action=action, actor=actor)
    now = timezone.now()
    value, comment, checked = check_action_input(
        transition=transition,
        hazard=hazard,
        data=data,
        comment=comment,
        files=files,
        today=local_today(now),
    )
    step = Step(
        hazard=hazard,
        transition=transition,
        actor=actor,
        comment=comment,
        input=value,
        files=checked,
        now=now,
    )
    effect_for(action)(step)
    if checked:
        step.event_data["files"] = [c.describe() for c in checked]

    with transaction.atomic():
        before = (
            Hazard.objects.select_for_update()
            .filter(pk=hazard.pk, version=expected_version, status=transition.source)
            .first()
        )
        if before is None:
            raise ConcurrentEditError
        target = transition.target_for(before.grade)
        bumps = transition.bumps_version if step.bumps_version is None else step.bumps_version
        fields = {
            "status": target,
            "version": before.version + 1 if bumps else before.version,
            "updated_at": now,
            **step.updates,
        }
        banked = _overdue_days_to_keep(before, fields, local_today(now))
        if banked:
            fields["past_overdue_days"] = before.past_overdue_days + banked
        updated = Hazard.objects.filter(
            pk=hazard.pk, version=expected_version, status=transition.source
        ).update(**fields)
        if updated != 1:
            raise ConcurrentEditError
        after = copy.copy(before)
        for name, new in fields.items():
            setattr(after, name, new)
        event = history_append(
            hazard=after,
            action=action,
            from_status=transition.source,
            to_status=target,
            actor=actor,
            at=now,
            reason=comment,
            data=step.event_data,
            changes=state_changes(hazard_state(before), hazard_state(after)),
        )
        for write in step.after_event:
            write(event)
        if "deadline" in fields and fields["deadline"] != before.deadline:
            # The open plan's deadline is the hazard's.
            RectificationPlan.objects.filter(hazard=after, closed_at__isnull=True).update(
                deadline=fields["deadline"]
            )
        for item in checked:
            evidence_build(
                checked=item,
                stage=value.evidence_stage,
                actor=actor,
                region_id=after.region_id,
                hazard=after,
                event=event,
            ).save()
    hazard.refresh_from_db()
    return hazard


def hazard_transition_many(
    *,
    action: str,
    actor: Any,
    inputs: Mapping[int, ActionInput | Mapping[str, Any]],
    comment: str = "",
    dispatch_chunk: int = 100,
) -> dict[int, HazardEvent]:
    """Apply one action that keeps the status, leaves the version and writes nothing but its
    event (the escalation job's ``escalate``) to many hazards at once: for each hazard what
    ``hazard_transition`` writes — the hash-chained event, the moved anchor, the audit entry,
    the outbox event — with a few queries for all of them. ``inputs`` maps hazard ids to the
    action's input. Runs in the caller's transaction (a job's batch); the caller fetched the
    hazards through the actor's scope.

    Steps:
    1. the action must be such a row of the table, needing neither files nor a reason it is
       not given (else ``ValueError``: a programming error, not a user's);
    2. the hazards are locked (one query, by id); a hazard whose status the action is not
       allowed from, whose grade lacks the permission, that the actor may not take it on (the
       policy, one query per permission) or whose rule's precondition fails is left out;
    3. each input is validated (``Invalid`` for the first bad one: the caller's own inputs);
    4. each event is chained to its hazard's history in memory;
    5. the events, the anchors (and ``updated_at``), the audit entries and the outbox events
       are written with bulk statements; the outbox events are dispatched in chunks of
       ``dispatch_chunk`` when the transaction commits.

    Returns the events written, by hazard id (the hazards left out are not in it).
    """
    rule = rule_for(action)
    if rule.input.files_required or (rule.input.reason_required and not comment.strip()):
        raise ValueError(f"{action} needs files or a reason: use hazard_transition")
    if not inputs:
        return {}
    now = timezone.now()
    today = local_today(now)
    hazards = list(
        Hazard.objects.select_for_update()
        .filter(pk__in=list(inputs))
        .only(*_MANY_COLUMNS)
        .order_by("pk")
    )
    rows: list[tuple[Hazard, Transition, str]] = []
    for hazard in hazards:
        transition = TRANSITIONS.get((hazard.status, action))
        if transition is None:
            continue
        if transition.bumps_version or not transition.keeps_status:
            raise ValueError(f"{action} changes the status or the version: use hazard_transition")
        permission = transition.permission.get(hazard.grade)
        if permission is not None:
            rows.append((hazard, transition, permission))
    allowed: set[int] = set()
    for permission in {permission for _h, _t, permission in rows}:
        ids = [h.pk for h, _t, p in rows if p == permission]
        allowed |= set(
            HAZARD_POLICY.instances_user_has_permission_for(actor, permission)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
    events: dict[int, HazardEvent] = {}
    audit: list[Any] = []
    outbox: list[Any] = []
    for hazard, transition, _permission in rows:
        if hazard.pk not in allowed:
            continue
        if rule.precondition is not None:
            try:
                rule.precondition(hazard, actor, None)
            except (InvalidTransition, TransitionNotAllowed):
                continue
        value, checked_comment, _files = check_action_input(
            transition=transition,
            hazard=hazard,
            data=inputs[hazard.pk],
            comment=comment,
            files=(),
            today=today,
        )
        step = Step(
            hazard=hazard,
            transition=transition,
            actor=actor,
            comment=checked_comment,
            input=value,
            files=[],
            now=now,
        )
        effect_for(action)(step)
        if step.updates or step.after_event or step.bumps_version:
            raise ValueError(f"{action} writes more than its event: use hazard_transition")
        status = hazard.status
        event = chain_event(
            hazard=hazard,
            action=action,
            from_status=status,
            to_status=status,
            actor=actor,
            at=now,
            reason=checked_comment,
            data=step.event_data,
            changes={},
        )
        hazard.updated_at = now
        events[hazard.pk] = event
        audit.append(
            record_build(
                actor=actor,
                action=f"hazards.hazard.{action}",
                obj=hazard,
                before={"status": status},
                after={"status": status, "version": hazard.version},
                data={
                    "event": event.seq,
                    "hash": event.hash,
                    "reason": checked_comment,
                    **event.data,
                },
                at=now,
            )
        )
        outbox.append(
            hazard_outbox_event(
                hazard=hazard, event=event, actor=actor, from_status=status, to_status=status
            )
        )
    if not events:
        return {}
    # The events and the audit entries need no keys back: streamed (COPY on PostgreSQL).
    bulk_insert(list(events.values()))
    _anchors_update([h for h in hazards if h.pk in events], now)
    bulk_insert(audit)
    outbox_write_many(outbox, chunk=dispatch_chunk)
    return events


# What writing an event that changes no field reads of a hazard: its scope and site (the
# event, the outbox event), status and grade (the table), the anchors (the chain), the
# description (the audit entry's name of it), the version, and what the policy's narrowing
# of workflow actions reads (who found it, who it is assigned to).
_MANY_COLUMNS = (
    "id",
    "status",
    "grade",
    "region",
    "sector",
    "organisation",
    "site",
    "description",
    "version",
    "history_seq",
    "history_head",
    "regulator_found",
    "assignee",
)


def _anchors_update(hazards: Sequence[Hazard], now: Any) -> None:
    """Move the anchors (and ``updated_at``) of many hazards with one statement per thousand:
    ``UPDATE … SET history_seq = CASE id WHEN … END, history_head = CASE id WHEN … END``."""
    table = Hazard._meta.db_table
    for start in range(0, len(hazards), 1000):
        chunk = hazards[start : start + 1000]
        seq_cases = " ".join("WHEN %s THEN %s" for _ in chunk)
        head_cases = " ".join("WHEN %s THEN %s" for _ in chunk)
        ids = ", ".join("%s" for _ in chunk)
        params: list[Any] = []
        for hazard in chunk:
            params += [hazard.pk, hazard.history_seq]
        for hazard in chunk:
            params += [hazard.pk, hazard.history_head]
        params.append(now)
        params += [hazard.pk for hazard in chunk]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET history_seq = CASE id {seq_cases} END,"  # noqa: S608
                f" history_head = CASE id {head_cases} END, updated_at = %s WHERE id IN ({ids})",
                params,
            )


def _overdue_days_to_keep(before: Hazard, fields: Mapping[str, Any], today: Any) -> int:
    """The days the hazard has been overdue under its current deadline, when this step ends
    that count: the deadline moves (a late extension, an order, a listing) or rectification
    stops being the party's move (a late submission). 0 otherwise. Kept in
    ``past_overdue_days``, so that no later step erases them."""
    overdue = days_overdue(status=before.status, deadline=before.deadline, today=today)
    if not overdue:
        return 0
    moved = "deadline" in fields and fields["deadline"] != before.deadline
    handed_over = fields["status"] not in PARTY_MOVE_STATUSES
    return overdue if (moved or handed_over) else 0
