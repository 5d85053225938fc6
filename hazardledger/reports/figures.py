"""The figures the reports app's documents show, read through ``reporting.selectors``.

This module is the one place the reports app reads the rollups (the ``reporting`` app's
``Scope``, ``period_totals``, ``current_counts`` …), so a change there is answered here only.
It adds what the rollups do not keep: the inspection coverage of a period, from the
inspections' and the registry's scoped selectors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count
from django.db.models.functions import Length, Substr

from hazardledger.hazards.choices import HazardGrade, HazardSource
from hazardledger.inspections.choices import REGULATORY_KINDS, InspectionStatus
from hazardledger.inspections.selectors import inspection_list
from hazardledger.regions.models import Region, Sector
from hazardledger.regions.selectors import under_region
from hazardledger.reporting import selectors as rollups
from hazardledger.reporting.selectors import Scope

from .periods import months_back

__all__ = [
    "PERIOD_METRICS",
    "Scope",
    "child_names",
    "current_counts",
    "inspection_coverage",
    "period_totals",
    "rate",
    "report_figures",
    "scope_for_user",
]

PERIOD_METRICS = tuple(rollups.PERIOD_METRICS)
CURRENT_FIGURES = tuple(rollups.CURRENT_FIGURES)
# Figures of today whose names a period figure also has: kept apart with "_now".
NOW_RENAMED = {"listed": "listed_now", "closed": "closed_now", "voided": "voided_now"}
NOW_FIGURES = tuple(NOW_RENAMED.get(name, name) for name in CURRENT_FIGURES)
scope_for_user = rollups.scope_for_user
period_totals = rollups.period_totals
current_counts = rollups.current_counts

# How the 2023 national action split the major hazards found (domain.md 0.5): by departments'
# inspections (regulatory and campaign inspections) and by enterprises' self-inspection.
DEPARTMENT_SOURCES = (HazardSource.REGULATORY_INSPECTION, HazardSource.CAMPAIGN)
SELF_SOURCES = (HazardSource.SELF_INSPECTION,)


def rate(part: Any, whole: Any) -> float | None:
    """``part / whole`` as a fraction, None when there is no base."""
    if not whole:
        return None
    return float(part or 0) / float(whole)


def child_names(scope: Scope) -> dict[str, str]:
    """The divisions one level down from the scope's, code → name, in code order."""
    return {region.code: region.name for region in rollups.child_regions(scope)}


def now_figures(row: dict[str, Any]) -> dict[str, Any]:
    """A ``current_counts`` row's figures under the names a report uses (``NOW_RENAMED``)."""
    return {NOW_RENAMED.get(m, m): row.get(m, 0) for m in CURRENT_FIGURES}


def _merge(
    period: Iterable[dict[str, Any]], current: Iterable[dict[str, Any]], key: str
) -> dict[str, dict[str, Any]]:
    """Period and current rows joined on ``key``, every figure present (0 when missing)."""
    merged: dict[str, dict[str, Any]] = {}
    for row in period:
        merged.setdefault(row[key], {}).update({m: row.get(m, 0) for m in PERIOD_METRICS})
    for row in current:
        merged.setdefault(row[key], {}).update(now_figures(row))
    for values in merged.values():
        for metric in (*PERIOD_METRICS, *NOW_FIGURES):
            values.setdefault(metric, 0)
    return merged


def with_rates(row: dict[str, Any]) -> dict[str, Any]:
    """The row with ``closure_rate``, ``on_time_rate`` and ``overdue_rate`` (the dashboards'
    definitions, ``reporting.selectors.with_rates``)."""
    return rollups.with_rates(row)


def inspection_coverage(
    scope: Scope, start: date, end: date, *, by_region: bool = False
) -> dict[str, tuple[int, int]]:
    """Sites in the scope and how many of them had a regulatory inspection submitted in
    ``start``–``end`` (local dates): ``{key: (inspected, sites)}``, the key being the child
    division's code when ``by_region``, else ``""``.

    The sites are the rollups' count (``risk_level_counts``: every site, as the site list
    counts them); the inspected ones are read through the scope's user (``inspection_list``:
    the policies). Sites registered above the child level count in the total only.
    """
    if scope.user is None:
        raise ValueError("inspection coverage is read through a user's scope")
    depth = scope.child_depth if by_region else None
    if by_region and depth is None:
        return {}
    inspections = inspection_list(user=scope.user).filter(
        status=InspectionStatus.SUBMITTED,
        kind__in=list(REGULATORY_KINDS),
        submitted_at__date__gte=start,
        submitted_at__date__lte=end,
    )
    if scope.organisation_id is not None:
        inspections = inspections.filter(organisation_id=scope.organisation_id)
    inspections = inspections.filter(under_region("region", scope.region))
    if scope.sectors is not None:
        inspections = inspections.filter(sector_id__in=scope.sectors)
    if depth:
        site_rows = {
            row["region"]: int(row["sites"])
            for row in rollups.risk_level_counts(scope, group_by=("region",))
        }
        done_qs = (
            inspections.annotate(n=Length("region_id"), child=Substr("region_id", 1, depth))
            .filter(n__gte=depth)
            .order_by()
            .values("child")
            .annotate(total=Count("site_id", distinct=True))
        )
        inspected_rows = {row["child"]: row["total"] for row in done_qs}
    else:
        site_rows = {"": int(rollups.risk_level_counts(scope)[0]["sites"])}
        inspected_rows = {"": inspections.order_by().values("site_id").distinct().count()}
    return {key: (inspected_rows.get(key, 0), total) for key, total in site_rows.items()}


# --- a report's figures ----------------------------------------------------------------------


