"""Reads of the responsibility app, always through the user's scope: the list, the three
lines of responsibility of a hazard, the work queue's sections and the accountability view."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardledger.access.policy import is_unrestricted, policy_for
from hazardledger.access.scope import restrict
from hazardledger.accounts.choices import Role
from hazardledger.accounts.models import User
from hazardledger.hazards.choices import (
    OPEN_STATUSES,
    PARTY_MOVE_STATUSES,
    EscalationReason,
    EscalationStepName,
    HazardGrade,
)
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.policies import HAZARD_POLICY
from hazardledger.hazards.selectors import hazard_list
from hazardledger.hazards.workflow import InvalidTransition, TransitionNotAllowed, transition_check
from hazardledger.regions.models import Region
from hazardledger.regions.selectors import under_region

from .chain import Chain, Level, chain_for
from .choices import ESCALATING_STEPS, OfficialSide
from .constants import ACCOUNTABILITY_STEP_ROWS, STEPS
from .models import (
    Escalation,
    EscalationDecision,
    EscalationStep,
    ResponsibilityEntry,
    ResponsibleOfficial,
)
from .policies import DECISION_POLICY, OFFICIALS, STEP_POLICY
from .services.actions import may_act_on

__all__ = [
    "accountability",
    "entry_list",
    "escalated_notes",
    "hazard_escalation",
    "hazard_lines",
    "hazards_escalated_to",
    "hazards_urged",
    "urged_notes",
]


def entry_list(*, user: Any, action: str = "view") -> QuerySet[ResponsibilityEntry]:
    """The entries the user may ``action``, with what the list shows (officials prefetched)."""
    qs = ResponsibilityEntry.objects.select_related(
        "region", "sector", "lead_department", "escalates_to"
    ).prefetch_related(
        Prefetch("officials", queryset=ResponsibleOfficial.objects.order_by("position", "id"))
    )
    return restrict(qs, user, action)


# --- the three lines of responsibility -------------------------------------------------------


@dataclass
class EnterpriseLine:
    """The enterprise's line: its principals and the person responsible for the
    rectification (the plan's, else the enterprise's contact)."""

    name: str
    principals: list[User]
    responsible: str
    responsible_phone: str


@dataclass
class Lines:
    """The three lines of responsibility of one hazard."""

    territorial: list[Level]
    regulator: Level
    enterprise: EnterpriseLine | None
    township: str = ""


def hazard_lines(*, hazard: Hazard) -> Lines:
    """The territorial line (the township, county and city of the hazard's chain with their
    party and government officials), the sector line (the regulator and its leader) and the
    enterprise line (principals and the person responsible for the rectification), for a
    hazard the caller showed. For a site without an enterprise, the township answers as the
    responsible party. Three or four queries: the entries, their officials, the enterprise's
    principals with the plan's responsible user, and the names of levels without an entry."""
    chain: Chain = chain_for(region_code=hazard.region_id, sector=hazard.sector_id)
    territorial = [level for level in chain.levels if len(level.code) >= 4]
    enterprise = None
    organisation = hazard.organisation
    if organisation is not None:
        users = list(
            User.objects.filter(
                Q(organisation_id=organisation.pk, role=Role.ENTERPRISE_PRINCIPAL)
                | Q(pk=hazard.assignee_id or 0),
                is_active=True,
            ).order_by("pk")
        )
        principals = [u for u in users if u.role == Role.ENTERPRISE_PRINCIPAL]
        assignee = next((u for u in users if u.pk == hazard.assignee_id), None)
        responsible, phone = organisation.contact_person, organisation.contact_phone
        if assignee is not None:
            # The plan names a user as responsible for the rectification.
            responsible, phone = assignee.display_name, assignee.phone
        enterprise = EnterpriseLine(organisation.name, principals, responsible, phone)
    return Lines(territorial=territorial, regulator=chain.regulator, enterprise=enterprise)


# --- the escalation on a hazard's page -------------------------------------------------------


