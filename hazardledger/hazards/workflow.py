"""The hazard state machine: one table of moves, one service that applies them.

``TRANSITIONS`` maps ``(status, action)`` to the new status and to the permission (by grade)
that ``access.policy.PERMISSIONS["hazards.hazard"]`` grants to roles. A grade mapped to
``None`` means the move does not exist for that grade (a major hazard cannot be "fixed on the
spot"). Besides the role, who may act depends on the actor's side:

- enterprise and township users act only as the hazard's **responsible party**: users of the
  hazard's enterprise, or the township when the site has no responsible enterprise;
- regulators (sector departments and safety committee offices) act on hazards in their scope
  (region and sectors).

``hazard_transition`` checks all of that, validates the input, and then in one transaction
applies the move with a conditional ``UPDATE … WHERE id = … AND version = expected``, appends
the hash-chained ``HazardEvent`` and the ``AuditEvent``, and schedules follow-ups on commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hazardledger.access.scope import restrict
from hazardledger.accounts.choices import OrganisationKind
from hazardledger.audit.services import record as audit_record

from .choices import (
    EvidenceStage,
    ExtensionStatus,
    HazardAction,
    HazardGrade,
    HazardStatus,
    VoidReason,
)
from .deadlines import local_today
from .evidence import CheckedFile, check_uploads, evidence_build, evidence_discard
from .history import chain_event
from .models import Evidence, ExtensionRequest, Hazard, HazardEvent, RectificationPlan
from .policies import HAZARD_POLICY

PERMISSION_MODEL = "hazards.hazard"
S = HazardStatus
A = HazardAction


@dataclass(frozen=True)
class Transition:
    """One row of the table: from ``source`` by ``action`` to ``target``.

    ``permission`` maps each grade to the permission a role needs (``None``: not possible for
    that grade). ``reason_required`` moves refuse an empty comment; ``files_required`` ones
    need at least one evidence file.
    """

    source: str
    action: str
    target: str
    permission: dict[str, str | None]
    reason_required: bool = False
    files_required: bool = False


def _both(name: str) -> dict[str, str | None]:
    return {HazardGrade.GENERAL: name, HazardGrade.MAJOR: name}


def _by_grade(general: str | None, major: str | None) -> dict[str, str | None]:
    return {HazardGrade.GENERAL: general, HazardGrade.MAJOR: major}


TABLE: tuple[Transition, ...] = (
    Transition(S.RECORDED, A.PLAN, S.RECTIFYING, _both("plan")),
    Transition(S.REOPENED, A.PLAN, S.RECTIFYING, _both("plan")),
    Transition(S.RECORDED, A.FIX, S.FIXED, _by_grade("fix", None), True, True),
    Transition(S.FIXED, A.CONFIRM, S.CLOSED, _by_grade("accept_general", None)),
    Transition(S.FIXED, A.REJECT, S.RECORDED, _by_grade("accept_general", None), True),
    Transition(S.RECTIFYING, A.SUBMIT, S.SUBMITTED, _both("submit"), True, True),
    Transition(S.RECTIFYING, A.REQUEST_EXTENSION, S.RECTIFYING, _both("request_extension"), True),
    Transition(
        S.RECTIFYING,
        A.APPROVE_EXTENSION,
        S.RECTIFYING,
        _by_grade("decide_extension_general", "decide_extension_major"),
    ),
    Transition(
        S.RECTIFYING,
        A.REFUSE_EXTENSION,
        S.RECTIFYING,
        _by_grade("decide_extension_general", "decide_extension_major"),
        True,
    ),
    Transition(S.SUBMITTED, A.ACCEPT, S.CLOSED, _by_grade("accept_general", "accept_major")),
    Transition(
        S.SUBMITTED, A.REJECT, S.RECTIFYING, _by_grade("accept_general", "accept_major"), True
    ),
    Transition(S.RECORDED, A.VOID, S.VOIDED, _by_grade("void_general", "void_major"), True),
    Transition(S.CLOSED, A.REOPEN, S.REOPENED, _both("reopen"), True),
)
TRANSITIONS: dict[tuple[str, str], Transition] = {(t.source, t.action): t for t in TABLE}
# Actions the table knows (RECORD creates a hazard and is not a move between statuses).
WORKFLOW_ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(t.action for t in TABLE))
# Moves after which a major hazard's site may change risk level.
RISK_REFRESH_ACTIONS = {A.RECORD, A.ACCEPT, A.CONFIRM, A.VOID, A.REOPEN}


class InvalidTransition(Exception):
    """The move is not in the table for this hazard's status and grade, or its precondition
    (such as a pending extension request) does not hold. Nothing was written."""

    def __init__(self, message: Any = None) -> None:
        self.message = message or gettext_lazy(
            "This action is not possible in the hazard's current state."
        )
        super().__init__(str(self.message))


class TransitionNotAllowed(PermissionDenied):
    """The actor may not take this action on this hazard. Nothing was written."""

    def __init__(self, message: Any = None) -> None:
        self.message = message or gettext_lazy("You may not take this action on this hazard.")
        super().__init__(str(self.message))


class ConcurrentEditError(Exception):
    """The hazard changed after the actor loaded it. Nothing was written."""

    message = gettext_lazy(
        "Someone else acted on this hazard after you opened it. Nothing was saved: the page "
        "now shows its current state; check it and act again if still needed."
    )

    def __str__(self) -> str:
        return str(self.message)


# --- who may act ------------------------------------------------------------------------------


def is_responsible_party(*, actor: Any, hazard: Hazard) -> bool:
    """True when ``actor`` acts for the party that must rectify the hazard: its enterprise, or
    (for a site without a responsible enterprise) the township it lies in."""
    org = getattr(actor, "organisation", None)
    if org is None:
        return False
    if hazard.organisation_id:
        return org.pk == hazard.organisation_id
    return org.kind == OrganisationKind.TOWNSHIP and hazard.region_id.startswith(org.region_id)


def _in_scope(actor: Any, hazard: Hazard) -> bool:
    return restrict(Hazard.objects.filter(pk=hazard.pk), actor, "view").exists()


def pending_extension(hazard: Hazard) -> ExtensionRequest | None:
    return hazard.extensions.filter(status=ExtensionStatus.PENDING).first()


# The moves whose precondition is about the pending extension request.
EXTENSION_ACTIONS = frozenset({A.REQUEST_EXTENSION, A.APPROVE_EXTENSION, A.REFUSE_EXTENSION})
# ``transition_check``'s default: look the pending extension request up when it matters.
_LOOK_UP: Any = object()


def transition_check(
    *,
    hazard: Hazard,
    action: str,
    actor: Any,
    check_scope: bool = True,
    pending: ExtensionRequest | None = _LOOK_UP,
) -> Transition:
    """Return the table row for ``action`` on ``hazard`` if ``actor`` may take it now.

    Raises ``InvalidTransition`` when the move is not in the table (for this status and grade)
    or its precondition fails, and ``TransitionNotAllowed`` when the actor's role, side or
    scope does not allow it. ``check_scope=False`` skips the scope query for callers that
    fetched the hazard through scope already; ``pending`` (the hazard's pending extension
    request, or None) spares the query for callers that checked several moves.
    """
    transition = TRANSITIONS.get((hazard.status, action))
    if transition is None:
        raise InvalidTransition
    permission = transition.permission.get(hazard.grade)
    if permission is None:
        raise InvalidTransition(
            _("This action is not possible for a %(grade)s.")
            % {"grade": hazard.get_grade_display()}
        )
    if not getattr(actor, "is_authenticated", False):
        raise TransitionNotAllowed
    if not HAZARD_POLICY.user_has_permission(actor, permission):
        raise TransitionNotAllowed
    org = getattr(actor, "organisation", None)
    if org is None:
        raise TransitionNotAllowed
    # Enterprise and township users act only for the party responsible for the hazard.
    acts_for_a_party = org.kind in (OrganisationKind.ENTERPRISE, OrganisationKind.TOWNSHIP)
    if acts_for_a_party and not is_responsible_party(actor=actor, hazard=hazard):
        raise TransitionNotAllowed
    if check_scope and not _in_scope(actor, hazard):
        raise TransitionNotAllowed
    if action in EXTENSION_ACTIONS and pending is _LOOK_UP:
        pending = pending_extension(hazard)
    if action == A.REQUEST_EXTENSION:
        if hazard.deadline is None:
            raise InvalidTransition(_("The hazard has no deadline to extend."))
        if pending is not None:
            raise InvalidTransition(_("An extension request is already waiting for a decision."))
    if action in (A.APPROVE_EXTENSION, A.REFUSE_EXTENSION):
        if pending is None:
            raise InvalidTransition(_("There is no extension request waiting for a decision."))
        if pending.requested_by_id == actor.pk:
            raise TransitionNotAllowed(_("You cannot decide on your own extension request."))
    return transition


def allowed_actions(*, hazard: Hazard, actor: Any) -> list[str]:
    """The actions ``actor`` may take on ``hazard`` now (the hazard is known to be in scope).

    The pending extension request is looked up once, and only when an extension move is
    possible from the hazard's status.
    """
    candidates = [action for source, action in TRANSITIONS if source == hazard.status]
    pending = pending_extension(hazard) if EXTENSION_ACTIONS.intersection(candidates) else None
    allowed = []
    for action in candidates:
        try:
            transition_check(
                hazard=hazard, action=action, actor=actor, check_scope=False, pending=pending
            )
        except (InvalidTransition, PermissionDenied):
            continue
        allowed.append(action)
    return allowed


# --- the moves' input and effects -------------------------------------------------------------


@dataclass
class _Move:
    """Everything one move needs, built before the transaction and applied inside it."""

    hazard: Hazard
    transition: Transition
    actor: Any
    comment: str
    data: dict[str, Any]
    files: list[CheckedFile]
    now: datetime
    today: date
    updates: dict[str, Any] = field(default_factory=dict)
    event_data: dict[str, Any] = field(default_factory=dict)
    after_event: list[Callable[[HazardEvent], None]] = field(default_factory=list)


def _require(errors: dict[str, list[str]], data: dict[str, Any], name: str, message: str) -> Any:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.setdefault(name, []).append(message)
    return value.strip() if isinstance(value, str) else value


def _validate_plan(move: _Move) -> None:
    data = move.data
    errors: dict[str, list[str]] = {}
    required = _("Required for the five implementations.")
    person = _require(errors, data, "responsible_person", required)
    measures = _require(errors, data, "measures", required)
    funds = _require(errors, data, "funds", required)
    deadline = _require(errors, data, "deadline", required)
    contingency = (data.get("contingency_plan") or "").strip()
    programme = (data.get("governance_programme") or "").strip()
    if funds is not None:
        try:
            funds = Decimal(str(funds))
            if funds < 0 or not funds.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors.setdefault("funds", []).append(_("Enter an amount of yuan, zero or more."))
    if isinstance(deadline, date) and deadline < move.today:
        errors.setdefault("deadline", []).append(_("The deadline cannot be in the past."))
    if move.hazard.is_major:
        if not contingency:
            errors.setdefault("contingency_plan", []).append(
                _("A major hazard's plan must include its contingency plan.")
            )
        if not programme:
            errors.setdefault("governance_programme", []).append(
                _("A major hazard's plan must include its governance programme.")
            )
    if errors:
        raise ValidationError(errors)
    plan = {
        "responsible_unit": (data.get("responsible_unit") or "").strip(),
        "responsible_person": person,
        "measures": measures,
        "funds": funds,
        "deadline": deadline,
        "contingency_plan": contingency,
        "governance_programme": programme,
    }
    move.updates["deadline"] = deadline
    move.event_data["plan"] = plan

    def create_plan(event: HazardEvent) -> None:
        RectificationPlan.objects.create(
            hazard=move.hazard,
            region_id=move.hazard.region_id,
            created_by=move.actor,
            created_at=move.now,
            **plan,
        )

    move.after_event.append(create_plan)


def _close_plan(move: _Move) -> None:
    def close(event: HazardEvent) -> None:
        RectificationPlan.objects.filter(hazard=move.hazard, closed_at__isnull=True).update(
            closed_at=move.now
        )

    move.after_event.append(close)


def _validate_fix(move: _Move) -> None:
    move.updates["completed_at"] = move.now


def _validate_submit(move: _Move) -> None:
    move.updates["completed_at"] = move.now
    pending = pending_extension(move.hazard)
    if pending is not None:
        move.event_data["extension_withdrawn"] = pending.pk

        def withdraw(event: HazardEvent) -> None:
            ExtensionRequest.objects.filter(pk=pending.pk).update(
                status=ExtensionStatus.WITHDRAWN, decided_at=move.now
            )

        move.after_event.append(withdraw)


def _last_submitter_id(hazard: Hazard) -> int | None:
    return (
        hazard.events.filter(action__in=[A.SUBMIT, A.FIX])
        .order_by("-seq")
        .values_list("actor_id", flat=True)
        .first()
    )


def _validate_accept(move: _Move) -> None:
    move.updates.update(closed_at=move.now, accepted_by_name=move.actor.display_name[:100])
    # Allowed (the enterprise may close its own general hazards) but made visible.
    if _last_submitter_id(move.hazard) == move.actor.pk:
        move.event_data["self_accepted"] = True
    _close_plan(move)


def _validate_reject(move: _Move) -> None:
    move.updates["completed_at"] = None


def _validate_request_extension(move: _Move) -> None:
    requested = move.data.get("requested_deadline")
    current = move.hazard.deadline
    if not isinstance(requested, date):
        raise ValidationError({"requested_deadline": [_("Enter the new deadline.")]})
    if current is not None and requested <= current:
        raise ValidationError(
            {"requested_deadline": [_("The new deadline must be after the current one.")]}
        )
    assert current is not None  # transition_check made sure
    move.event_data.update(current_deadline=current, requested_deadline=requested)

    def create_request(event: HazardEvent) -> None:
        ExtensionRequest.objects.create(
            hazard=move.hazard,
            region_id=move.hazard.region_id,
            current_deadline=current,
            requested_deadline=requested,
            reason=move.comment,
            requested_by=move.actor,
            requested_by_name=move.actor.display_name[:100],
            requested_at=move.now,
        )

    move.after_event.append(create_request)


def _decide_extension(move: _Move, status: str) -> None:
    pending = pending_extension(move.hazard)
    assert pending is not None  # transition_check made sure
    move.event_data.update(
        extension=pending.pk,
        current_deadline=pending.current_deadline,
        requested_deadline=pending.requested_deadline,
    )
    if status == ExtensionStatus.APPROVED:
        move.updates["deadline"] = pending.requested_deadline

    def decide(event: HazardEvent) -> None:
        updated = ExtensionRequest.objects.filter(
            pk=pending.pk, status=ExtensionStatus.PENDING
        ).update(
            status=status,
            decided_by=move.actor,
            decided_by_name=move.actor.display_name[:100],
            decided_at=move.now,
            decision_comment=move.comment,
        )
        if updated != 1:
            raise ConcurrentEditError

    move.after_event.append(decide)


def _validate_void(move: _Move) -> None:
    reason = move.data.get("void_reason") or ""
    if reason not in VoidReason.values:
        raise ValidationError({"void_reason": [_("Say why the hazard is voided.")]})
    move.event_data["void_reason"] = reason
    duplicate_of = move.data.get("duplicate_of")
    if reason == VoidReason.DUPLICATE:
        original = (
            Hazard.objects.filter(pk=duplicate_of, site_id=move.hazard.site_id)
            .exclude(pk=move.hazard.pk)
            .first()
            if duplicate_of
            else None
        )
        if original is None:
            raise ValidationError(
                {
                    "duplicate_of": [
                        _("Give the number of the hazard at the same site it duplicates.")
                    ]
                }
            )
        move.event_data["duplicate_of"] = original.pk


def _validate_reopen(move: _Move) -> None:
    move.updates.update(closed_at=None, accepted_by_name="", completed_at=None, deadline=None)


VALIDATORS: dict[str, Callable[[_Move], None]] = {
    A.PLAN: _validate_plan,
    A.FIX: _validate_fix,
    A.CONFIRM: _validate_accept,
    A.SUBMIT: _validate_submit,
    A.ACCEPT: _validate_accept,
    A.REJECT: _validate_reject,
    A.REQUEST_EXTENSION: _validate_request_extension,
    A.APPROVE_EXTENSION: lambda move: _decide_extension(move, ExtensionStatus.APPROVED),
    A.REFUSE_EXTENSION: lambda move: _decide_extension(move, ExtensionStatus.REFUSED),
    A.VOID: _validate_void,
    A.REOPEN: _validate_reopen,
}
EVIDENCE_STAGES: dict[str, str] = {A.FIX: EvidenceStage.FIX, A.SUBMIT: EvidenceStage.FIX}


def check_files(files: Sequence[Any]) -> list[CheckedFile]:
    """``evidence.check_uploads`` for a service: its ``ValidationError`` is on ``files``."""
    try:
        return check_uploads(files)
    except ValidationError as exc:
        raise ValidationError({"files": exc.messages}) from exc


# --- applying a move --------------------------------------------------------------------------


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
) -> HazardEvent:
    """Append one event to the hazard's chain and move its anchor; write the audit entry.

    Must run inside the transaction that changed the hazard, after the conditional UPDATE
    that locked its row, with ``hazard`` freshly read (its ``history_*`` are current).
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
    return event


