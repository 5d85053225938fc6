"""The workflow's rules: what each action needs as input, who may take it, and when.

- **Input**: one typed, frozen dataclass per action (``PlanInput``, ``VoidInput`` …), built by
  the page's form from its cleaned data (or from a plain mapping by ``action_input`` for
  callers such as other apps and tests) and validated once, here (``validate``), with every
  problem on its field (``Invalid``). Whether the action needs a reason or evidence files is
  the input's too (``reason_required``, ``files_required``), so forms and the service read one
  answer.
- **Who**: the hazard's permission policy (``policies.HAZARD_POLICY``) for the permission the
  table names for the hazard's grade: the role, and for enterprise and township users, being
  the hazard's responsible party; regulators act in their scope.
- **When**: the table (``table.TRANSITIONS``) for the status and grade, and the action's
  precondition (``Rule.precondition``: a pending extension request, a deadline to extend).

``HazardInput`` is the rule of recording a hazard (the first event), shared by the record
page, quick-report triage and other apps' services.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from hazardledger.core.errors import Invalid

from ..choices import (
    EvidenceStage,
    ExtensionStatus,
    HazardAction,
    HazardCategory,
    HazardGrade,
    HazardSource,
    InterimMeasure,
    VoidReason,
)
from ..evidence import CheckedFile, check_uploads
from ..models import ExtensionRequest, Hazard
from ..policies import HAZARD_POLICY
from .errors import InvalidTransition, TransitionNotAllowed
from .table import TRANSITIONS, Transition, candidate_actions

A = HazardAction
InputT = TypeVar("InputT", bound="ActionInput")


# --- turning untyped values into typed ones ---------------------------------------------------


def _text(value: Any, name: str) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _optional_date(value: Any, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        parsed = parse_date(value) if isinstance(value, str) else None
    except ValueError:  # well formed but no such day, e.g. 2026-02-30
        parsed = None
    if parsed is None:
        raise Invalid({name: [_("Enter a valid date.")]})
    return parsed


def _optional_decimal(value: Any, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise Invalid({name: [_("Enter an amount of yuan, zero or more.")]}) from None


def _optional_id(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid({name: [_("Enter a whole number.")]}) from None


def _strings(value: Any, name: str) -> tuple[str, ...]:
    return tuple(str(item) for item in (value or ()))


def _read_fields(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    """The values of ``data`` for the dataclass ``cls``'s fields it has, each turned into its
    type by the field's ``coerce`` (text by default); missing fields keep their defaults."""
    values = {}
    for spec in fields(cls):
        if spec.name in data:
            coerce = spec.metadata.get("coerce", _text)
            values[spec.name] = coerce(data[spec.name], spec.name)
    return values


@dataclass(frozen=True)
class ActionInput:
    """The input of an action without fields of its own (accept, confirm, approve …).

    Subclasses add typed fields; ``from_data`` builds one from a mapping (text stripped,
    dates and amounts parsed; a value that cannot be read is an ``Invalid`` on its field),
    ``validate`` checks it against the hazard, raising ``Invalid`` with every problem.
    """

    reason_required: ClassVar[bool] = False
    files_required: ClassVar[bool] = False
    # Where the files the action attaches are filed.
    evidence_stage: ClassVar[str] = EvidenceStage.ACCEPTANCE

    @classmethod
    def from_data(cls: type[InputT], data: Mapping[str, Any] | None) -> InputT:
        return cls(**_read_fields(cls, data or {}))

    def validate(self, *, hazard: Hazard, today: date) -> None:
        """Raise ``Invalid`` ({field: [messages]}) when the input does not fit the hazard."""


def _required(errors: dict[str, list[str]], name: str, value: Any, message: str) -> None:
    if value is None or (isinstance(value, str) and not value):
        errors.setdefault(name, []).append(message)


# Fields of the five implementations (五落实) every plan needs; a major hazard's plan also
# needs its contingency plan and governance programme.
PLAN_REQUIRED = ("responsible_person", "measures", "funds", "deadline")
PLAN_MAJOR_REQUIRED = ("contingency_plan", "governance_programme")


