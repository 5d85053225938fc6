"""What a level does about a hazard escalated to it: urge the responsible parties (催办, the
workflow's ``urge`` action), order enforcement (a decision recorded now, acted on when the
enforcement app lands), or list it for supervision (the supervision app's pages; its events
mark the level's action here). Each marks the level's first action on the steps that reached
it, for the accountability view."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardledger.access.scope import restrict
from hazardledger.audit.services import record
from hazardledger.core.errors import Invalid, InvalidTransition, NotAllowed, NotFound
from hazardledger.core.outbox import outbox_write
from hazardledger.hazards.choices import OPEN_STATUSES, HazardAction
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.workflow import UrgeInput, hazard_transition
from hazardledger.hazards.workflow.rules import URGE_MESSAGE_MAX, escalated_region_codes
from hazardledger.regions.selectors import is_under

from ..choices import ActionKind, DecisionKind
from ..models import Escalation, EscalationDecision, EscalationStep
from ..policies import DECISION_POLICY

__all__ = ["escalation_decide", "hazard_urge", "level_acted", "may_act_on"]

# The longest note of a decision.
DECISION_NOTE_MAX = 1000


def may_act_on(*, actor: Any, hazard: Hazard) -> bool:
    """True when ``actor``'s body is at a level ``hazard`` was escalated to, or above one
    (the same rule as the workflow's ``urge``)."""
    organisation = getattr(actor, "organisation", None)
    own = str(getattr(organisation, "region_id", "") or "")
    return bool(own) and any(is_under(code, own) for code in escalated_region_codes(hazard))


def level_acted(*, hazard_id: int, region_code: str, kind: str, by_name: str, at: datetime) -> int:
    """Mark the first action of the level ``region_code`` on the steps of ``hazard_id`` that
    reached it before ``at`` and have none yet; return how many were marked. Idempotent."""
    return EscalationStep.objects.filter(
        hazard_id=hazard_id, region_id=region_code, acted_at__isnull=True, at__lte=at
    ).update(acted_at=at, acted_kind=kind, acted_by_name=by_name[:200])


def _who(actor: Any) -> str:
    organisation = getattr(actor, "organisation", None)
    return f"{organisation.name} · {actor.display_name}" if organisation else actor.display_name


def hazard_urge(*, actor: Any, hazard: Hazard, message: str, expected_version: int) -> Hazard:
    """Urge the responsible parties of an escalated hazard, for an official of a level it
    reached: the workflow's ``urge`` (an event in the hazard's history, the outbox event the
    notice is made from), the last urging on the hazard's escalation row (the parties' queue
    shows it) and the level's first action.

    Raises what ``hazard_transition`` raises: ``TransitionNotAllowed`` (role, scope),
    ``InvalidTransition`` (not escalated to the actor's level, or closed), ``Invalid`` (the
    message), ``ConcurrentEditError`` (a stale page)."""
    organisation = getattr(actor, "organisation", None)
    if organisation is None:
        raise NotAllowed
    message = (message or "").strip()
    with transaction.atomic():
        hazard = hazard_transition(
            hazard=hazard,
            action=HazardAction.URGE,
            actor=actor,
            expected_version=expected_version,
            data=UrgeInput(message=message, region_code=organisation.region_id),
        )
        now = timezone.now()
        who = _who(actor)
        hazard_id = hazard.pk
        Escalation.objects.filter(pk=hazard_id).update(
            urged_at=now, urged_by_name=who[:200], urged_message=message[:URGE_MESSAGE_MAX]
        )
        level_acted(
            hazard_id=hazard.pk,
            region_code=organisation.region_id,
            kind=ActionKind.URGE,
            by_name=who,
            at=now,
        )
    return hazard


def escalation_decide(*, actor: Any, hazard: Hazard, note: str) -> EscalationDecision:
    """Order enforcement on an escalated hazard, for an official of a level it reached: a
    decision recorded now (the enforcement app will act on it), its audit entry, the outbox
    event ``responsibility.escalationdecision.create`` and the level's first action.

    Raises ``NotAllowed`` for a role that may not decide, ``NotFound`` for a hazard out of
    scope, ``InvalidTransition`` for a closed hazard or one not escalated to the actor's
    level, ``Invalid`` without a note."""
    if not DECISION_POLICY.user_has_permission(actor, "decide"):
        raise NotAllowed
    note = (note or "").strip()
    if not note:
        raise Invalid({"note": [_("Say what is to be enforced, and why.")]})
    if len(note) > DECISION_NOTE_MAX:
        raise Invalid({"note": [_("At most %(n)d characters.") % {"n": DECISION_NOTE_MAX}]})
    organisation = actor.organisation
    with transaction.atomic():
        current = restrict(Hazard.objects.filter(pk=hazard.pk), actor, "view").first()
        if current is None:
            raise NotFound
        if current.status not in OPEN_STATUSES:
            raise InvalidTransition(_("The hazard is closed."))
        if not may_act_on(actor=actor, hazard=current):
            raise InvalidTransition(_("Only a level the hazard was escalated to decides on it."))
        now = timezone.now()
        decision = EscalationDecision.objects.create(
            hazard=current,
            region_id=organisation.region_id,
            sector_id=current.sector_id,
            organisation_id=current.organisation_id,
            kind=DecisionKind.ENFORCEMENT,
            note=note,
            body=organisation,
            body_name=organisation.name[:200],
            decided_by=actor,
            decided_by_name=actor.display_name[:200],
        )
        data = {"hazard_id": current.pk, "kind": decision.kind, "note": note}
        record(actor=actor, action="responsibility.decision.create", obj=decision, data=data)
        outbox_write(
            topic="responsibility.escalationdecision.create", obj=decision, actor=actor, data=data
        )
        level_acted(
            hazard_id=current.pk,
            region_code=organisation.region_id,
            kind=ActionKind.DECISION,
            by_name=_who(actor),
            at=now,
        )
    return decision