@dataclass
class ReportFigures:
    """What a monthly or quarterly report shows for one scope and period (plain values, so
    the xlsx and the PDF render the same figures)."""

    start: date
    end: date
    summary: dict[str, Any]
    regions: list[dict[str, Any]]
    sectors: list[dict[str, Any]]
    by_grade_source: list[dict[str, Any]]
    action_table: list[dict[str, Any]]
    trend: list[dict[str, Any]]
    oldest_major: list[Any] = field(default_factory=list)
    most_overdue: list[Any] = field(default_factory=list)
    coverage: tuple[int, int] = (0, 0)


def _grade_label(code: str) -> str:
    return str(dict(HazardGrade.choices).get(code, code))


def _source_label(code: str) -> str:
    return str(dict(HazardSource.choices).get(code, code))


def report_figures(
    scope: Scope,
    start: date,
    end: date,
    *,
    trend_months: int = 12,
    progress: Any = None,
) -> ReportFigures:
    """Every figure of a report of ``scope`` for ``start``–``end``, step by step (``progress``,
    when given, is called with a percentage after each step).

    Steps: the scope's totals (period and now) and its inspection coverage; the same per child
    division (every child listed, zeros included) and per sector; found and rectified by grade
    and source, and the 2023 action's table (major hazards found by departments' inspections
    and by self-inspection, each with rectified, and listed); the monthly trend of the
    ``trend_months`` months ending with the period's; the ten oldest open major hazards and
    the ten most overdue.
    """

    def step(percent: int) -> None:
        if progress is not None:
            progress(percent)

    totals = rollups.period_totals(scope, start, end)[0]
    now = rollups.current_counts(scope)[0]
    summary = with_rates({**totals, **now_figures(now)})
    coverage = inspection_coverage(scope, start, end).get("", (0, 0))
    summary["inspected_sites"], summary["sites"] = coverage
    summary["coverage_rate"] = rate(*coverage)
    step(20)

    regions: list[dict[str, Any]] = []
    names = child_names(scope)
    if names:
        merged = _merge(
            rollups.period_totals(scope, start, end, group_by=("region",)),
            rollups.current_counts(scope, group_by=("region",)),
            "region",
        )
        covered = inspection_coverage(scope, start, end, by_region=True)
        for code, name in names.items():
            row = with_rates({"code": code, "name": name, **merged.get(code, _zeros())})
            row["inspected_sites"], row["sites"] = covered.get(code, (0, 0))
            row["coverage_rate"] = rate(row["inspected_sites"], row["sites"])
            regions.append(row)
    step(40)

    sector_names = {sector.code: sector.name for sector in Sector.objects.all()}
    by_sector = _merge(
        rollups.period_totals(scope, start, end, group_by=("sector",)),
        rollups.current_counts(scope, group_by=("sector",)),
        "sector",
    )
    wanted = scope.sectors if scope.sectors is not None else sorted(sector_names)
    sectors = [
        with_rates({"code": code, "name": sector_names.get(code, code), **by_sector[code]})
        for code in wanted
        if code in by_sector
    ]
    step(55)

    by_grade_source = []
    for row in rollups.period_totals(scope, start, end, group_by=("grade", "source")):
        by_grade_source.append(
            with_rates(
                {
                    **row,
                    "grade_label": _grade_label(row["grade"]),
                    "source_label": _source_label(row["source"]),
                }
            )
        )
    action_table = _action_table(by_grade_source)
    step(65)

    months = months_back(end, trend_months)
    monthly = {
        row["month"]: row
        for row in rollups.period_totals(scope, months[0], end, group_by=("month",))
    }
    trend = [
        {"month": month, **{m: monthly.get(month, {}).get(m, 0) for m in PERIOD_METRICS}}
        for month in months
    ]
    step(80)

    return ReportFigures(
        start=start,
        end=end,
        summary=summary,
        regions=regions,
        sectors=sectors,
        by_grade_source=by_grade_source,
        action_table=action_table,
        trend=trend,
        oldest_major=rollups.oldest_open_major(scope),
        most_overdue=rollups.most_overdue(scope),
        coverage=coverage,
    )


def _zeros() -> dict[str, int]:
    return dict.fromkeys((*PERIOD_METRICS, *NOW_FIGURES), 0)


def _action_table(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The 2023 national action's progress table (domain.md 0.5) for major hazards: found by
    departments' inspections, by enterprises' self-inspection and otherwise, each with how
    many were rectified; then all of them, and how many were listed for supervision."""
    from django.utils.translation import gettext as _

    def total(sources: Sequence[str] | None, metric: str) -> int:
        return sum(
            int(row[metric])
            for row in rows
            if row["grade"] == HazardGrade.MAJOR and (sources is None or row["source"] in sources)
        )

    others = [s for s in HazardSource.values if s not in (*DEPARTMENT_SOURCES, *SELF_SOURCES)]
    table = []
    for label, sources in (
        (_("Found by departments' inspections"), DEPARTMENT_SOURCES),
        (_("Found by enterprises' self-inspection"), SELF_SOURCES),
        (_("Found otherwise (public reports and other)"), tuple(others)),
        (_("All major hazards"), None),
    ):
        found, rectified = total(sources, "found"), total(sources, "rectified")
        table.append(
            {
                "label": label,
                "found": found,
                "rectified": rectified,
                "closure_rate": rate(rectified, found),
            }
        )
    table.append(
        {
            "label": _("Listed for supervision in the period"),
            "found": total(None, "listed"),
            "rectified": None,
            "closure_rate": None,
        }
    )
    return table


def region_name(code: str) -> str:
    """A division's name ("" when unknown)."""
    return Region.objects.filter(code=code).values_list("name", flat=True).first() or ""