@dataclass(frozen=True)
class PlanInput(ActionInput):
    """The rectification plan with its five implementations."""

    responsible_person: str = ""
    measures: str = ""
    funds: Decimal | None = field(default=None, metadata={"coerce": _optional_decimal})
    deadline: date | None = field(default=None, metadata={"coerce": _optional_date})
    responsible_unit: str = ""
    contingency_plan: str = ""
    governance_programme: str = ""

    @staticmethod
    def required_fields(hazard: Hazard) -> tuple[str, ...]:
        """The fields a plan for this hazard must fill (the form marks them required)."""
        return PLAN_REQUIRED + (PLAN_MAJOR_REQUIRED if hazard.is_major else ())

    def validate(self, *, hazard: Hazard, today: date) -> None:
        errors: dict[str, list[str]] = {}
        for name in PLAN_REQUIRED:
            _required(
                errors, name, getattr(self, name), _("Required for the five implementations.")
            )
        if self.funds is not None and (not self.funds.is_finite() or self.funds < 0):
            errors.setdefault("funds", []).append(_("Enter an amount of yuan, zero or more."))
        if self.deadline is not None and self.deadline < today:
            errors.setdefault("deadline", []).append(_("The deadline cannot be in the past."))
        if hazard.is_major:
            if not self.contingency_plan:
                errors.setdefault("contingency_plan", []).append(
                    _("A major hazard's plan must include its contingency plan.")
                )
            if not self.governance_programme:
                errors.setdefault("governance_programme", []).append(
                    _("A major hazard's plan must include its governance programme.")
                )
        if errors:
            raise Invalid(errors)

    def plan_fields(self) -> dict[str, Any]:
        """The ``RectificationPlan`` columns (after ``validate``)."""
        return {
            "responsible_unit": self.responsible_unit,
            "responsible_person": self.responsible_person,
            "measures": self.measures,
            "funds": self.funds,
            "deadline": self.deadline,
            "contingency_plan": self.contingency_plan,
            "governance_programme": self.governance_programme,
        }


@dataclass(frozen=True)
class FixInput(ActionInput):
    """Fixed on the spot: what was done (the comment) and evidence files."""

    reason_required: ClassVar[bool] = True
    files_required: ClassVar[bool] = True
    evidence_stage: ClassVar[str] = EvidenceStage.FIX


@dataclass(frozen=True)
class SubmitInput(FixInput):
    """Submitted for acceptance: what was done and evidence files."""


@dataclass(frozen=True)
class ReasonInput(ActionInput):
    """An action that must say why (reject, reopen, refuse an extension)."""

    reason_required: ClassVar[bool] = True


@dataclass(frozen=True)
class RequestExtensionInput(ReasonInput):
    """A later deadline, and why."""

    requested_deadline: date | None = field(default=None, metadata={"coerce": _optional_date})

    def validate(self, *, hazard: Hazard, today: date) -> None:
        if self.requested_deadline is None:
            raise Invalid({"requested_deadline": [_("Enter the new deadline.")]})
        if hazard.deadline is not None and self.requested_deadline <= hazard.deadline:
            raise Invalid(
                {"requested_deadline": [_("The new deadline must be after the current one.")]}
            )


@dataclass(frozen=True)
class VoidInput(ReasonInput):
    """Why the hazard is voided; a duplicate names the original at the same site."""

    void_reason: str = ""
    duplicate_of: int | None = field(default=None, metadata={"coerce": _optional_id})

    def validate(self, *, hazard: Hazard, today: date) -> None:
        if self.void_reason not in VoidReason.values:
            raise Invalid({"void_reason": [_("Say why the hazard is voided.")]})
        if self.void_reason != VoidReason.DUPLICATE:
            return
        if not self.duplicate_of:
            raise Invalid({"duplicate_of": [_("Give the number of the hazard it duplicates.")]})
        original = (
            Hazard.objects.filter(pk=self.duplicate_of, site_id=hazard.site_id)
            .exclude(pk=hazard.pk)
            .exists()
        )
        if not original:
            message = _("Give the number of the hazard at the same site it duplicates.")
            raise Invalid({"duplicate_of": [message]})


# --- preconditions ----------------------------------------------------------------------------


def pending_extension(hazard: Hazard) -> ExtensionRequest | None:
    """The hazard's extension request waiting for a decision, or None."""
    return hazard.extensions.filter(status=ExtensionStatus.PENDING).first()


