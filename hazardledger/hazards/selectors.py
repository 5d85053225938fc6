"""Reads of the hazard ledger, always through the user's scope."""

from __future__ import annotations

import difflib
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Value, When

from hazardledger.access.scope import restrict
from hazardledger.core.extensions import QUEUE_SECTIONS

from .choices import OPEN_STATUSES, HazardGrade, HazardStatus, QuickReportStatus
from .constants import (
    DUPLICATE_MAX_CANDIDATES,
    DUPLICATE_MIN_SIMILARITY,
    DUPLICATE_WINDOW_DAYS,
    LEDGER_COUNT_CAP,
)
from .deadlines import awaiting_acceptance_q, local_today, overdue_q, review_overdue_q
from .models import Hazard, HazardEvent, QuickReport
from .policies import HAZARD_POLICY, QUICK_REPORT_POLICY
from .workflow import TABLE, rule_for

# The definitions of overdue, awaiting acceptance and review overdue (``deadlines.py``), for
# other apps' queues and figures.
__all__ = [
    "awaiting_acceptance_q",
    "bounded_count",
    "deadline_history",
    "evidence_get",
    "hazard_events",
    "hazard_list",
    "hazard_queue",
    "hazards_assigned",
    "hazards_awaiting",
    "ledger_totals",
    "overdue_q",
    "possible_duplicates",
    "quick_report_list",
    "quick_reports_to_triage",
    "review_overdue_q",
    "site_has_open_major_hazard",
]


def hazard_list(*, user: Any, action: str = "view") -> QuerySet[Hazard]:
    """Hazards the user may ``action``, with what every list shows."""
    qs = Hazard.objects.select_related("site", "region", "sector", "organisation")
    return restrict(qs, user, action)


def site_has_open_major_hazard(*, site_id: int) -> bool:
    """True while the site has a major hazard that is not closed or voided (no scope: this is
    for other apps' services, such as the site risk level)."""
    return Hazard.objects.filter(
        site_id=site_id, grade=HazardGrade.MAJOR, status__in=OPEN_STATUSES
    ).exists()


def hazard_events(*, hazard: Hazard) -> QuerySet[HazardEvent]:
    """The hazard's history in order (caller checked the hazard's scope). The files an event
    attached are named in its ``data``; the evidence rows are listed by the page separately."""
    return hazard.events.order_by("seq")


@dataclass(frozen=True)
class DeadlineChange:
    """One change of a hazard's deadline, as its history records it."""

    at: Any
    action: str
    old: str | None
    new: str | None


def deadline_history(events: Iterable[HazardEvent]) -> list[DeadlineChange]:
    """Every change of the deadline after the hazard was recorded (``changes`` of its events,
    in order): the plan, extensions, orders, listings, reopening, the system."""
    rows = []
    for event in events:
        change = (event.changes or {}).get("deadline")
        if change and event.seq > 1:
            rows.append(DeadlineChange(event.created_at, event.get_action_display(), *change))
    return rows


def bounded_count(qs: QuerySet[Any], cap: int = LEDGER_COUNT_CAP) -> tuple[int, bool]:
    """``(count, capped)``: the exact count up to ``cap``; ``(cap, True)`` beyond it.

    ``SELECT COUNT(*) FROM (… LIMIT cap + 1)`` stops reading after ``cap + 1`` rows, so a
    province-wide ledger of millions costs no more than a county's.
    """
    n = qs.order_by()[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


def ledger_totals(qs: QuerySet[Hazard]) -> dict[str, int]:
    """Open, overdue, review-overdue, major-open and closed counts of a filtered ledger (one
    query)."""
    return qs.order_by().aggregate(
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=overdue_q()),
        review_overdue=Count("id", filter=review_overdue_q()),
        major_open=Count("id", filter=Q(grade=HazardGrade.MAJOR, status__in=OPEN_STATUSES)),
        closed=Count("id", filter=Q(status=HazardStatus.CLOSED)),
    )


@dataclass
class Duplicate:
    hazard: Hazard
    similarity: float


def possible_duplicates(
    *,
    user: Any,
    site_id: Any,
    description: str,
    location: str = "",
    exclude_pk: int | None = None,
) -> list[Duplicate]:
    """Hazards at the same site described alike: every one still open, however long ago it
    was found, and the closed ones found in the last ``DUPLICATE_WINDOW_DAYS`` (voided ones
    never).

    Similarity is ``difflib``'s ratio on the descriptions (the location counts a little);
    good enough for a handful of candidates, and it needs no database extension. Open hazards
    are compared first, so a site with many recent closed ones never pushes an open one out of
    the ``DUPLICATE_MAX_CANDIDATES`` compared. Scoped: the user is shown only hazards they may
    see.
    """
    description = (description or "").strip()
    if not site_id or len(description) < 4:
        return []
    since = local_today() - timedelta(days=DUPLICATE_WINDOW_DAYS)
    is_open = Q(status__in=OPEN_STATUSES)
    candidates = (
        hazard_list(user=user)
        .filter(is_open | Q(found_on__gte=since), site_id=site_id)
        .exclude(status=HazardStatus.VOIDED)
        .annotate(open_first=Case(When(is_open, then=Value(0)), default=Value(1)))
        .order_by("open_first", "-found_on", "-id")[:DUPLICATE_MAX_CANDIDATES]
    )
    found = []
    for hazard in candidates:
        if hazard.pk == exclude_pk:
            continue
        ratio = difflib.SequenceMatcher(None, description, hazard.description).ratio()
        if location and hazard.location:
            ratio = (
                0.8 * ratio + 0.2 * difflib.SequenceMatcher(None, location, hazard.location).ratio()
            )
        if ratio >= DUPLICATE_MIN_SIMILARITY:
            found.append(Duplicate(hazard, round(ratio, 2)))
    found.sort(key=lambda d: d.similarity, reverse=True)
    return found[:5]


