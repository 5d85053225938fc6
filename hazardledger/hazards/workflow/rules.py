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
from hazardledger.registry.choices import SiteKind

from ..choices import (
    ESCALATING_STEPS,
    EscalationReason,
    EscalationStepName,
    Evaluator,
    EvidenceStage,
    ExtensionStatus,
    HazardAction,
    HazardCategory,
    HazardGrade,
    HazardSource,
    InterimMeasure,
    ListingLevel,
    ProductionStop,
    SignOff,
    VoidReason,
    WorkforceNotice,
)
from ..deadlines import local_today
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


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "on", "yes"}
    return bool(value)


def _date_errors(
    errors: dict[str, list[str]], name: str, value: date | None, today: date, *, required: bool
) -> None:
    """A date that must be given (when ``required``) and not be in the past."""
    if value is None:
        if required:
            errors.setdefault(name, []).append(_("Enter the new deadline."))
    elif value < today:
        errors.setdefault(name, []).append(_("The deadline cannot be in the past."))


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


# Fields of the five implementations (五落实) every plan needs (the deadline is the hazard's
# unless the plan shortens it; the responsible person may be chosen as a user instead); a
# major hazard's plan also needs its contingency plan and governance programme.
PLAN_REQUIRED = ("responsible_person", "measures", "funds")
PLAN_MAJOR_REQUIRED = ("contingency_plan", "governance_programme")


@dataclass(frozen=True)
class PlanInput(ActionInput):
    """The rectification plan with its five implementations. ``responsible_user`` is a user
    of the hazard's enterprise (the hazard is then in their queue); ``responsible_person`` the
    name of someone without an account. ``deadline`` may shorten the hazard's deadline, never
    extend it (that needs an extension); empty keeps it."""

    responsible_person: str = ""
    measures: str = ""
    funds: Decimal | None = field(default=None, metadata={"coerce": _optional_decimal})
    deadline: date | None = field(default=None, metadata={"coerce": _optional_date})
    responsible_unit: str = ""
    contingency_plan: str = ""
    governance_programme: str = ""
    responsible_user: int | None = field(default=None, metadata={"coerce": _optional_id})

    @staticmethod
    def required_fields(hazard: Hazard) -> tuple[str, ...]:
        """The fields a plan for this hazard must fill (the form marks them required)."""
        return PLAN_REQUIRED + (PLAN_MAJOR_REQUIRED if hazard.is_major else ())

    def assignee(self, hazard: Hazard) -> Any:
        """The responsible user, if one was chosen and is an active user of the hazard's
        enterprise; None otherwise."""
        from hazardledger.accounts.models import User

        if self.responsible_user is None or hazard.organisation_id is None:
            return None
        return User.objects.filter(
            pk=self.responsible_user, organisation_id=hazard.organisation_id, is_active=True
        ).first()

    def validate(self, *, hazard: Hazard, today: date) -> None:
        errors: dict[str, list[str]] = {}
        if self.responsible_user is not None and self.assignee(hazard) is None:
            errors.setdefault("responsible_user", []).append(
                _("Choose a user of the hazard's enterprise.")
            )
        for name in PLAN_REQUIRED:
            if name == "responsible_person" and self.responsible_user is not None:
                continue
            _required(
                errors, name, getattr(self, name), _("Required for the five implementations.")
            )
        if self.funds is not None and (not self.funds.is_finite() or self.funds < 0):
            errors.setdefault("funds", []).append(_("Enter an amount of yuan, zero or more."))
        if self.deadline is not None and self.deadline < today:
            errors.setdefault("deadline", []).append(_("The deadline cannot be in the past."))
        elif self.deadline is not None and hazard.deadline and self.deadline > hazard.deadline:
            errors.setdefault("deadline", []).append(
                _("A plan may shorten the deadline, not extend it: request an extension.")
            )
        if self.deadline is None and hazard.deadline is None:
            errors.setdefault("deadline", []).append(_("Required for the five implementations."))
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

    def plan_fields(self, hazard: Hazard) -> dict[str, Any]:
        """The ``RectificationPlan`` columns (after ``validate``): the deadline is the plan's
        or the hazard's, the person's name the chosen user's when there is one."""
        user = self.assignee(hazard)
        return {
            "responsible_unit": self.responsible_unit,
            "responsible_person": (user.display_name[:100] if user else self.responsible_person),
            "responsible_user_id": user.pk if user else None,
            "measures": self.measures,
            "funds": self.funds,
            "deadline": self.deadline or hazard.deadline,
            "contingency_plan": self.contingency_plan,
            "governance_programme": self.governance_programme,
        }


