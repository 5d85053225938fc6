"""Reads of risk grading, always through the user's scope (or of an object already fetched
through it)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.utils import timezone

from hazardledger.access.scope import (
    PROVINCE_CODE,
    get_object_for_user,
    is_unrestricted,
    restrict,
    scope_region_code,
)
from hazardledger.accounts.choices import OrganisationKind
from hazardledger.regions.choices import CODE_LENGTHS
from hazardledger.regions.models import Region
from hazardledger.regions.selectors import under_region
from hazardledger.registry.choices import SiteStatus
from hazardledger.registry.models import Site

from .choices import GRADE_RANK, RISK_COLOURS, ControlKind, InspectionDueStatus, RiskGrade
from .constants import inspection_due_soon_days, inspection_interval_months
from .models import ControlMeasure, RiskAssessment, RiskPoint, SiteInspectionSchedule

# Grades worst first, then "not assessed" (""), as every table shows them.
GRADE_ORDER: list[str] = [RiskGrade.MAJOR, RiskGrade.LARGE, RiskGrade.GENERAL, RiskGrade.LOW, ""]


def grade_rank(field: str) -> Case:
    """An expression ranking the grade in ``field`` by ``GRADE_RANK`` (0 when not assessed), to
    order worst first in the database."""
    return Case(
        *[When(**{field: grade}, then=Value(rank)) for grade, rank in GRADE_RANK.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def risk_point_list(*, user: Any, action: str = "view") -> QuerySet[RiskPoint]:
    """Risk points the user may ``action``, worst grade first, with the site and sector."""
    qs = RiskPoint.objects.select_related("site", "sector", "region")
    return (
        restrict(qs, user, action)
        .annotate(grade_rank=grade_rank("grade"))
        .order_by("-grade_rank", "site__name", "name", "id")
    )


def risk_point_get(*, user: Any, pk: int, action: str = "view") -> RiskPoint:
    """One risk point: ``Http404`` out of scope, ``PermissionDenied`` if ``action`` is not
    allowed."""
    qs = RiskPoint.objects.select_related("site", "site__organisation", "sector", "region")
    return get_object_for_user(qs, user, action, pk=pk)


def control_measure_get(*, user: Any, pk: int, action: str = "view") -> ControlMeasure:
    """One control with its risk point and site: ``Http404`` out of scope, ``PermissionDenied``
    if ``action`` is not allowed."""
    qs = ControlMeasure.objects.select_related("risk_point__site")
    return get_object_for_user(qs, user, action, pk=pk)


def site_risk_point_list(*, user: Any, site: Site) -> QuerySet[RiskPoint]:
    """The site's risk points worst first, with their controls (the four-colour risk list)."""
    controls = ControlMeasure.objects.order_by("kind", "id")
    return (
        risk_point_list(user=user)
        .filter(site_id=site.pk)
        .prefetch_related(Prefetch("controls", queryset=controls))
    )


def risk_point_assessment_list(*, risk_point: RiskPoint) -> QuerySet[RiskAssessment]:
    """The risk point's assessments, newest first (the current one, then the history)."""
    return risk_point.assessments.order_by("-assessed_at", "-id")


def risk_point_controls_by_kind(*, risk_point: RiskPoint) -> list[tuple[str, list[ControlMeasure]]]:
    """The risk point's controls grouped by kind, in ``ControlKind`` order; empty kinds left out."""
    groups: dict[str, list[ControlMeasure]] = {kind: [] for kind in ControlKind.values}
    for control in risk_point.controls.order_by("id"):
        groups.setdefault(control.kind, []).append(control)
    return [(kind, items) for kind, items in groups.items() if items]


# --- Self-inspection check items ----------------------------------------------------------------


@dataclass(frozen=True)
class CheckItem:
    """One thing a site's self-inspection checks, derived from a control of a risk point."""

    risk_point_id: int
    risk_point_name: str
    grade: str
    control_id: int
    control_kind: str
    level: str
    responsible_person: str
    text: str


def site_check_item_list(*, site: Site) -> list[CheckItem]:
    """The check items of ``site`` (already fetched through scope): one per control of each of
    its risk points, worst risk first, then by risk point and control kind. One query.

    For the inspections app: these feed the site's self-inspection checklist.
    """
    controls = (
        ControlMeasure.objects.filter(risk_point__site_id=site.pk)
        .select_related("risk_point")
        .annotate(rank=grade_rank("risk_point__grade"))
        .order_by("-rank", "risk_point__name", "risk_point_id", "kind", "id")
    )
    return [
        CheckItem(
            risk_point_id=control.risk_point_id,
            risk_point_name=control.risk_point.name,
            grade=control.risk_point.grade,
            control_id=control.pk,
            control_kind=control.kind,
            level=control.level,
            responsible_person=control.responsible_person,
            text=control.check_text,
        )
        for control in controls
    ]


