"""Reads of the rollups: the figures of a scope, for the dashboards and the reports.

This is the API other apps (the ``reports`` app: rankings, monthly reports, statistics
returns) read; it is kept stable. Everything takes a ``Scope`` (whose figures) and returns
plain dicts of ints, so callers never touch the bucket tables:

- ``scope_for_user(user, region=…, sector=…)``: the scope a user may see (404 outside it);
  ``Scope(region="4401")`` for a system job that already checked who asked;
- ``period_totals(scope, start, end, group_by=…)``: what happened in a period (found,
  rectified, on time, closed, listed, delisted), optionally by child region, sector, grade,
  source, month or day;
- ``current_counts(scope, group_by=…)``: hazards now (open, major open, overdue,
  review-overdue, listed, escalated, closed, voided), optionally by child region, sector, grade
  or status;
- ``risk_level_counts(scope, group_by=…)``: sites by risk level;
- ``with_rates(row)``: closure, on-time and overdue rates of a row;
- ``child_regions(scope)``: the divisions one level down, for tables that list every child;
- ``oldest_open_major(scope)``, ``most_overdue(scope)``: the ledger's 10 worst, bounded and
  indexed;
- ``ledger_url(scope, **filters)``: the ledger page filtered to the hazards a figure counts.

Where the figures come from: a division scope (province, city, county, township) reads the
bucket tables (``MonthlyTotal`` for whole months, ``DailyTotal`` for the days of a partial
month, ``CurrentCount``, ``SiteCount``): a few hundred rows whatever the size of the ledger. An
enterprise's scope (its own hazards) and a scope below township level read the per-hazard
states (``HazardState``), which count the same way. Figures are as of the last handled event
(normally a second or two behind) and the last hourly sweep for overdue flags.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Length, Substr, TruncMonth
from django.urls import get_script_prefix, reverse

from hazardledger.access.policy import is_unrestricted
from hazardledger.access.scope import PROVINCE_CODE, restrict, user_sector_codes
from hazardledger.accounts.choices import OrganisationKind
from hazardledger.core.errors import NotFound
from hazardledger.hazards.choices import OPEN_STATUSES, HazardGrade, HazardStatus
from hazardledger.hazards.deadlines import overdue_q
from hazardledger.hazards.models import Hazard
from hazardledger.regions.choices import RegionLevel
from hazardledger.regions.models import Region, Sector
from hazardledger.regions.selectors import is_under, is_valid_code, region_path, under_region
from hazardledger.registry.choices import RiskGrade
from hazardledger.registry.models import Site

from .models import (
    PERIOD_METRICS,
    CurrentCount,
    DailyTotal,
    HazardState,
    MonthlyTotal,
    SiteCount,
    SiteState,
)
from .rollups import ALL_SECTORS, DEPTHS

__all__ = [
    "CURRENT_FIGURES",
    "PERIOD_METRICS",
    "RISK_FIGURES",
    "Scope",
    "child_regions",
    "current_counts",
    "ledger_url",
    "most_overdue",
    "oldest_open_major",
    "period_totals",
    "risk_level_counts",
    "scope_for_user",
    "with_rates",
]

# What ``current_counts`` returns per row.
CURRENT_FIGURES = (
    "hazards",
    "open",
    "major_open",
    "overdue",
    "review_overdue",
    "listed_now",
    "escalated",
    "closed_now",
    "voided",
)
# What ``risk_level_counts`` returns per row: sites per risk level ("not_assessed": none yet).
RISK_FIGURES = ("sites", *RiskGrade.values, "not_assessed")
PERIOD_GROUPS = frozenset({"region", "sector", "grade", "source", "month", "day"})
CURRENT_GROUPS = frozenset({"region", "sector", "grade", "status"})
RISK_GROUPS = frozenset({"region", "sector"})
OPEN = [str(status) for status in OPEN_STATUSES]


@dataclass(frozen=True)
class Scope:
    """Whose figures.

    ``region``: the division (NBS code) the figures are for, ``"44"`` for the province;
    ``sectors``: the sector codes counted, or None for every sector; ``organisation_id``: an
    enterprise, whose own hazards and sites are counted (its ``region`` is then the province);
    ``user``: when set, every read also goes through that user's policies (``restrict``), so a
    scope built wrongly can show less, never more.
    """

    region: str = PROVINCE_CODE
    sectors: tuple[str, ...] | None = None
    organisation_id: int | None = None
    user: Any = None

    @property
    def child_depth(self) -> int | None:
        """The code length of the divisions one level down (None below township level)."""
        deeper = [depth for depth in DEPTHS if depth > len(self.region)]
        return deeper[0] if deeper and self.organisation_id is None else None

    @property
    def from_states(self) -> bool:
        """True when the figures come from the per-hazard states, not the buckets."""
        return self.organisation_id is not None or len(self.region) > DEPTHS[-1]

    def narrowed(self, *, region: str | None = None, sector: str | None = None) -> Scope:
        """The same scope for a division under its own, or one of its sectors (unchecked: see
        ``scope_for_user``)."""
        scope = self
        if region:
            scope = replace(scope, region=region)
        if sector:
            scope = replace(scope, sectors=(sector,))
        return scope


def scope_for_user(user: Any, *, region: str | None = None, sector: str | None = None) -> Scope:
    """The scope of ``user``'s figures, narrowed to ``region`` and ``sector`` if given.

    An enterprise's scope is its own hazards and sites (``region`` and ``sector`` must then be
    empty); everyone else's is their organisation's region and sectors (administrators: the
    province, every sector). Raises ``NotFound`` (404) for a region that is not a division
    under the user's, a sector that is not one of theirs, or a user without an organisation.
    """
    organisation = getattr(user, "organisation", None)
    unrestricted = is_unrestricted(user)
    if not unrestricted and organisation is None:
        raise NotFound
    if (
        organisation is not None
        and organisation.kind == OrganisationKind.ENTERPRISE
        and not unrestricted
    ):
        if region or sector:
            raise NotFound
        return Scope(region=PROVINCE_CODE, organisation_id=organisation.pk, user=user)
    own = PROVINCE_CODE if unrestricted or organisation is None else str(organisation.region_id)
    sectors = None if is_unrestricted(user) else user_sector_codes(user)
    scope = Scope(
        region=own, sectors=None if sectors is None else tuple(sorted(sectors)), user=user
    )
    if region:
        if not (is_valid_code(region) and is_under(region, own)):
            raise NotFound
        if not division_path(region) or division_path(region)[-1][0] != region:
            raise NotFound
        scope = replace(scope, region=region)
    if sector:
        if sectors is not None and sector not in sectors:
            raise NotFound
        if sector not in sector_names():
            raise NotFound
        scope = replace(scope, sectors=(sector,))
    return scope


# --- reading the buckets --------------------------------------------------------------------


def _restricted(qs: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
    return restrict(qs, scope.user) if scope.user is not None else qs


def _sector_q(scope: Scope, *, by_sector: bool) -> Q:
    """The bucket rows of the scope's sectors: the all-sector rows when it counts every sector
    and needs no split by sector, else the rows of its sectors."""
    if scope.sectors is None:
        return ~Q(sector=ALL_SECTORS) if by_sector else Q(sector=ALL_SECTORS)
    return Q(sector__in=scope.sectors)


def _region_q(scope: Scope, *, by_region: bool) -> Q:
    """The pyramid rows of the scope's division, or of its children."""
    return Q(parent=scope.region) if by_region else Q(region=scope.region)


