"""Rankings (排名通报): the divisions one level down from a scope, ranked on an indicator, with
the previous period's rank beside.

Indicators (``choices.Indicator``), each a fraction with its numerator and base:

- **closure rate**: of the hazards found in the period, how many are rectified (the
  dashboards' ``closure_rate``);
- **on-time rate**: of those rectified, how many never went overdue;
- **overdue rate**: of the hazards open now, how many are overdue (lower is better). It is a
  figure of today, not of a period, so it has no previous rank;
- **major hazards closed on time**: of the major hazards closed in the period, how many on
  time;
- **inspection coverage**: of the sites in the division (the rollups' count: every site),
  how many had a regulatory inspection submitted in the period.

Ranks are competition ranks (1, 2, 2, 4); a division whose indicator has no base (nothing to
count) is listed last, unranked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from hazardledger.hazards.choices import HazardGrade

from .choices import Indicator
from .figures import (
    CURRENT_FIGURES,
    PERIOD_METRICS,
    Scope,
    child_names,
    current_counts,
    inspection_coverage,
    period_totals,
    rate,
)
from .periods import Period

# Indicators where a lower value ranks higher.
LOWER_IS_BETTER = frozenset({Indicator.OVERDUE_RATE})
# Indicators that describe today rather than a period: no previous rank.
CURRENT_ONLY = frozenset({Indicator.OVERDUE_RATE})


@dataclass
class Value:
    """One indicator of one division: ``part`` of ``whole`` (``value`` None without a base)."""

    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return rate(self.part, self.whole)


@dataclass
class RankedRegion:
    """A row of a ranking."""

    code: str
    name: str
    values: dict[str, Value]
    rank: int | None = None
    previous_rank: int | None = None

    @property
    def change(self) -> int | None:
        """Places gained since the previous period (positive: up), None when either is
        unranked."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


def indicator_values(scope: Scope, start: date, end: date) -> dict[str, dict[str, Value]]:
    """Every indicator for every child division of ``scope`` over ``start``–``end``:
    ``{code: {indicator: Value}}``, every child present."""
    names = child_names(scope)
    zeros = dict.fromkeys((*PERIOD_METRICS, *CURRENT_FIGURES), 0)
    period = {row["region"]: row for row in period_totals(scope, start, end, group_by=("region",))}
    current = {row["region"]: row for row in current_counts(scope, group_by=("region",))}
    major = {
        row["region"]: row
        for row in period_totals(scope, start, end, group_by=("region", "grade"))
        if row["grade"] == HazardGrade.MAJOR
    }
    coverage = inspection_coverage(scope, start, end, by_region=True)
    values: dict[str, dict[str, Value]] = {}
    for code in names:
        p = period.get(code, zeros)
        c = current.get(code, zeros)
        m = major.get(code, zeros)
        inspected, sites = coverage.get(code, (0, 0))
        values[code] = {
            Indicator.CLOSURE_RATE: Value(p["rectified"], p["found"]),
            Indicator.ON_TIME_RATE: Value(p["rectified_on_time"], p["rectified"]),
            Indicator.OVERDUE_RATE: Value(c["overdue"], c["open"]),
            Indicator.MAJOR_ON_TIME: Value(m["closed_on_time"], m["closed"]),
            Indicator.INSPECTION_COVERAGE: Value(inspected, sites),
        }
    return values


def rank_codes(values: dict[str, dict[str, Value]], indicator: str) -> dict[str, int | None]:
    """Competition ranks of the divisions on ``indicator`` (None: no base, unranked)."""
    scored: list[tuple[str, float]] = []
    for code, v in values.items():
        value = v[indicator].value
        if value is not None:
            scored.append((code, value))
    lower = indicator in LOWER_IS_BETTER
    scored.sort(key=lambda item: item[1] if lower else -item[1])
    ranks: dict[str, int | None] = dict.fromkeys(values)
    previous_value: float | None = None
    previous_rank = 0
    for position, (code, value) in enumerate(scored, start=1):
        rank = previous_rank if value == previous_value else position
        ranks[code] = rank
        previous_value, previous_rank = value, rank
    return ranks


def ranking(scope: Scope, period: Period, indicator: str, *, today: date) -> list[RankedRegion]:
    """The child divisions of ``scope`` ranked on ``indicator`` for ``period`` (up to today
    while it runs), with their rank in the previous period; ranked ones first, then the
    unranked, each by code. [] when the scope has no divisions below it."""
    names = child_names(scope)
    if not names:
        return []
    values = indicator_values(scope, period.start, period.clipped_end(today))
    ranks = rank_codes(values, indicator)
    previous_ranks: dict[str, int | None] = {}
    if indicator not in CURRENT_ONLY:
        before = period.previous()
        previous_ranks = rank_codes(
            indicator_values(scope, before.start, before.clipped_end(today)), indicator
        )
    rows = [
        RankedRegion(
            code=code,
            name=name,
            values=values[code],
            rank=ranks[code],
            previous_rank=previous_ranks.get(code),
        )
        for code, name in names.items()
    ]
    rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.code))
    return rows


def ranking_rows(rows: list[RankedRegion], indicator: str) -> list[list[Any]]:
    """The ranking as table rows (rank, division, the indicator as a percentage with its
    numerator and base, previous rank, then every indicator's percentage), for the exports."""
    out = []
    for row in rows:
        chosen = row.values[indicator]
        out.append(
            [
                row.rank if row.rank is not None else "—",
                row.name,
                percent(chosen.value),
                chosen.part,
                chosen.whole,
                row.previous_rank if row.previous_rank is not None else "—",
                *(percent(row.values[i].value) for i in Indicator.values),
            ]
        )
    return out


def percent(value: float | None) -> str:
    """A fraction as a percentage with one decimal ("—" without a base)."""
    return "—" if value is None else f"{value * 100:.1f}%"
