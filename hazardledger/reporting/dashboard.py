"""What a dashboard shows for a scope and a period, each figure with the ledger link that lists
the hazards it counts (``selectors.ledger_url`` with the ledger's own filters)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from hazardledger.access.scope import restrict
from hazardledger.hazards.choices import OPEN_STATUSES, HazardGrade, HazardSource
from hazardledger.hazards.deadlines import hazard_days_overdue, local_today
from hazardledger.hazards.models import Hazard
from hazardledger.registry.choices import RISK_COLOURS, RiskGrade
from hazardledger.registry.models import Site
from hazardledger.risks.models import RiskPoint

from .constants import WORST_CASES
from .selectors import (
    CURRENT_FIGURES,
    PERIOD_METRICS,
    Scope,
    child_regions,
    current_counts,
    division_path,
    ledger_url,
    most_overdue,
    oldest_open_major,
    period_totals,
    risk_level_counts,
    sector_names,
    sum_rows,
    with_rates,
)

# Labels of every figure (both languages through the catalogue).
LABELS: dict[str, Any] = {
    "found": _("Found"),
    "rectified": _("Rectified"),
    "rectified_on_time": _("Rectified on time"),
    "closure_rate": _("Closure rate"),
    "on_time_rate": _("On-time rate"),
    "closed": _("Closed in the period"),
    "closed_on_time": _("Closed on time"),
    "open": _("Open"),
    "overdue": _("Overdue"),
    "review_overdue": _("Review overdue"),
    "major_open": _("Open major hazards"),
    "listed": _("Listed for supervision"),
    "listed_now": _("Listed for supervision"),
    "closed_now": _("Closed"),
    "escalated": _("Escalated"),
    "overdue_rate": _("Overdue rate"),
}
HELP: dict[str, Any] = {
    "found": _("Hazards found in the period (voided ones aside)."),
    "rectified": _("Of the hazards found in the period, those closed."),
    "closure_rate": _("Rectified ÷ found."),
    "on_time_rate": _("Rectified without ever being overdue ÷ rectified."),
    "closed": _("Hazards closed in the period, whenever they were found."),
    "open": _("Hazards not yet closed, now."),
    "overdue": _("Past the deadline while rectification is the party's move, now."),
    "review_overdue": _("Submitted major hazards whose review is past its due date, now."),
    "major_open": _("Major hazards not yet closed, now."),
    "listed_now": _("Hazards listed for supervision now (until delisted)."),
    "escalated": _("Open hazards escalated to a county, city or province."),
}
RATES = frozenset({"closure_rate", "on_time_rate", "overdue_rate"})
# The departments' inspections and the enterprises' self-inspection, as the 2023 national
# action reported them (domain.md 0.5).
HEADLINE_SOURCES = (HazardSource.REGULATORY_INSPECTION, HazardSource.SELF_INSPECTION)


def ledger_filters(metric: str, start: date, end: date) -> dict[str, Any]:
    """The ledger's filters that list the hazards ``metric`` counts (a rate: its numerator)."""
    kind, extra = LEDGER_FILTERS[metric]
    if kind == "found":
        return {"found_after": start, "found_before": end, **extra}
    if kind == "closed":
        return {"status": "closed", "closed_after": start, "closed_before": end, **extra}
    return dict(extra)


# Per figure: which dates bound it (found in the period, closed in it, or none: now) and the
# ledger's other filters.
LEDGER_FILTERS: dict[str, tuple[str, dict[str, Any]]] = {
    "found": ("found", {"status": "counted"}),
    "rectified": ("found", {"status": "closed"}),
    "closure_rate": ("found", {"status": "closed"}),
    "rectified_on_time": ("found", {"status": "closed", "on_time": 1}),
    "on_time_rate": ("found", {"status": "closed", "on_time": 1}),
    "closed": ("closed", {}),
    "closed_on_time": ("closed", {"on_time": 1}),
    "open": ("now", {"status": "open"}),
    "overdue": ("now", {"overdue": 1}),
    "overdue_rate": ("now", {"overdue": 1}),
    "review_overdue": ("now", {"review_overdue": 1}),
    "major_open": ("now", {"grade": HazardGrade.MAJOR, "status": "open"}),
    "listed_now": ("now", {"listed": 1}),
    "closed_now": ("now", {"status": "closed"}),
    "escalated": ("now", {"escalated": 1}),
}


@dataclass
class Cell:
    """One figure: its value (a count, or a rate 0–1, None when undefined) and the ledger
    link listing what it counts."""

    key: str
    value: int | float | None
    url: str

    @property
    def is_rate(self) -> bool:
        return self.key in RATES

    @property
    def label(self) -> Any:
        return LABELS[self.key]

    @cached_property
    def display(self) -> str:
        """The figure as printed: a count with thousands separators, a rate as a percentage
        with one decimal, "—" for a rate without a base. (Computed here, once: a dashboard
        prints hundreds, and the template's number filters cost more.)"""
        if self.key in RATES:
            return "—" if self.value is None else f"{self.value * 100:.1f}%"
        return f"{int(self.value or 0):,}"

    @property
    def help(self) -> Any:
        return HELP.get(self.key, "")

    @property
    def alarming(self) -> bool:
        """A figure that calls for action and is not zero (drawn in red)."""
        return self.key in ALARMS and bool(self.value)