def _sum(
    rows: Iterable[dict[str, Any]], keys: Sequence[str], metrics: Sequence[str]
) -> list[dict[str, Any]]:
    """Merge rows with the same ``keys``, adding ``metrics``; sorted by the keys."""
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[name] for name in keys)
        target = merged.get(key)
        if target is None:
            merged[key] = {
                **{name: row[name] for name in keys},
                **{m: int(row[m] or 0) for m in metrics},
            }
        else:
            for metric in metrics:
                target[metric] += int(row[metric] or 0)
    return [merged[key] for key in sorted(merged, key=lambda k: tuple(str(p) for p in k))]


def _grouped(qs: QuerySet[Any], keys: Sequence[str], sums: dict[str, Any]) -> list[dict[str, Any]]:
    """``qs`` grouped by ``keys`` with the ``sums``; the aggregates are computed under other
    names, since most are named after the columns they sum."""
    rows = qs.order_by().values(*keys).annotate(**{f"agg_{name}": sums[name] for name in sums})
    return [{key.removeprefix("agg_"): value for key, value in row.items()} for row in rows]


def _check_groups(group_by: Sequence[str], allowed: frozenset[str], scope: Scope) -> None:
    unknown = set(group_by) - allowed
    if unknown:
        raise ValueError(f"cannot group by {sorted(unknown)}")
    if "region" in group_by and scope.child_depth is None:
        raise ValueError("this scope has no divisions one level down")


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def split_period(
    start: date, end: date
) -> tuple[list[tuple[date, date]], tuple[date, date] | None]:
    """``[start, end]`` as the day ranges of its partial months and the range of its whole
    months (first days), for reading ``DailyTotal`` and ``MonthlyTotal`` respectively."""
    if end < start:
        return [], None
    first_whole = start if start.day == 1 else _month_end(start) + timedelta(days=1)
    last_whole_end = end if end == _month_end(end) else _month_start(end) - timedelta(days=1)
    if first_whole > last_whole_end:
        # No whole month inside: one range of days (within one or two months).
        return [(start, end)], None
    days: list[tuple[date, date]] = []
    if start < first_whole:
        days.append((start, first_whole - timedelta(days=1)))
    if last_whole_end < end:
        days.append((last_whole_end + timedelta(days=1), end))
    return days, (first_whole, _month_start(last_whole_end))