# --- Inspection frequency -----------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` (negative goes back), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _latest_last_inspection(limit: date, months: int) -> date:
    """The latest date ``d`` with ``add_months(d, months) <= limit``: a site last inspected on
    or before it is due by ``limit``. Exact also where month ends are clamped."""
    candidate = add_months(limit, -months) + timedelta(days=3)
    while add_months(candidate, months) > limit:
        candidate -= timedelta(days=1)
    return candidate


@dataclass(frozen=True)
class InspectionDue:
    """A site's place in the inspection schedule."""

    site: Site
    last_inspected_on: date | None
    due_on: date | None
    status: str
    interval_months: int

    @property
    def days_overdue(self) -> int:
        if self.due_on is None or self.status != InspectionDueStatus.OVERDUE:
            return 0
        return (timezone.localdate() - self.due_on).days


def inspection_due(
    *, site: Site, last_inspected_on: date | None, today: date | None = None
) -> InspectionDue | None:
    """When ``site`` should next be inspected given its risk level; None when not assessed."""
    months = inspection_interval_months().get(site.risk_level)
    if not months:
        return None
    today = today or timezone.localdate()
    if last_inspected_on is None:
        return InspectionDue(site, None, None, InspectionDueStatus.NEVER, months)
    due_on = add_months(last_inspected_on, months)
    if due_on < today:
        status = InspectionDueStatus.OVERDUE
    elif due_on <= today + timedelta(days=inspection_due_soon_days()):
        status = InspectionDueStatus.DUE
    else:
        status = InspectionDueStatus.OK
    return InspectionDue(site, last_inspected_on, due_on, status, months)


def site_inspection_due_list(
    *, user: Any, today: date | None = None, include_due_soon: bool = True
) -> QuerySet[Site]:
    """Assessed, not closed sites in the user's scope whose inspection is overdue (or due
    within ``RISK_INSPECTION_DUE_SOON_DAYS`` when ``include_due_soon``), never-inspected ones
    included. Worst level first, then the longest since inspection.

    A queryset (one query per page) with each site's schedule row joined; turn rows into
    ``InspectionDue`` with ``site_inspection_status`` for display (no further query). Sites not
    assessed have no frequency and are not listed.
    """
    today = today or timezone.localdate()
    # The latest due date to list: overdue means due before today.
    if include_due_soon:
        limit = today + timedelta(days=inspection_due_soon_days())
    else:
        limit = today - timedelta(days=1)
    due = Q()
    for level, months in inspection_interval_months().items():
        due |= Q(risk_level=level) & (
            Q(inspection_schedule__isnull=True)
            | Q(inspection_schedule__last_inspected_on__isnull=True)
            | Q(inspection_schedule__last_inspected_on__lte=_latest_last_inspection(limit, months))
        )
    qs = Site.objects.select_related("sector", "region", "organisation", "inspection_schedule")
    return (
        restrict(qs, user, "view")
        .exclude(status=SiteStatus.CLOSED)
        .filter(due)
        .annotate(rank=grade_rank("risk_level"))
        .order_by(
            "-rank",
            F("inspection_schedule__last_inspected_on").asc(nulls_first=True),
            "name",
            "id",
        )
    )


def site_inspection_status(*, site: Site, today: date | None = None) -> InspectionDue | None:
    """``inspection_due`` for one site (already fetched through scope)."""
    try:
        last = site.inspection_schedule.last_inspected_on
    except ObjectDoesNotExist:
        last = None
    return inspection_due(site=site, last_inspected_on=last, today=today)


# --- Dashboard ----------------------------------------------------------------------------------


def counts_base_region(*, user: Any) -> str:
    """The division the risk counts start from when no region is chosen: the user's scope's
    region; for an enterprise, whose scope is its own sites wherever they are, the smallest
    division holding all of them (its own region says only where it is registered)."""
    base = scope_region_code(user)
    if (
        is_unrestricted(user)
        or getattr(user.organisation, "kind", "") != OrganisationKind.ENTERPRISE
    ):
        return base
    bounds = restrict(Site.objects.all(), user, "view").aggregate(
        low=Min("region_id"), high=Max("region_id")
    )
    low, high = bounds["low"], bounds["high"]
    if not low or not high:
        return base
    common = [n for n in CODE_LENGTHS if n <= min(len(low), len(high)) and low[:n] == high[:n]]
    return low[: common[-1]] if common else PROVINCE_CODE