@dataclass
class Row:
    label: Any
    cells: list[Cell]
    url: str = ""  # the row's own dashboard (a child region)
    code: str = ""
    highlight: bool = False
    headers: list[str] = field(default_factory=list)

    @property
    def cells_html(self) -> SafeString:
        """The row's figure cells, each a link to the ledger, with its column's label (a phone
        shows it beside the figure). Built here: a dashboard has hundreds of them, which the
        template language renders several times slower."""
        return format_html_join(
            "",
            '<td class="text-end" data-label="{}"><a href="{}" data-figure="{}">{}</a></td>',
            (
                (label, cell.url, cell.key, cell.display)
                for cell, label in zip(self.cells, self.headers, strict=False)
            ),
        )


@dataclass
class Breakdown:
    key: str
    title: Any
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    total: Row | None = None

    @cached_property
    def headers(self) -> list[str]:
        return [str(LABELS[column]) for column in self.columns]

    def add(self, row: Row) -> None:
        row.headers = self.headers
        self.rows.append(row)


def _cells(
    scope: Scope,
    values: Mapping[str, Any],
    columns: Sequence[str],
    start: date,
    end: date,
    extra: Mapping[str, Any] | None = None,
) -> list[Cell]:
    cells = []
    for column in columns:
        filters = {**ledger_filters(column, start, end), **(extra or {})}
        cells.append(Cell(column, values.get(column), ledger_url(scope, **filters)))
    return cells