def period_totals(
    scope: Scope, start: date, end: date, *, group_by: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """What happened in ``scope`` from ``start`` to ``end`` (local dates, both included).

    Each row has ``PERIOD_METRICS``: ``found`` (hazards found in the period, voided ones
    aside), ``rectified`` and ``rectified_on_time`` (of those, closed now; on time: never
    overdue), ``closed`` and ``closed_on_time`` (hazards closed in the period), ``listed`` and
    ``delisted`` (hazards whose latest listing or delisting fell in the period) — plus the
    ``group_by`` keys: ``region`` (the division one level down: cities of the province,
    districts of a city …; hazards of sites registered above that level count in the scope's
    total, in no child), ``sector``, ``grade``, ``source``, ``month`` (its first day) or ``day``.
    Without ``group_by``: one row (zeros when nothing happened). Rows are sorted by their keys;
    groups with nothing are left out.

    Raises ``ValueError`` for an unknown group or ``region`` below township level.
    """
    group_by = tuple(group_by)
    _check_groups(group_by, PERIOD_GROUPS, scope)
    if scope.from_states:
        rows = _period_from_states(scope, start, end, group_by)
    else:
        rows = _period_from_buckets(scope, start, end, group_by)
    result = _sum(rows, group_by, PERIOD_METRICS)
    if not group_by and not result:
        return [dict.fromkeys(PERIOD_METRICS, 0)]
    return result


def _period_from_buckets(
    scope: Scope, start: date, end: date, group_by: tuple[str, ...]
) -> list[dict[str, Any]]:
    by_region, by_sector = "region" in group_by, "sector" in group_by
    sums = {metric: Sum(metric) for metric in PERIOD_METRICS}
    rows: list[dict[str, Any]] = []
    day_ranges, months = ([(start, end)], None) if "day" in group_by else split_period(start, end)
    if months is not None:
        qs = _restricted(MonthlyTotal.objects.all(), scope).filter(
            _region_q(scope, by_region=by_region),
            _sector_q(scope, by_sector=by_sector),
            month__gte=months[0],
            month__lte=months[1],
        )
        keys = [name for name in group_by if name != "region"]
        if by_region:
            keys.append("region")
        rows += _grouped(qs, keys, sums)
    for first, last in day_ranges:
        qs = _restricted(DailyTotal.objects.all(), scope).filter(
            under_region("region", scope.region), day__gte=first, day__lte=last
        )
        if scope.sectors is not None:
            qs = qs.filter(sector__in=scope.sectors)
        annotations: dict[str, Any] = {}
        if by_region:
            depth = scope.child_depth
            qs = qs.annotate(region_length=Length("region")).filter(region_length__gte=depth)
            annotations["child"] = Substr("region", 1, depth)
        if "month" in group_by:
            annotations["month_start"] = TruncMonth("day")
        qs = qs.annotate(**annotations) if annotations else qs
        keys = [{"region": "child", "month": "month_start"}.get(name, name) for name in group_by]
        for row in _grouped(qs, keys, sums):
            if "child" in row:
                row["region"] = row.pop("child")
            if "month_start" in row:
                row["month"] = _as_date(row.pop("month_start"))
            rows.append(row)
    return rows


def _as_date(value: Any) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _states(scope: Scope) -> QuerySet[HazardState]:
    qs = _restricted(HazardState.objects.all(), scope)
    if scope.organisation_id is not None:
        qs = qs.filter(organisation_id=scope.organisation_id)
    qs = qs.filter(under_region("region", scope.region))
    if scope.sectors is not None:
        qs = qs.filter(sector__in=scope.sectors)
    return qs


def _period_from_states(
    scope: Scope, start: date, end: date, group_by: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The same figures from the per-hazard states: one query per date the figures hang on."""
    closed = Q(status=HazardStatus.CLOSED)
    parts: list[tuple[str, Q, dict[str, Any]]] = [
        (
            "found_on",
            ~Q(status=HazardStatus.VOIDED),
            {
                "found": Count("pk"),
                "rectified": Count("pk", filter=closed),
                "rectified_on_time": Count("pk", filter=closed & Q(on_time=True)),
            },
        ),
        (
            "closed_on",
            closed,
            {"closed": Count("pk"), "closed_on_time": Count("pk", filter=Q(on_time=True))},
        ),
        ("listed_on", Q(), {"listed": Count("pk")}),
        ("delisted_on", Q(), {"delisted": Count("pk")}),
    ]
    rows = []
    for field, condition, sums in parts:
        qs = _states(scope).filter(condition, **{f"{field}__gte": start, f"{field}__lte": end})
        annotations: dict[str, Any] = {}
        if "region" in group_by:
            depth = scope.child_depth
            qs = qs.annotate(region_length=Length("region")).filter(region_length__gte=depth)
            annotations["child"] = Substr("region", 1, depth)
        if "month" in group_by:
            annotations["month_start"] = TruncMonth(field)
        if "day" in group_by:
            annotations["the_day"] = F(field)
        qs = qs.annotate(**annotations) if annotations else qs
        keys = [
            {"region": "child", "month": "month_start", "day": "the_day"}.get(name, name)
            for name in group_by
        ]
        for row in _grouped(qs, keys, sums):
            if "child" in row:
                row["region"] = row.pop("child")
            if "month_start" in row:
                row["month"] = _as_date(row.pop("month_start"))
            if "the_day" in row:
                row["day"] = row.pop("the_day")
            for metric in PERIOD_METRICS:
                row.setdefault(metric, 0)
            rows.append(row)
    return rows


def current_counts(scope: Scope, *, group_by: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Hazards in ``scope`` now: ``CURRENT_FIGURES`` per row — ``hazards`` (all, whatever
    their status), ``open`` (not closed or voided), ``major_open``, ``overdue`` (the party's
    move, past the deadline), ``review_overdue`` (submitted, past the review due date),
    ``listed_now`` (listed for supervision now, open or closed), ``escalated`` (open,
    escalated to a county or higher), ``closed_now``, ``voided`` — plus the ``group_by`` keys
    (``region``, ``sector``, ``grade``, ``status``). Without ``group_by``: one row. (The
    ``_now`` names keep them apart from ``period_totals``' ``listed`` and ``closed``, which
    count what happened in a period.)

    Raises ``ValueError`` for an unknown group or ``region`` below township level.
    """
    group_by = tuple(group_by)
    _check_groups(group_by, CURRENT_GROUPS, scope)
    open_q = Q(status__in=OPEN)
    sums = {
        "hazards": Sum("hazards"),
        "open": Sum("hazards", filter=open_q),
        "major_open": Sum("hazards", filter=open_q & Q(grade=HazardGrade.MAJOR)),
        "overdue": Sum("overdue"),
        "review_overdue": Sum("review_overdue"),
        "listed_now": Sum("listed"),
        "escalated": Sum("escalated"),
        "closed_now": Sum("hazards", filter=Q(status=HazardStatus.CLOSED)),
        "voided": Sum("hazards", filter=Q(status=HazardStatus.VOIDED)),
    }
    if scope.from_states:
        rows = _current_from_states(scope, group_by, sums)
    else:
        qs = _restricted(CurrentCount.objects.all(), scope).filter(
            _region_q(scope, by_region="region" in group_by),
            _sector_q(scope, by_sector="sector" in group_by),
        )
        rows = _grouped(qs, group_by, sums)
    result = _sum(rows, group_by, CURRENT_FIGURES)
    if not group_by and not result:
        return [dict.fromkeys(CURRENT_FIGURES, 0)]
    return result


def _current_from_states(
    scope: Scope, group_by: tuple[str, ...], bucket_sums: dict[str, Any]
) -> list[dict[str, Any]]:
    def flag(q: Q) -> Any:
        return Sum(Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField()))

    open_q = Q(status__in=OPEN)
    sums = {
        "hazards": Count("pk"),
        "open": flag(open_q),
        "major_open": flag(open_q & Q(grade=HazardGrade.MAJOR)),
        "overdue": flag(Q(overdue=True)),
        "review_overdue": flag(Q(review_overdue=True)),
        "listed_now": flag(Q(listed=True)),
        "escalated": flag(open_q & Q(escalated_ever=True)),
        "closed_now": flag(Q(status=HazardStatus.CLOSED)),
        "voided": flag(Q(status=HazardStatus.VOIDED)),
    }
    qs = _states(scope)
    keys = list(group_by)
    if "region" in group_by:
        depth = scope.child_depth
        qs = qs.annotate(region_length=Length("region"), child=Substr("region", 1, depth))
        qs = qs.filter(region_length__gte=depth)
        keys = ["child" if key == "region" else key for key in keys]
    rows = []
    for row in _grouped(qs, keys, sums):
        if "child" in row:
            row["region"] = row.pop("child")
        rows.append(row)
    return rows


def risk_level_counts(scope: Scope, *, group_by: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Sites in ``scope`` by risk level: ``RISK_FIGURES`` per row (``sites`` in all, then
    ``major``, ``large``, ``general``, ``low`` and ``not_assessed``), plus the ``group_by``
    keys (``region``, ``sector``). Every site counts, whatever its status (as the site list).
    """
    group_by = tuple(group_by)
    _check_groups(group_by, RISK_GROUPS, scope)
    if scope.from_states:
        qs: QuerySet[Any] = SiteState.objects.all()
        if scope.user is not None:
            qs = restrict(qs, scope.user)
        if scope.organisation_id is not None:
            qs = qs.filter(site__organisation_id=scope.organisation_id)
        qs = qs.filter(under_region("region", scope.region))
        if scope.sectors is not None:
            qs = qs.filter(sector__in=scope.sectors)
        keys = list(group_by)
        if "region" in group_by:
            depth = scope.child_depth
            qs = qs.annotate(region_length=Length("region"), child=Substr("region", 1, depth))
            qs = qs.filter(region_length__gte=depth)
            keys = ["child" if key == "region" else key for key in keys]
        raw = []
        for row in _grouped(qs, [*keys, "risk_level"], {"sites": Count("pk")}):
            if "child" in row:
                row["region"] = row.pop("child")
            raw.append(row)
    else:
        qs = _restricted(SiteCount.objects.all(), scope).filter(
            _region_q(scope, by_region="region" in group_by),
            _sector_q(scope, by_sector="sector" in group_by),
        )
        raw = _grouped(qs, [*group_by, "risk_level"], {"sites": Sum("sites")})
    levels = {str(level) for level in RiskGrade.values}
    rows = []
    for row in raw:
        level = row.pop("risk_level") or ""
        values = dict.fromkeys(RISK_FIGURES, 0)
        values["sites"] = int(row["sites"] or 0)
        values[level if level in levels else "not_assessed"] = int(row.pop("sites") or 0)
        rows.append({**row, **values})
    result = _sum(rows, group_by, RISK_FIGURES)
    if not group_by and not result:
        return [dict.fromkeys(RISK_FIGURES, 0)]
    return result


def with_rates(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its rates (a fraction 0–1, None when the base is 0) for the figures it
    has: ``closure_rate`` = rectified / found, ``on_time_rate`` = rectified on time /
    rectified, ``overdue_rate`` = overdue / open."""

    def rate(part: str, whole: str) -> float | None:
        if part not in row or whole not in row or not row[whole]:
            return None
        return float(row[part]) / float(row[whole])

    out = dict(row)
    if "found" in row:
        out["closure_rate"] = rate("rectified", "found")
        out["on_time_rate"] = rate("rectified_on_time", "rectified")
    if "open" in row:
        out["overdue_rate"] = rate("overdue", "open")
    return out


def child_regions(scope: Scope) -> list[Region]:
    """The divisions one level down from the scope's (cities, districts, townships), in code
    order; [] for a township or an enterprise's scope."""
    depth = scope.child_depth
    if depth is None:
        return []
    level = {4: RegionLevel.CITY, 6: RegionLevel.COUNTY, 9: RegionLevel.TOWNSHIP}[depth]
    return [
        Region(code=code, name=name, level=level, parent_id=scope.region)
        for code, name in _children(scope.region, str(level))
    ]


# The division tree and the sectors are reference data, loaded once and not edited while the
# site runs: kept per process, so a dashboard spends no query on them.
@lru_cache(maxsize=4096)
def _children(code: str, level: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        Region.objects.filter(parent_id=code, level=level)
        .order_by("code")
        .values_list("code", "name")
    )


@lru_cache(maxsize=4096)
def division_path(code: str) -> tuple[tuple[str, str], ...]:
    """The division ``code`` and its ancestors, province first, as (code, name): reference
    data, kept per process."""
    return tuple((region.code, region.name) for region in region_path(code=code))


@lru_cache(maxsize=1)
def _sector_rows() -> tuple[tuple[str, str, str], ...]:
    return tuple(Sector.objects.values_list("code", "name_zh", "name_en"))


def sector_names(codes: Iterable[str] | None = None) -> dict[str, str]:
    """Sector names in the active language by code, in the sectors' order (all sectors, or
    those of ``codes``): reference data, kept per process."""
    wanted = None if codes is None else set(codes)
    return {
        code: Sector(code=code, name_zh=zh, name_en=en).name
        for code, zh, en in _sector_rows()
        if wanted is None or code in wanted
    }


# --- the ledger's worst cases ---------------------------------------------------------------


def _hazards(scope: Scope) -> QuerySet[Hazard]:
    """The scope's hazards by its own columns (its division, sectors, enterprise), for reading
    ids from an index; ``_worst`` reads the rows through the user's policy."""
    qs = Hazard.objects.all()
    if scope.organisation_id is not None:
        qs = qs.filter(organisation_id=scope.organisation_id)
    if scope.region != PROVINCE_CODE:
        qs = qs.filter(under_region("region", scope.region))
    if scope.sectors is not None and len(scope.sectors) == 1:
        qs = qs.filter(sector_id=scope.sectors[0])
    return qs


def _worst(qs: QuerySet[Hazard], order: Sequence[str], limit: int, scope: Scope) -> list[Hazard]:
    """The first ``limit`` hazards of ``qs`` in ``order``: their ids read from an index in that
    order, then the rows, through the user's policy (``restrict``), with what the list shows.

    A scope of several sectors asks once per sector: a list of sectors on an index's later
    column would make PostgreSQL sort every match instead of reading the index in order (one
    sector is an ordinary condition on the index entry)."""
    keys = list(order)
    if scope.sectors is not None and len(scope.sectors) > 1:
        found: list[tuple[Any, ...]] = []
        for sector in scope.sectors:
            found += qs.filter(sector_id=sector).order_by(*keys).values_list(*keys)[:limit]
        ids = [row[-1] for row in sorted(found)[:limit]]
    else:
        ids = list(qs.order_by(*keys).values_list("pk", flat=True)[:limit])
    rows = Hazard.objects.select_related("site", "region", "organisation")
    if scope.user is not None:
        rows = restrict(rows, scope.user)
    found_rows = rows.in_bulk(ids)
    return [found_rows[pk] for pk in ids if pk in found_rows]


def oldest_open_major(scope: Scope, *, limit: int = 10) -> list[Hazard]:
    """The ``limit`` open major hazards found longest ago (then by number): ids from the
    partial index of open major hazards, then their rows."""
    qs = _hazards(scope).filter(grade=HazardGrade.MAJOR, status__in=OPEN)
    return _worst(qs, ("found_on", "id"), limit, scope)


def most_overdue(scope: Scope, *, limit: int = 10, today: date | None = None) -> list[Hazard]:
    """The ``limit`` overdue hazards whose deadline passed longest ago (then by number): ids
    from the partial index of hazards in the party's hands, then their rows."""
    qs = _hazards(scope).filter(overdue_q(today))
    return _worst(qs, ("deadline", "id"), limit, scope)


def mapped_sites(user: Any, scope: Scope, limit: int) -> list[tuple[Any, ...]]:
    """The first ``limit`` sites of the scope with coordinates, as the user may see them:
    ``(id, name, longitude, latitude, risk_level)``, major risks first, then large, general,
    low and not assessed, each by division then id.

    One query per risk level (and per sector, for a scope of some sectors), each reading a
    partial index of the sites with coordinates in that order and stopping at what is still
    needed (``registry_site_mapped``: level, division, id; ``registry_site_mapped_sector``:
    level, sector, division, id). A single query ordered by severity sorted every mapped site
    of a city (90,000 at the benchmark's size: 150 ms), and a department of two sectors read
    most of each level from the first index to keep the few of its sectors (67 ms)."""
    sites = restrict(Site.objects.all(), user).filter(
        latitude__isnull=False, longitude__isnull=False
    )
    if scope.region != PROVINCE_CODE:
        sites = sites.filter(under_region("region", scope.region))
    columns = ("region_id", "id", "name", "longitude", "latitude", "risk_level")
    rows: list[tuple[Any, ...]] = []
    for level in (*RiskGrade.values, ""):
        need = limit - len(rows)
        if need <= 0:
            break
        at_level = sites.filter(risk_level=level).order_by("region_id", "id")
        if scope.sectors is None:
            found = list(at_level.values_list(*columns)[:need])
        else:
            found = sorted(
                row
                for sector in scope.sectors
                for row in at_level.filter(sector_id=sector).values_list(*columns)[:need]
            )[:need]
        rows += [row[1:] for row in found]
    return rows


def ledger_url(scope: Scope, **filters: Any) -> str:
    """The ledger page filtered to ``filters`` (the ledger's own parameters: ``status``,
    ``grade``, ``overdue`` …; dates as ``date``) within ``scope``: its division (unless the
    province) and its one sector. A scope of several sectors needs no parameter: the ledger
    shows a user only their sectors. Empty values are left out."""
    params: dict[str, Any] = {}
    if scope.region != PROVINCE_CODE and scope.organisation_id is None:
        params["region"] = scope.region
    if scope.sectors is not None and len(scope.sectors) == 1:
        params["sector"] = scope.sectors[0]
    for name, value in filters.items():
        if value is None or value == "":
            continue
        params[name] = value.isoformat() if isinstance(value, date) else str(value)
    # Codes, numbers and dates need no quoting (a page builds hundreds of these links).
    if all(_PLAIN.fullmatch(value) for value in params.values()):
        query = "&".join(f"{name}={value}" for name, value in params.items())
    else:
        query = urlencode(params)
    return _ledger_path(get_script_prefix()) + (f"?{query}" if query else "")


_PLAIN = re.compile(r"[A-Za-z0-9_.-]*")


@lru_cache(maxsize=8)
def _ledger_path(prefix: str) -> str:
    """The ledger's path (a dashboard links to it hundreds of times per page)."""
    return reverse("hazards:hazard-list")


def period_defaults(today: date) -> dict[str, tuple[date, date]]:
    """The periods a dashboard offers, ending with today's: this month, quarter and year."""
    quarter_first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarter_last = _month_end(date(quarter_first.year, quarter_first.month + 2, 1))
    return {
        "month": (_month_start(today), _month_end(today)),
        "quarter": (quarter_first, quarter_last),
        "year": (date(today.year, 1, 1), date(today.year, 12, 31)),
    }


def sum_rows(rows: Iterable[dict[str, Any]], metrics: Sequence[str]) -> dict[str, int]:
    """The totals of ``metrics`` over ``rows``."""
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        for metric in metrics:
            totals[metric] += int(row.get(metric) or 0)
    return {metric: totals[metric] for metric in metrics}