def _can_request_extension(hazard: Hazard, actor: Any, pending: ExtensionRequest | None) -> None:
    if hazard.deadline is None:
        raise InvalidTransition(_("The hazard has no deadline to extend."))
    if pending is not None:
        raise InvalidTransition(_("An extension request is already waiting for a decision."))


def _can_decide_extension(hazard: Hazard, actor: Any, pending: ExtensionRequest | None) -> None:
    if pending is None:
        raise InvalidTransition(_("There is no extension request waiting for a decision."))
    if pending.requested_by_id == actor.pk:
        raise TransitionNotAllowed(_("You cannot decide on your own extension request."))


def _decidable_extensions(user: Any) -> Q:
    """Hazards with a pending request someone else made (the queue's view of the
    precondition of deciding one)."""
    return Q(extensions__status=ExtensionStatus.PENDING) & ~Q(extensions__requested_by_id=user.pk)


Precondition = Callable[[Hazard, Any, ExtensionRequest | None], None]


@dataclass(frozen=True)
class Rule:
    """An action's rule: its input type, its precondition (raising ``InvalidTransition`` or
    ``TransitionNotAllowed``; given the pending extension request when ``needs_pending``), and
    the same precondition as a filter for the work queue (``queue_q(user)``), if it has one."""

    input: type[ActionInput]
    precondition: Precondition | None = None
    needs_pending: bool = False
    queue_q: Callable[[Any], Q] | None = None


RULES: dict[str, Rule] = {
    A.PLAN: Rule(PlanInput),
    A.FIX: Rule(FixInput),
    A.CONFIRM: Rule(ActionInput),
    A.SUBMIT: Rule(SubmitInput),
    A.ACCEPT: Rule(ActionInput),
    A.REJECT: Rule(ReasonInput),
    A.REQUEST_EXTENSION: Rule(
        RequestExtensionInput, precondition=_can_request_extension, needs_pending=True
    ),
    A.APPROVE_EXTENSION: Rule(
        ActionInput,
        precondition=_can_decide_extension,
        needs_pending=True,
        queue_q=_decidable_extensions,
    ),
    A.REFUSE_EXTENSION: Rule(
        ReasonInput,
        precondition=_can_decide_extension,
        needs_pending=True,
        queue_q=_decidable_extensions,
    ),
    A.VOID: Rule(VoidInput),
    A.REOPEN: Rule(ReasonInput),
}


def rule_for(action: str) -> Rule:
    """The rule of ``action``; ``KeyError`` for an action without one (a table row without
    its rule is a programming error that a test catches)."""
    return RULES[action]


def action_input(action: str, data: ActionInput | Mapping[str, Any] | None) -> ActionInput:
    """``data`` as the action's typed input: an input of the right type as it is, a mapping
    (or None) read by ``from_data``. Raises ``Invalid`` for values that cannot be read and
    ``TypeError`` for an input of another action."""
    expected = rule_for(action).input
    if isinstance(data, ActionInput):
        if type(data) is not expected:
            raise TypeError(f"{action} takes {expected.__name__}, not {type(data).__name__}")
        return data
    return expected.from_data(data)


# --- who may act, and when --------------------------------------------------------------------

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

    Raises ``InvalidTransition`` when the action is not in the table (for this status and
    grade) or its precondition fails, and ``TransitionNotAllowed`` when the policy does not
    let the actor take it on this hazard. ``check_scope=False`` is for callers that fetched the
    hazard through the actor's scope (no query then); ``pending`` (the hazard's pending
    extension request, or None) spares the query for callers that checked several actions.
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
    if check_scope:
        allowed = HAZARD_POLICY.user_has_permission_for_instance(actor, permission, hazard)
    else:
        allowed = HAZARD_POLICY.user_has_permission_for_visible_instance(actor, permission, hazard)
    if not allowed:
        raise TransitionNotAllowed
    rule = rule_for(action)
    if rule.precondition is not None:
        if pending is _LOOK_UP:
            pending = pending_extension(hazard) if rule.needs_pending else None
        rule.precondition(hazard, actor, pending)
    return transition