@dataclass(frozen=True)
class FixInput(ActionInput):
    """Fixed on the spot: what was done (the comment) and evidence files."""

    reason_required: ClassVar[bool] = True
    files_required: ClassVar[bool] = True
    evidence_stage: ClassVar[str] = EvidenceStage.FIX


def needs_evaluation(hazard: Hazard) -> bool:
    """True for a major hazard listed for supervision or under a production stop: submitting
    it is the application to resume, with the evaluation attached (domain.md 4.4)."""
    return hazard.is_major and (
        bool(hazard.listing_level) or hazard.production_stop != ProductionStop.NONE
    )


def is_coal_mine(hazard: Hazard) -> bool:
    return bool(hazard.site.kind == SiteKind.COAL_MINE)


@dataclass(frozen=True)
class SubmitInput(FixInput):
    """Submitted for acceptance: what was done and evidence files. For a listed or
    production-stopped major hazard, the application to resume: who evaluated the
    rectification (``evaluator``; a third-party body by its name, ``evaluation_body``), the
    report among the files."""

    evaluator: str = ""
    evaluation_body: str = ""

    def validate(self, *, hazard: Hazard, today: date) -> None:
        if not needs_evaluation(hazard):
            return
        errors: dict[str, list[str]] = {}
        if self.evaluator not in Evaluator.values:
            errors["evaluator"] = [_("Say who evaluated the rectification.")]
        elif self.evaluator == Evaluator.THIRD_PARTY and not self.evaluation_body:
            errors["evaluation_body"] = [_("Give the name of the safety evaluation body.")]
        if errors:
            raise Invalid(errors)


@dataclass(frozen=True)
class ReasonInput(ActionInput):
    """An action that must say why (reject, reopen, refuse an extension)."""

    reason_required: ClassVar[bool] = True


@dataclass(frozen=True)
class RejectInput(ReasonInput):
    """Rejected: why; the new deadline when the current one has passed; for a major hazard,
    whether a stop order goes with it (``stop_production``: production stops wholly)."""

    deadline: date | None = field(default=None, metadata={"coerce": _optional_date})
    stop_production: bool = field(default=False, metadata={"coerce": _bool})

    def validate(self, *, hazard: Hazard, today: date) -> None:
        errors: dict[str, list[str]] = {}
        passed = hazard.deadline is not None and hazard.deadline < today
        _date_errors(errors, "deadline", self.deadline, today, required=passed)
        if self.stop_production and not hazard.is_major:
            errors["stop_production"] = [_("A stop order is for a major hazard.")]
        if errors:
            raise Invalid(errors)


@dataclass(frozen=True)
class ReopenInput(ReasonInput):
    """Reopened: why, and the new deadline the regulator sets."""

    deadline: date | None = field(default=None, metadata={"coerce": _optional_date})

    def validate(self, *, hazard: Hazard, today: date) -> None:
        errors: dict[str, list[str]] = {}
        _date_errors(errors, "deadline", self.deadline, today, required=True)
        if errors:
            raise Invalid(errors)


@dataclass(frozen=True)
class InterimInput(ActionInput):
    """The interim measures as they now are."""

    interim_measures: tuple[str, ...] = field(default=(), metadata={"coerce": _strings})
    interim_note: str = ""

    def validate(self, *, hazard: Hazard, today: date) -> None:
        if any(m not in InterimMeasure.values for m in self.interim_measures):
            raise Invalid({"interim_measures": [_("Unknown interim measure.")]})
        if hazard.is_major and not self.interim_measures:
            raise Invalid(
                {"interim_measures": [_("Record the interim measures taken for a major hazard.")]}
            )