def hazard_escalation(*, hazard: Hazard, user: Any) -> dict[str, Any] | None:
    """The hazard's escalation as its page shows it: the steps taken (with the level's name),
    the next step and the last urging, the decisions the user may see, and what the user may
    do at the level it reached (urge, list for supervision, order enforcement). None (one
    query, two for officials) for a hazard that never took a step and has no decision."""
    steps = list(
        EscalationStep.objects.filter(hazard_id=hazard.pk)
        .select_related("region")
        .order_by("at", "id")
    )
    decisions: list[EscalationDecision] = []
    if DECISION_POLICY.user_has_permission(user, "view"):
        decisions = list(
            restrict(EscalationDecision.objects.filter(hazard_id=hazard.pk), user, "view")
        )
    if not steps and not decisions:
        return None
    for step in steps:
        step.level_name = step.region.name  # type: ignore[attr-defined]  # template only
    row = Escalation.objects.filter(pk=hazard.pk).first()
    can_urge = _may(hazard, user, "urge")
    escalated = hazard.status in OPEN_STATUSES and may_act_on(actor=user, hazard=hazard)
    can_decide = escalated and DECISION_POLICY.user_has_permission(user, "decide")
    can_list = (
        escalated
        and hazard.grade == HazardGrade.MAJOR
        and not hazard.listing_level
        and _may_propose_listing(user)
    )
    return {
        "hazard": hazard,
        "steps": steps,
        "row": row,
        "decisions": decisions,
        "can_urge": can_urge,
        "can_decide": can_decide,
        "can_list": can_list,
    }


def _may(hazard: Hazard, user: Any, action: str) -> bool:
    try:
        transition_check(hazard=hazard, action=action, actor=user, check_scope=False)
    except (InvalidTransition, TransitionNotAllowed):
        return False
    return True


def _may_propose_listing(user: Any) -> bool:
    """Whether the supervision app lets the user propose (or make) a listing (its policy,
    asked by name: this app links to its pages, it does not import it)."""
    try:
        return policy_for("supervision.Listing").user_has_permission(user, "propose")
    except LookupError:
        return False


# --- the work queue ---------------------------------------------------------------------------


def _level_code(user: Any) -> str | None:
    organisation = getattr(user, "organisation", None)
    if organisation is None or getattr(user, "role", "") not in OFFICIALS:
        return None
    return str(organisation.region_id)


def _current_steps(code: str) -> QuerySet[EscalationStep]:
    """The county, city and province steps that reached ``code`` on the track each hazard is
    on now (a new deadline, or a submission, starts another track)."""
    current = Escalation.objects.filter(
        hazard_id=OuterRef("hazard_id"),
        reason=OuterRef("reason"),
        basis_on=OuterRef("basis_on"),
    )
    return EscalationStep.objects.filter(region_id=code, step__in=ESCALATING_STEPS).filter(
        Exists(current)
    )


def hazards_escalated_to(*, user: Any) -> QuerySet[Hazard] | None:
    """ "Escalated to us": open hazards in the user's scope that the escalation brought to the
    user's level (county, city or province step on their current track); None for users who
    are not officials of a level (the queue leaves the section out)."""
    code = _level_code(user)
    if code is None:
        return None
    steps = _current_steps(code)
    return hazard_list(user=user).filter(status__in=OPEN_STATUSES, pk__in=steps.values("hazard_id"))


def escalated_notes(user: Any, hazards: list[Hazard]) -> dict[int, str]:
    """Why each hazard is in "escalated to us": the reason, the days and when it arrived."""
    code = _level_code(user)
    if code is None or not hazards:
        return {}
    steps = _current_steps(code).filter(hazard_id__in=[h.pk for h in hazards]).order_by("at")
    notes: dict[int, str] = {}
    for step in steps:
        reason = EscalationReason(step.reason).label
        notes[step.hazard_id] = _("%(reason)s %(days)d days · %(step)s on %(on)s") % {
            "reason": reason,
            "days": step.days,
            "step": EscalationStepName(step.step).label,
            "on": timezone.localtime(step.at).date().isoformat(),
        }
    return notes


def hazards_urged(*, user: Any) -> QuerySet[Hazard] | None:
    """ "Urged": hazards the responsible party must still rectify that a level urged; for
    the party's users (who may plan), None for everyone else."""
    if not HAZARD_POLICY.user_has_permission(user, "plan") or is_unrestricted(user):
        return None
    urged = Escalation.objects.filter(urged_at__isnull=False).values("hazard_id")
    return HAZARD_POLICY.instances_user_has_permission_for(user, "plan").filter(
        status__in=PARTY_MOVE_STATUSES, pk__in=urged
    )