def refresh_site_risk_levels(site_ids: Iterable[int]) -> None:
    """Ask the risks app (when installed) to recompute these sites' risk levels."""
    if not apps.is_installed("hazardledger.risks"):
        return
    from hazardledger.registry.models import Site

    try:
        from hazardledger.risks.services import site_risk_level_refresh
    except ImportError:  # the risks app is installed but not built yet
        return
    for site in Site.objects.filter(pk__in=list(site_ids)).order_by("pk"):
        site_risk_level_refresh(site=site)


def schedule_risk_refresh(*, hazard: Hazard, action: str) -> None:
    if hazard.is_major and action in RISK_REFRESH_ACTIONS:
        site_id = hazard.site_id
        transaction.on_commit(lambda: refresh_site_risk_levels([site_id]))


def hazard_transition(
    *,
    hazard: Hazard,
    action: str,
    actor: Any,
    expected_version: int,
    comment: str = "",
    data: dict[str, Any] | None = None,
    files: Sequence[Any] = (),
) -> Hazard:
    """Apply ``action`` to ``hazard`` for ``actor``, atomically, and return the updated hazard.

    Steps:
    1. refuse a stale page: ``expected_version`` must be the hazard's version
       (``ConcurrentEditError``);
    2. look the move up and check the actor (``InvalidTransition``, ``TransitionNotAllowed``);
    3. validate the comment, the data and the files (``ValidationError``, per field);
    4. in one transaction: ``UPDATE … WHERE id = … AND version = expected AND status = …``; if
       no row matched another user won the race: ``ConcurrentEditError`` and nothing is
       written; else append the hash-chained event, the side records (plan, extension
       request, evidence) and the audit entry, and schedule the risk refresh on commit.

    Evidence files are stored before the transaction commits and removed again if it fails.
    """
    if hazard.version != expected_version:
        raise ConcurrentEditError
    transition = transition_check(hazard=hazard, action=action, actor=actor)
    comment = (comment or "").strip()
    if transition.reason_required and not comment:
        raise ValidationError({"comment": [_("Give a reason.")]})
    checked = check_files(files)
    if transition.files_required and not checked:
        raise ValidationError({"files": [_("Attach at least one photo or document as evidence.")]})
    now = timezone.now()
    move = _Move(
        hazard=hazard,
        transition=transition,
        actor=actor,
        comment=comment,
        data=dict(data or {}),
        files=checked,
        now=now,
        today=local_today(now),
    )
    VALIDATORS[action](move)
    if checked:
        move.event_data["files"] = [c.describe() for c in checked]

    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            updated = Hazard.objects.filter(
                pk=hazard.pk, version=expected_version, status=transition.source
            ).update(
                status=transition.target,
                version=F("version") + 1,
                updated_at=now,
                **move.updates,
            )
            if updated != 1:
                raise ConcurrentEditError
            fresh = Hazard.objects.get(pk=hazard.pk)
            event = history_append(
                hazard=fresh,
                action=action,
                from_status=transition.source,
                to_status=transition.target,
                actor=actor,
                at=now,
                reason=comment,
                data=move.event_data,
            )
            for step in move.after_event:
                step(event)
            for item in checked:
                evidence = evidence_build(
                    checked=item,
                    stage=EVIDENCE_STAGES.get(action, EvidenceStage.ACCEPTANCE),
                    actor=actor,
                    region_id=fresh.region_id,
                    hazard=fresh,
                    event=event,
                )
                stored.append(evidence)
                evidence.save()
            schedule_risk_refresh(hazard=fresh, action=action)
    except Exception:
        evidence_discard(stored)
        raise
    hazard.refresh_from_db()
    return hazard