@dataclass(frozen=True)
class RegradeInput(ReasonInput):
    """A new grade, with the clause it rests on (the reason says why)."""

    grade: str = ""
    clause: str = ""

    def validate(self, *, hazard: Hazard, today: date) -> None:
        errors: dict[str, list[str]] = {}
        if self.grade not in HazardGrade.values or self.grade == hazard.grade:
            errors["grade"] = [_("Choose the other grade.")]
        elif self.grade == HazardGrade.GENERAL and hazard.listing_level:
            errors["grade"] = [_("A hazard listed for supervision is delisted first.")]
        if not self.clause:
            errors["clause"] = [_("Give the clause of the determination standard.")]
        if errors:
            raise Invalid(errors)


@dataclass(frozen=True)
class NotifyWorkforceInput(ActionInput):
    """The notice of a major hazard to the workforce (Work Safety Law Art. 41): when, how."""

    notified_on: date | None = field(default=None, metadata={"coerce": _optional_date})
    method: str = ""

    def validate(self, *, hazard: Hazard, today: date) -> None:
        errors: dict[str, list[str]] = {}
        if self.notified_on is None:
            errors["notified_on"] = [_("Enter the date.")]
        elif self.notified_on > today:
            errors["notified_on"] = [_("The date cannot be in the future.")]
        if self.method not in WorkforceNotice.values:
            errors["method"] = [_("Say how the workforce was told.")]
        if errors:
            raise Invalid(errors)


@dataclass(frozen=True)
class SignOffInput(ActionInput):
    """One of a coal mine's further sign-offs of a major hazard's acceptance: which, who
    (name and post), when, and the signed file."""

    files_required: ClassVar[bool] = True
    kind: str = ""
    name: str = ""
    post: str = ""
    signed_on: date | None = field(default=None, metadata={"coerce": _optional_date})

    def validate(self, *, hazard: Hazard, today: date) -> None:
        errors: dict[str, list[str]] = {}
        if self.kind not in SignOff.values:
            errors["kind"] = [_("Choose the sign-off.")]
        for name in ("name", "post"):
            _required(errors, name, getattr(self, name), _("This field is required."))
        if self.signed_on is None:
            errors["signed_on"] = [_("Enter the date.")]
        elif self.signed_on > today:
            errors["signed_on"] = [_("The date cannot be in the future.")]
        if errors:
            raise Invalid(errors)


@dataclass(frozen=True)
class OrderInput(ActionInput):
    """A rectification order names the hazard (the supervision app): the order, its number
    and the deadline it sets."""

    order_id: int | None = field(default=None, metadata={"coerce": _optional_id})
    document_number: str = ""
    deadline: date | None = field(default=None, metadata={"coerce": _optional_date})

    def validate(self, *, hazard: Hazard, today: date) -> None:
        errors: dict[str, list[str]] = {}
        _required(errors, "order_id", self.order_id, _("This field is required."))
        _required(errors, "document_number", self.document_number, _("This field is required."))
        _date_errors(errors, "deadline", self.deadline, today, required=True)
        if errors:
            raise Invalid(errors)


@dataclass(frozen=True)
class ListInput(ActionInput):
    """A major hazard listed for supervision (the supervision app): the listing, its level,
    body and number, the required completion date (the new deadline) and the production
    stop."""

    listing_id: int | None = field(default=None, metadata={"coerce": _optional_id})
    level: str = ""
    body: str = ""
    document_number: str = ""
    required_by: date | None = field(default=None, metadata={"coerce": _optional_date})
    stop: str = ProductionStop.NONE

    def validate(self, *, hazard: Hazard, today: date) -> None:
        errors: dict[str, list[str]] = {}
        for name in ("listing_id", "body", "document_number"):
            _required(errors, name, getattr(self, name), _("This field is required."))
        if self.level not in ListingLevel.values:
            errors["level"] = [_("Choose the listing level.")]
        if self.stop not in ProductionStop.values:
            errors["stop"] = [_("Choose the production stop.")]
        _date_errors(errors, "required_by", self.required_by, today, required=True)
        if errors:
            raise Invalid(errors)


