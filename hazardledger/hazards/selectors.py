"""Reads of the hazard ledger, always through the user's scope."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet

from hazardledger.access.scope import restrict, user_can
from hazardledger.accounts.choices import OrganisationKind, Role

from .choices import OPEN_STATUSES, ExtensionStatus, HazardGrade, HazardStatus, QuickReportStatus
from .constants import (
    DUPLICATE_MAX_CANDIDATES,
    DUPLICATE_MIN_SIMILARITY,
    DUPLICATE_WINDOW_DAYS,
    LEDGER_COUNT_CAP,
)
from .deadlines import local_today, overdue_q
from .models import Hazard, HazardEvent, QuickReport
from .policies import HAZARD_POLICY


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


def bounded_count(qs: QuerySet[Any], cap: int = LEDGER_COUNT_CAP) -> tuple[int, bool]:
    """``(count, capped)``: the exact count up to ``cap``; ``(cap, True)`` beyond it.

    ``SELECT COUNT(*) FROM (… LIMIT cap + 1)`` stops reading after ``cap + 1`` rows, so a
    province-wide ledger of millions costs no more than a county's.
    """
    n = qs.order_by()[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


def ledger_totals(qs: QuerySet[Hazard]) -> dict[str, int]:
    """Open, overdue, major-open and closed counts of a filtered ledger (one query)."""
    return qs.order_by().aggregate(
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=overdue_q()),
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
    """Hazards at the same site, found recently and not voided, described alike.

    Similarity is ``difflib``'s ratio on the descriptions (the location counts a little);
    good enough for a handful of candidates, and it needs no database extension. Scoped:
    the user is shown only hazards they may see.
    """
    description = (description or "").strip()
    if not site_id or len(description) < 4:
        return []
    since = local_today() - timedelta(days=DUPLICATE_WINDOW_DAYS)
    candidates = (
        hazard_list(user=user)
        .filter(site_id=site_id, found_on__gte=since)
        .exclude(status=HazardStatus.VOIDED)
        .order_by("-found_on", "-id")[:DUPLICATE_MAX_CANDIDATES]
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
    key: str
    title: Any
    hazards: list[Hazard]
    total: int
    link: str = ""


def _responsible_q(user: Any) -> Q | None:
    """Hazards the user acts on as the responsible party (None: the user is not one)."""
    org = user.organisation
    if org is None:
        return None
    if org.kind == OrganisationKind.ENTERPRISE:
        return Q(organisation_id=org.pk)
    if org.kind == OrganisationKind.TOWNSHIP:
        return Q(organisation__isnull=True)
    return None


def _role_may(user: Any, permission: str) -> bool:
    return HAZARD_POLICY.user_has_permission(user, permission)


def hazard_queue(*, user: Any, limit: int = 10) -> list[QueueSection]:
    """The user's work queue: one section per kind of work their role does, in order.

    Sections: to plan, to rectify, to accept or confirm, extension requests to decide, overdue,
    open major hazards in scope. Each holds the first ``limit`` hazards and the total.
    """
    from django.utils.translation import gettext_lazy as _

    base = hazard_list(user=user)
    role = getattr(user, "role", "")
    responsible = _responsible_q(user)
    regulator = role in (Role.INSPECTOR, Role.OFFICE)
    specs: list[tuple[str, Any, Q, str]] = []
    if responsible is not None and _role_may(user, "plan"):
        specs.append(
            (
                "to_plan",
                _("To plan"),
                responsible & Q(status__in=[HazardStatus.RECORDED, HazardStatus.REOPENED]),
                "status=recorded",
            )
        )
    if responsible is not None and _role_may(user, "submit"):
        specs.append(
            (
                "to_rectify",
                _("To rectify"),
                responsible & Q(status=HazardStatus.RECTIFYING),
                "status=rectifying",
            )
        )
    accept = Q(pk__in=[])
    if responsible is not None and _role_may(user, "accept_general"):
        accept |= responsible & Q(
            grade=HazardGrade.GENERAL, status__in=[HazardStatus.SUBMITTED, HazardStatus.FIXED]
        )
    if _role_may(user, "accept_major") and regulator:
        accept |= Q(grade=HazardGrade.MAJOR, status=HazardStatus.SUBMITTED)
    if accept != Q(pk__in=[]):
        specs.append(("to_accept", _("To accept"), accept, "status=submitted"))
    decide = Q(pk__in=[])
    if responsible is not None and _role_may(user, "decide_extension_general"):
        decide |= responsible & Q(grade=HazardGrade.GENERAL)
    if regulator and _role_may(user, "decide_extension_major"):
        decide |= Q(grade=HazardGrade.MAJOR)
    if decide != Q(pk__in=[]):
        pending = Q(extensions__status=ExtensionStatus.PENDING) & ~Q(
            extensions__requested_by_id=user.pk
        )
        specs.append(("extensions", _("Extension requests to decide"), decide & pending, ""))
    specs.append(("overdue", _("Overdue"), overdue_q(), "overdue=1"))
    specs.append(
        (
            "major",
            _("Open major hazards in my scope"),
            Q(grade=HazardGrade.MAJOR, status__in=OPEN_STATUSES),
            "grade=major&status=open",
        )
    )
    sections = []
    for name, title, q, link in specs:
        qs = base.filter(q).distinct().order_by("deadline", "-found_on", "-id")
        items = list(qs[:limit])
        total = len(items) if len(items) < limit else qs.count()
        sections.append(QueueSection(name, title, items, total, link))
    return sections


def quick_report_list(*, user: Any) -> QuerySet[QuickReport]:
    """Quick reports the user may see (their own always among them)."""
    qs = QuickReport.objects.select_related("site", "hazard")
    return restrict(qs, user, "view")


def quick_reports_to_triage(*, user: Any) -> QuerySet[QuickReport]:
    """New reports the user may triage as the responsible party."""
    if not user_can(user, QuickReport, "triage"):
        return QuickReport.objects.none()
    responsible = _responsible_q(user)
    if responsible is None:
        return QuickReport.objects.none()
    return quick_report_list(user=user).filter(responsible, status=QuickReportStatus.NEW)


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
