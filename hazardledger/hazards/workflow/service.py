"""``hazard_transition``: the one service that applies a workflow action."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..deadlines import local_today
from ..evidence import evidence_build
from ..history import hazard_state, state_changes
from ..models import Hazard
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
       version moves only for an action that bumps it); append the event with the fields that
       changed, the audit entry and the outbox event (``history_append``); write the side rows
       and the evidence rows, whose files are stored when the transaction commits.
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
        fields = {
            "status": transition.target,
            "version": before.version + 1 if transition.bumps_version else before.version,
            "updated_at": now,
            **step.updates,
        }
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
            to_status=transition.target,
            actor=actor,
            at=now,
            reason=comment,
            data=step.event_data,
            changes=state_changes(hazard_state(before), hazard_state(after)),
        )
        for write in step.after_event:
            write(event)
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