@dataclass(frozen=True)
class DelistInput(ActionInput):
    """A closed hazard delisted (the supervision app): the listing and the document."""

    listing_id: int | None = field(default=None, metadata={"coerce": _optional_id})
    document_number: str = ""

    def validate(self, *, hazard: Hazard, today: date) -> None:
        errors: dict[str, list[str]] = {}
        for name in ("listing_id", "document_number"):
            _required(errors, name, getattr(self, name), _("This field is required."))
        if errors:
            raise Invalid(errors)


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


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise Invalid({name: [_("Enter a whole number.")]})
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid({name: [_("Enter a whole number.")]}) from None


def _region_code_errors(errors: dict[str, list[str]], value: str) -> None:
    from hazardledger.regions.selectors import is_valid_code

    if not is_valid_code(value):
        errors["region_code"] = [_("Give the division code of the level.")]


@dataclass(frozen=True)
class EscalateInput(ActionInput):
    """A step of the escalation job (the responsibility app, issue 14): which step, why, the
    division of the level that receives it and the days past the deadline (negative before
    it)."""

    step: str = ""
    reason: str = ""
    region_code: str = ""
    days: int = field(default=0, metadata={"coerce": _int})

    def validate(self, *, hazard: Hazard, today: date) -> None:
        errors: dict[str, list[str]] = {}
        if self.step not in EscalationStepName.values:
            errors["step"] = [_("Unknown escalation step.")]
        if self.reason not in EscalationReason.values:
            errors["reason"] = [_("Unknown escalation reason.")]
        _region_code_errors(errors, self.region_code)
        if abs(self.days) > 36500:
            errors["days"] = [_("Enter a whole number.")]
        if errors:
            raise Invalid(errors)


# The longest message an official may send when urging.
URGE_MESSAGE_MAX = 500


@dataclass(frozen=True)
class UrgeInput(ActionInput):
    """An official urges (催办) the responsible parties of an escalated hazard (the
    responsibility app): the message and the division of the official's level."""

    message: str = ""
    region_code: str = ""

    def validate(self, *, hazard: Hazard, today: date) -> None:
        errors: dict[str, list[str]] = {}
        if not self.message:
            errors["message"] = [_("Write the message to the responsible parties.")]
        elif len(self.message) > URGE_MESSAGE_MAX:
            errors["message"] = [
                _("At most %(n)d characters.") % {"n": URGE_MESSAGE_MAX},
            ]
        _region_code_errors(errors, self.region_code)
        if errors:
            raise Invalid(errors)


# --- preconditions ----------------------------------------------------------------------------


def pending_extension(hazard: Hazard) -> ExtensionRequest | None:
    """The hazard's extension request waiting for a decision, or None."""
    return hazard.extensions.filter(status=ExtensionStatus.PENDING).first()


def _can_request_extension(hazard: Hazard, actor: Any, pending: ExtensionRequest | None) -> None:
    if hazard.deadline is None:
        raise InvalidTransition(_("The hazard has no deadline to extend."))
    if pending is not None:
        raise InvalidTransition(_("An extension request is already waiting for a decision."))
    if hazard.deadline < local_today():
        raise InvalidTransition(_("An extension must be requested before the deadline."))


def _can_decide_extension(hazard: Hazard, actor: Any, pending: ExtensionRequest | None) -> None:
    if pending is None:
        raise InvalidTransition(_("There is no extension request waiting for a decision."))
    if pending.requested_by_id == actor.pk:
        raise TransitionNotAllowed(_("You cannot decide on your own extension request."))
    if hazard.grade == HazardGrade.GENERAL and not HAZARD_POLICY.may_decide_general_extension(
        actor, pending.requested_by_role
    ):
        # A request by one who would decide it went up (``policies.EXTENSION_ESCALATION``).
        raise TransitionNotAllowed


def _can_approve_extension(hazard: Hazard, actor: Any, pending: ExtensionRequest | None) -> None:
    _can_decide_extension(hazard, actor, pending)
    assert pending is not None
    if pending.requested_deadline < local_today():
        raise InvalidTransition(
            _("The requested deadline has passed: refuse the request, or set a new deadline.")
        )