def _index(rows: Iterable[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in rows}


def _merge(*rows: Mapping[str, Any] | None) -> dict[str, Any]:
    """One row of figures from several (a group without a row counts zero), with its rates."""
    merged: dict[str, Any] = {
        **dict.fromkeys(PERIOD_METRICS, 0),
        **dict.fromkeys(CURRENT_FIGURES, 0),
    }
    for row in rows:
        merged.update(row or {})
    return with_rates(merged)


AREA_COLUMNS = [
    "found",
    "rectified",
    "closure_rate",
    "on_time_rate",
    "open",
    "overdue",
    "major_open",
]
GRADE_COLUMNS = ["found", "rectified", "closure_rate", "on_time_rate", "open", "overdue"]
SOURCE_COLUMNS = ["found", "rectified", "closure_rate", "on_time_rate"]
CARD_PERIOD = ["found", "rectified", "closure_rate", "on_time_rate", "closed"]
CARD_NOW = ["open", "overdue", "review_overdue", "major_open", "listed_now", "escalated"]
ALARMS = frozenset({"overdue", "review_overdue", "major_open"})


@dataclass
class Dashboard:
    """Everything the page shows (built by ``dashboard_build``)."""

    scope: Scope
    start: date
    end: date
    totals: dict[str, Any]
    period_cards: list[Cell]
    now_cards: list[Cell]
    breakdowns: list[Breakdown]
    risk_levels: list[dict[str, Any]]
    oldest_major: list[Hazard]
    most_overdue: list[tuple[Hazard, int]]
    sites: list[dict[str, Any]] = field(default_factory=list)


def dashboard_build(
    scope: Scope,
    start: date,
    end: date,
    *,
    child_url: Callable[[str], str] | None = None,
    sector_names: Mapping[str, str] | None = None,
) -> Dashboard:
    """The figures of ``scope`` for the period ``start``–``end``.

    ``child_url(code)`` gives a child region's own dashboard; ``sector_names`` the sectors to
    list (every sector of the scope), by code. Reads the rollups (``selectors``): a fixed
    number of small queries whatever the size of the ledger, plus two bounded ledger queries
    for the worst cases.
    """
    by_grade_source = period_totals(scope, start, end, group_by=("grade", "source"))
    now_by_grade = current_counts(scope, group_by=("grade",))
    totals = _merge(
        sum_rows(by_grade_source, PERIOD_METRICS), sum_rows(now_by_grade, CURRENT_FIGURES)
    )
    breakdowns: list[Breakdown] = []

    if scope.child_depth is not None:
        periods = _index(period_totals(scope, start, end, group_by=("region",)), "region")
        currents = _index(current_counts(scope, group_by=("region",)), "region")
        table = Breakdown("region", _("By region"), AREA_COLUMNS)
        for region in child_regions(scope):
            child = scope.narrowed(region=region.code)
            values = _merge(periods.get(region.code), currents.get(region.code))
            table.add(
                Row(
                    label=region.name,
                    code=region.code,
                    url=child_url(region.code) if child_url else "",
                    cells=_cells(child, values, AREA_COLUMNS, start, end),
                )
            )
        breakdowns.append(table)

    if sector_names and len(sector_names) > 1:
        periods = _index(period_totals(scope, start, end, group_by=("sector",)), "sector")
        currents = _index(current_counts(scope, group_by=("sector",)), "sector")
        table = Breakdown("sector", _("By sector"), AREA_COLUMNS)
        for code, name in sector_names.items():
            values = _merge(periods.get(code), currents.get(code))
            if not any(values.get(column) for column in ("found", "open")):
                continue
            narrowed = scope.narrowed(sector=code)
            table.add(
                Row(label=name, code=code, cells=_cells(narrowed, values, AREA_COLUMNS, start, end))
            )
        breakdowns.append(table)

    grade_periods: dict[str, dict[str, int]] = {}
    source_periods: dict[str, dict[str, int]] = {}
    for row in by_grade_source:
        for target, key in ((grade_periods, row["grade"]), (source_periods, row["source"])):
            bucket = target.setdefault(key, dict.fromkeys(PERIOD_METRICS, 0))
            for metric in PERIOD_METRICS:
                bucket[metric] += row[metric]
    grade_now = _index(now_by_grade, "grade")
    table = Breakdown("grade", _("By grade"), GRADE_COLUMNS)
    for grade, label in HazardGrade.choices:
        values = _merge(grade_periods.get(grade), grade_now.get(grade))
        table.add(
            Row(
                label=label,
                code=grade,
                highlight=grade == HazardGrade.MAJOR,
                cells=_cells(scope, values, GRADE_COLUMNS, start, end, {"grade": grade}),
            )
        )
    breakdowns.append(table)
    table = Breakdown("source", _("By source"), SOURCE_COLUMNS)
    for source, label in HazardSource.choices:
        values = _merge(source_periods.get(source))
        if source not in HEADLINE_SOURCES and not values.get("found"):
            continue
        table.add(
            Row(
                label=label,
                code=source,
                highlight=source in HEADLINE_SOURCES,
                cells=_cells(scope, values, SOURCE_COLUMNS, start, end, {"source": source}),
            )
        )
    breakdowns.append(table)

    today = local_today()
    return Dashboard(
        scope=scope,
        start=start,
        end=end,
        totals=totals,
        period_cards=_cells(scope, totals, CARD_PERIOD, start, end),
        now_cards=_cells(scope, totals, CARD_NOW, start, end),
        breakdowns=breakdowns,
        risk_levels=risk_levels(scope),
        oldest_major=oldest_open_major(scope, limit=WORST_CASES),
        most_overdue=[
            (hazard, hazard_days_overdue(hazard, today))
            for hazard in most_overdue(scope, limit=WORST_CASES, today=today)
        ],
    )


def risk_levels(scope: Scope) -> list[dict[str, Any]]:
    """Sites by risk level, most serious first, each with its colour and the site list's link
    (the same division and sector)."""
    counts = risk_level_counts(scope)[0]
    params: dict[str, str] = {}
    if scope.organisation_id is None and scope.region != "44":
        params["region"] = scope.region
    if scope.sectors is not None and len(scope.sectors) == 1:
        params["sector"] = scope.sectors[0]
    base = reverse("registry:site-list")
    levels = []
    for grade, label in [*RiskGrade.choices, ("", _("Not assessed"))]:
        key = grade or "not_assessed"
        query = urlencode({**params, "risk_level": grade or "none"})
        levels.append(
            {
                "key": key,
                "label": label,
                "colour": RISK_COLOURS.get(grade, "grey"),
                "count": counts.get(key, 0),
                "url": f"{base}?{query}",
            }
        )
    return levels


def enterprise_sites(user: Any) -> list[dict[str, Any]]:
    """The enterprise's own sites with their risk level and the colours of their risk points
    (how many points of each grade), and their open hazards: three queries."""
    sites = list(
        restrict(Site.objects.select_related("region", "sector"), user).order_by("name", "id")
    )
    ids = [site.pk for site in sites]
    points: dict[int, dict[str, int]] = {}
    for site_id, grade, n in (
        restrict(RiskPoint.objects.filter(site_id__in=ids), user)
        .values_list("site_id", "grade")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        points.setdefault(site_id, {})[grade or ""] = n
    open_hazards = dict(
        restrict(Hazard.objects.filter(site_id__in=ids), user)
        .values_list("site_id")
        .annotate(n=Count("pk", filter=Q(status__in=OPEN_STATUSES)))
        .order_by()
    )
    rows = []
    for site in sites:
        counts = points.get(site.pk, {})
        rows.append(
            {
                "site": site,
                "colour": RISK_COLOURS.get(site.risk_level, "grey"),
                "points": [
                    {"label": label, "colour": RISK_COLOURS[grade], "count": counts.get(grade, 0)}
                    for grade, label in RiskGrade.choices
                ]
                + [{"label": _("Not assessed"), "colour": "grey", "count": counts.get("", 0)}],
                "open": open_hazards.get(site.pk, 0),
            }
        )
    return rows


def region_name(code: str) -> str:
    """A division's name ("" when unknown)."""
    path = division_path(code)
    return path[-1][1] if path and path[-1][0] == code else ""


def sector_options(scope: Scope) -> dict[str, str]:
    """The sectors a scope counts, by code, in the sectors' order."""
    return sector_names(scope.sectors)