def dashboard_risk_counts(
    *, user: Any, region_code: str | None = None, sector_code: str | None = None
) -> dict[str, Any]:
    """Counts of risk points and sites by grade in the user's scope, under ``region_code`` and in
    ``sector_code`` when given, in total and per child division of that region.

    Returns ``{"region_code", "grades": [{"grade", "colour", "label", "risk_points", "sites"}],
    "totals": {"risk_points", "sites"}, "by_region": [{"region", "code", "risk_points": {grade:
    n}, "sites": {grade: n}}]}``; grade "" is "not assessed" and every grade is listed, zero or
    not. A region outside the user's scope simply counts nothing. Five queries whatever the size.
    """
    base = region_code or counts_base_region(user=user)
    points = restrict(RiskPoint.objects.all(), user, "view")
    sites = restrict(Site.objects.all(), user, "view")
    points = points.filter(under_region("region", base))
    sites = sites.filter(under_region("region", base))
    if sector_code:
        points = points.filter(sector_id=sector_code)
        sites = sites.filter(sector_id=sector_code)
    child_len = next((n for n in CODE_LENGTHS if n > len(base)), None)
    per_point: dict[tuple[str, str], int] = {}
    per_site: dict[tuple[str, str], int] = {}
    if child_len is not None:
        for child, grade, n in (
            points.annotate(child=Substr("region_id", 1, child_len))
            .values_list("child", "grade")
            .annotate(n=Count("id"))
            .order_by()
        ):
            per_point[(child, grade)] = n
        for child, grade, n in (
            sites.annotate(child=Substr("region_id", 1, child_len))
            .values_list("child", "risk_level")
            .annotate(n=Count("id"))
            .order_by()
        ):
            per_site[(child, grade)] = n
    else:  # a village: nothing below it
        for grade, n in points.values_list("grade").annotate(n=Count("id")).order_by():
            per_point[(base, grade)] = n
        for grade, n in sites.values_list("risk_level").annotate(n=Count("id")).order_by():
            per_site[(base, grade)] = n
    point_totals = _sum_by_grade(per_point)
    site_totals = _sum_by_grade(per_site)
    labels = dict(RiskGrade.choices)
    grades = [
        {
            "grade": grade,
            "colour": RISK_COLOURS.get(grade, ""),
            "label": labels.get(grade, ""),
            "risk_points": point_totals.get(grade, 0),
            "sites": site_totals.get(grade, 0),
        }
        for grade in GRADE_ORDER
    ]
    children = sorted({child for child, _ in per_point} | {child for child, _ in per_site})
    names = dict(Region.objects.filter(code__in=children).values_list("code", "name"))
    by_region = [
        {
            "code": child,
            "region": names.get(child, child),
            "risk_points": {g: per_point.get((child, g), 0) for g in GRADE_ORDER},
            "sites": {g: per_site.get((child, g), 0) for g in GRADE_ORDER},
        }
        for child in children
    ]
    return {
        "region_code": base,
        "grades": grades,
        "totals": {"risk_points": sum(point_totals.values()), "sites": sum(site_totals.values())},
        "by_region": by_region,
    }


def _sum_by_grade(counts: dict[tuple[str, str], int]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for (_child, grade), n in counts.items():
        totals[grade] = totals.get(grade, 0) + n
    return totals


def site_risk_summary(*, site: Site, with_schedule: bool = False) -> dict[str, Any]:
    """For a site already fetched through scope: how many risk points it has, how many are
    not assessed, and (``with_schedule``) its next inspection. Two queries at most."""
    counts = RiskPoint.objects.filter(site_id=site.pk).aggregate(
        total=Count("id"), unassessed=Count("id", filter=Q(grade=""))
    )
    due = None
    if with_schedule:
        last = (
            SiteInspectionSchedule.objects.filter(site_id=site.pk)
            .values_list("last_inspected_on", flat=True)
            .first()
        )
        due = inspection_due(site=site, last_inspected_on=last)
    return {"point_count": counts["total"], "unassessed": counts["unassessed"], "due": due}