def _can_sign_off(hazard: Hazard, actor: Any, pending: ExtensionRequest | None) -> None:
    if not is_coal_mine(hazard):
        raise InvalidTransition(_("Further sign-offs are recorded for coal mines only."))


def signed_off(hazard: Hazard) -> set[str]:
    """The kinds of sign-off recorded since the hazard was last submitted."""
    last_submit = (
        hazard.events.filter(action=A.SUBMIT).order_by("-seq").values_list("seq", flat=True).first()
    )
    if last_submit is None:
        return set()
    rows = hazard.events.filter(action=A.SIGN_OFF, seq__gt=last_submit).values_list(
        "data", flat=True
    )
    return {row.get("kind", "") for row in rows}


def _can_accept(hazard: Hazard, actor: Any, pending: ExtensionRequest | None) -> None:
    """A coal mine's major hazard is accepted only with all three further sign-offs."""
    if hazard.is_major and is_coal_mine(hazard):
        missing = set(SignOff.values) - signed_off(hazard)
        if missing:
            labels = ", ".join(
                str(SignOff(kind).label) for kind in SignOff.values if kind in missing
            )
            raise InvalidTransition(
                _("A coal mine's major hazard needs these sign-offs first: %(missing)s.")
                % {"missing": labels}
            )


def escalated_region_codes(hazard: Hazard) -> set[str]:
    """The divisions the hazard was escalated to (its ``escalate`` events of the county, city
    or province step)."""
    rows = hazard.events.filter(action=A.ESCALATE).values_list("data", flat=True)
    return {
        str(row.get("region_code", ""))
        for row in rows
        if isinstance(row, dict) and row.get("step") in ESCALATING_STEPS
    }


def _can_urge(hazard: Hazard, actor: Any, pending: ExtensionRequest | None) -> None:
    """Only the levels a hazard was escalated to urge it: the official's division is one the
    hazard reached, or above one (a higher level may always step in)."""
    from hazardledger.regions.selectors import is_under

    organisation = getattr(actor, "organisation", None)
    own = str(getattr(organisation, "region_id", "") or "")
    reached = escalated_region_codes(hazard)
    if not own or not any(is_under(code, own) for code in reached):
        raise InvalidTransition(_("Only a level the hazard was escalated to can urge it."))


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
    A.APPROVE_PLAN: Rule(ActionInput),
    A.RETURN_PLAN: Rule(ReasonInput),
    A.FIX: Rule(FixInput),
    A.CONFIRM: Rule(ActionInput),
    A.SUBMIT: Rule(SubmitInput),
    A.ACCEPT: Rule(ActionInput, precondition=_can_accept),
    A.REJECT: Rule(RejectInput),
    A.REQUEST_EXTENSION: Rule(
        RequestExtensionInput, precondition=_can_request_extension, needs_pending=True
    ),
    A.APPROVE_EXTENSION: Rule(
        ActionInput,
        precondition=_can_approve_extension,
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
    A.REOPEN: Rule(ReopenInput),
    A.UPDATE_INTERIM: Rule(InterimInput),
    A.REGRADE: Rule(RegradeInput),
    A.NOTIFY_WORKFORCE: Rule(NotifyWorkforceInput),
    A.SIGN_OFF: Rule(SignOffInput, precondition=_can_sign_off),
    A.ORDER: Rule(OrderInput),
    A.LIST: Rule(ListInput),
    A.DELIST: Rule(DelistInput),
    A.ESCALATE: Rule(EscalateInput),
    A.URGE: Rule(UrgeInput, precondition=_can_urge),
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
    # Set by a regulator; empty: the default for the grade (``deadlines.default_deadline``).
    deadline: date | None = field(default=None, metadata={"coerce": _optional_date})

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
        if self.deadline is not None and self.deadline < today:
            errors.setdefault("deadline", []).append(_("The deadline cannot be in the past."))
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
        """The ``Hazard`` columns this input sets (after ``validate``); the deadline is the
        recording service's to decide."""
        values = {spec.name: getattr(self, spec.name) for spec in fields(self)}
        values["interim_measures"] = list(self.interim_measures)
        del values["deadline"]
        return values
