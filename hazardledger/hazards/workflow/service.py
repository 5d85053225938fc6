"""``hazard_transition``: the one service that applies a workflow action."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..choices import PARTY_MOVE_STATUSES
from ..deadlines import days_overdue, local_today
from ..evidence import evidence_build
from ..history import hazard_state, state_changes
from ..models import Hazard, RectificationPlan
from .effects import Step, effect_for, history_append
from .errors import ConcurrentEditError
from .rules import ActionInput, check_action_input, transition_check


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