def urged_notes(user: Any, hazards: list[Hazard]) -> dict[int, str]:
    """Who urged each hazard, when, and the message."""
    rows = Escalation.objects.filter(pk__in=[h.pk for h in hazards], urged_at__isnull=False)
    return {
        row.pk: _("Urged by %(who)s on %(on)s: %(message)s")
        % {
            "who": row.urged_by_name,
            "on": timezone.localtime(row.urged_at).date().isoformat() if row.urged_at else "",
            "message": row.urged_message,
        }
        for row in rows
    }


# --- accountability ---------------------------------------------------------------------------


@dataclass
class AccountabilityRow:
    """One level and lead department over a period: how many hazards reached each step
    there, how soon the level first acted, and the officials on the list for them."""

    region_code: str
    region_name: str
    department: str
    counts: dict[str, int] = field(default_factory=dict)
    hazards: set[int] = field(default_factory=set)
    acted: int = 0
    waiting: int = 0
    hours: list[float] = field(default_factory=list)
    officials: dict[str, None] = field(default_factory=dict)

    @property
    def step_counts(self) -> list[int]:
        return [self.counts.get(step, 0) for step in STEPS]

    @property
    def labelled_counts(self) -> list[tuple[Any, int]]:
        """Each step's label and count, in order."""
        return [(EscalationStepName(step).label, self.counts.get(step, 0)) for step in STEPS]

    @property
    def median_hours(self) -> float | None:
        return round(statistics.median(self.hours), 1) if self.hours else None

    @property
    def max_hours(self) -> float | None:
        return round(max(self.hours), 1) if self.hours else None


@dataclass
class Accountability:
    rows: list[AccountabilityRow]
    steps: list[EscalationStep]
    start: date
    end: date
    total: int


def local_day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def accountability(
    *, user: Any, start: date, end: date, region: str = "", sector: str = ""
) -> Accountability:
    """Per level (division) and lead department, the steps that reached it between ``start``
    and ``end`` (local dates, both included) in the user's scope (under ``region`` and in
    ``sector`` when given): counts per step, the hazards, how many the level acted on and the
    hours from each step to its first action (median and longest; reminders aside: they ask
    the enterprise, not the level), and the officials recorded on the steps. Also the latest
    steps themselves, for the record."""
    steps = restrict(EscalationStep.objects.all(), user, "accountability").filter(
        at__gte=local_day_start(start), at__lt=local_day_start(end + timedelta(days=1))
    )
    if region:
        steps = steps.filter(under_region("region", region))
    if sector:
        steps = steps.filter(sector_id=sector)
    rows: dict[tuple[str, str], AccountabilityRow] = {}
    for step in steps.order_by("region_id", "at").iterator():
        key = (step.region_id, step.department_name)
        row = rows.get(key)
        if row is None:
            row = rows[key] = AccountabilityRow(step.region_id, step.region_id, key[1])
        row.counts[step.step] = row.counts.get(step.step, 0) + 1
        row.hazards.add(step.hazard_id)
        for official in step.officials or []:
            text = f"{official.get('name', '')}（{official.get('post', '')}）"
            row.officials[text] = None
        if step.step == EscalationStepName.REMINDER:
            continue
        if step.acted_at is None:
            row.waiting += 1
        else:
            row.acted += 1
            row.hours.append((step.acted_at - step.at).total_seconds() / 3600)
    names = dict(
        Region.objects.filter(code__in={code for code, _ in rows}).values_list("code", "name")
    )
    for row in rows.values():
        row.region_name = names.get(row.region_code, row.region_code)
    latest = list(
        steps.exclude(step=EscalationStepName.REMINDER)
        .select_related("hazard__site", "region")
        .order_by("-at", "-id")[:ACCOUNTABILITY_STEP_ROWS]
    )
    return Accountability(
        rows=sorted(rows.values(), key=lambda r: (r.region_code, r.department)),
        steps=latest,
        start=start,
        end=end,
        total=steps.count(),
    )


def may_see_accountability(user: Any) -> bool:
    return STEP_POLICY.user_has_permission(user, "accountability")


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last 90 days up to today."""
    today = today or local_today()
    return today - timedelta(days=89), today


OFFICIAL_SIDES = [(side, OfficialSide(side).label) for side in OfficialSide.values]