def allowed_actions(*, hazard: Hazard, actor: Any) -> list[str]:
    """The actions ``actor`` may take on ``hazard`` now (the hazard is known to be in scope).

    The pending extension request is looked up once, and only when an action possible from
    the hazard's status has a precondition about it.
    """
    candidates = candidate_actions(hazard.status)
    needs_pending = any(rule_for(action).needs_pending for action in candidates)
    pending = pending_extension(hazard) if needs_pending else None
    allowed = []
    for action in candidates:
        try:
            transition_check(
                hazard=hazard, action=action, actor=actor, check_scope=False, pending=pending
            )
        except (InvalidTransition, TransitionNotAllowed):
            continue
        allowed.append(action)
    return allowed


def check_files(files: Sequence[Any]) -> list[CheckedFile]:
    """``evidence.check_uploads`` for a service: its problems are an ``Invalid`` on
    ``files``."""
    try:
        return check_uploads(files)
    except ValidationError as exc:
        raise Invalid({"files": exc.messages}) from exc


def check_action_input(
    *,
    transition: Transition,
    hazard: Hazard,
    data: ActionInput | Mapping[str, Any] | None,
    comment: str,
    files: Sequence[Any],
    today: date,
) -> tuple[ActionInput, str, list[CheckedFile]]:
    """Validate everything an action was given, once: the reason (when the rule needs one),
    the files (each checked by content; at least one when the rule needs evidence) and the
    typed input against the hazard. Returns ``(input, comment, checked files)``; raises
    ``Invalid`` on the first kind of problem found."""
    value = action_input(transition.action, data)
    comment = (comment or "").strip()
    if value.reason_required and not comment:
        raise Invalid({"comment": [_("Give a reason.")]})
    checked = check_files(files)
    if value.files_required and not checked:
        raise Invalid({"files": [_("Attach at least one photo or document as evidence.")]})
    value.validate(hazard=hazard, today=today)
    return value, comment, checked


# --- recording a hazard -----------------------------------------------------------------------


@dataclass(frozen=True)
class HazardInput:
    """What recording a hazard takes (the record page, quick-report triage, an inspection's
    finding): typed, validated once by ``validate``."""

    location: str = ""
    description: str = ""
    category: str = ""
    grade: str = ""
    grade_basis: str = ""
    source: str = ""
    found_on: date | None = field(default=None, metadata={"coerce": _optional_date})
    found_by_name: str = ""
    interim_measures: tuple[str, ...] = field(default=(), metadata={"coerce": _strings})
    interim_note: str = ""

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | HazardInput) -> HazardInput:
        """``data`` as the typed input (an input as it is)."""
        if isinstance(data, HazardInput):
            return data
        return cls(**_read_fields(cls, data))

    def validate(self, *, today: date) -> None:
        """Raise ``Invalid`` with every problem: required text, known category, grade and
        source, a date found not in the future; a major hazard's basis and interim
        measures."""
        errors: dict[str, list[str]] = {}
        for name in ("location", "description"):
            _required(errors, name, getattr(self, name), _("This field is required."))
        if self.category not in HazardCategory.values:
            errors.setdefault("category", []).append(_("Choose a category."))
        if self.grade not in HazardGrade.values:
            errors.setdefault("grade", []).append(_("Choose the grade."))
        if self.source not in HazardSource.values:
            errors.setdefault("source", []).append(_("Choose the source."))
        if self.found_on is None:
            errors.setdefault("found_on", []).append(_("Enter the date it was found."))
        elif self.found_on > today:
            errors.setdefault("found_on", []).append(_("The date found cannot be in the future."))
        if any(m not in InterimMeasure.values for m in self.interim_measures):
            errors.setdefault("interim_measures", []).append(_("Unknown interim measure."))
        if self.grade == HazardGrade.MAJOR:
            if not self.grade_basis:
                errors.setdefault("grade_basis", []).append(
                    _("A major hazard needs its basis: the clause of the determination standard.")
                )
            if not self.interim_measures:
                errors.setdefault("interim_measures", []).append(
                    _("Record the interim measures taken for a major hazard.")
                )
        if errors:
            raise Invalid(errors)

    def hazard_fields(self) -> dict[str, Any]:
        """The ``Hazard`` columns this input sets (after ``validate``)."""
        values = {spec.name: getattr(self, spec.name) for spec in fields(self)}
        values["interim_measures"] = list(self.interim_measures)
        return values