@dataclass
class QueueSection:
    """One section of a user's work queue as the page shows it: the first hazards, the
    total, and the ledger's query listing them all."""

    key: str
    title: Any
    hazards: list[Hazard]
    total: int
    link: str = ""


def hazards_awaiting(*, user: Any, actions: Iterable[str]) -> QuerySet[Hazard] | None:
    """The hazards on which ``user`` may take one of ``actions`` now, or None when the user
    may take none of them on any hazard (the queue then leaves the section out).

    Read from the workflow's table and rules, never restated: for each row of those actions
    and each grade it exists for, the hazards in that status and grade that the hazard policy
    lets the user take the row's permission on (role, scope, responsible party), narrowed by
    the action's precondition where it is a filter (``Rule.queue_q``: a pending extension
    request someone else made).
    """
    statuses: dict[tuple[str, str, str], set[str]] = {}
    for transition in TABLE:
        if transition.action not in actions:
            continue
        for grade, permission in transition.permission.items():
            if permission is not None:
                key = (transition.action, permission, grade)
                statuses.setdefault(key, set()).add(transition.source)
    parts: list[QuerySet[Hazard]] = []
    for (action, permission, grade), sources in statuses.items():
        if not HAZARD_POLICY.user_has_permission(user, permission):
            continue
        qs = HAZARD_POLICY.instances_user_has_permission_for(user, permission).filter(
            grade=grade, status__in=sorted(sources)
        )
        queue_q = rule_for(action).queue_q
        if queue_q is not None:
            qs = qs.filter(queue_q(user))
        parts.append(qs)
    if not parts:
        return None
    return reduce(operator.or_, parts)


def hazards_assigned(*, user: Any) -> QuerySet[Hazard]:
    """The open hazards whose plan names ``user`` as the responsible person, in scope."""
    return hazard_list(user=user).filter(assignee_id=user.pk, status__in=OPEN_STATUSES)


def hazard_queue(*, user: Any, limit: int = 10) -> list[QueueSection]:
    """The user's work queue: the sections registered in ``core.extensions.QUEUE_SECTIONS``
    (this app's in ``extensions.py``; later apps add theirs), in order, leaving out those that
    are not for this user (their queryset is None). Each holds the first ``limit`` hazards,
    soonest deadline first, and the total.
    """
    sections = []
    for section in QUEUE_SECTIONS.all():
        found = section.queryset(user)
        if found is None:
            continue
        qs = (
            found.select_related("site", "region", "sector", "organisation")
            .distinct()
            .order_by("deadline", "-found_on", "-id")
        )
        items = list(qs[:limit])
        total = len(items) if len(items) < limit else qs.count()
        if section.notes is not None and items:
            notes = section.notes(user, items)
            for item in items:
                # For the template only, not a field.
                item.queue_note = notes.get(item.pk, "")
        sections.append(QueueSection(section.name, section.title, items, total, section.link))
    return sections


def quick_report_list(*, user: Any) -> QuerySet[QuickReport]:
    """Quick reports the user may see (their own always among them)."""
    qs = QuickReport.objects.select_related("site", "hazard")
    return restrict(qs, user, "view")


def quick_reports_to_triage(*, user: Any) -> QuerySet[QuickReport]:
    """New reports the user may triage: those the quick-report policy lets them triage (the
    triage role, as the responsible party)."""
    qs = QuickReport.objects.select_related("site", "hazard").filter(status=QuickReportStatus.NEW)
    return QUICK_REPORT_POLICY.instances_user_has_permission_for(user, "triage", qs)


def evidence_get(*, user: Any, pk: int) -> Any:
    """An evidence file the user may see: through its hazard's scope, or its quick report's.

    Raises ``Http404`` when it does not exist or its hazard/report is outside the user's scope.
    """
    from django.http import Http404

    from .models import Evidence

    evidence = Evidence.objects.filter(pk=pk).first()
    if evidence is None:
        raise Http404
    if evidence.hazard_id:
        visible = hazard_list(user=user).filter(pk=evidence.hazard_id).exists()
    elif evidence.quick_report_id is not None:
        visible = quick_report_list(user=user).filter(pk=evidence.quick_report_id).exists()
    else:
        visible = False  # attached to neither: no one may see it
    if not visible:
        raise Http404
    return evidence
