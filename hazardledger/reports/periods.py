"""Calendar periods (a month, a quarter, a year) and their labels.

A period is read from a query string through ``forms.PeriodForm``, so a hostile year or number
is refused before any date is built from it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from .choices import PeriodKind

# How many months or quarters a year has, per kind.
LAST_NUMBER: dict[str, int] = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 1}


@dataclass(frozen=True)
class Period:
    """One calendar period: ``kind`` (month, quarter or year), ``year`` and ``number`` (the
    month 1–12 or the quarter 1–4; 1 for a year)."""

    kind: str
    year: int
    number: int = 1

    def __post_init__(self) -> None:
        limit = LAST_NUMBER.get(self.kind)
        if limit is None or not 1 <= self.number <= limit:
            raise ValueError(f"no {self.kind} {self.number}")

    @property
    def start(self) -> date:
        if self.kind == PeriodKind.MONTH:
            return date(self.year, self.number, 1)
        if self.kind == PeriodKind.QUARTER:
            return date(self.year, 3 * self.number - 2, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        if self.kind == PeriodKind.MONTH:
            last_month = self.number
        elif self.kind == PeriodKind.QUARTER:
            last_month = 3 * self.number
        else:
            last_month = 12
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def label(self) -> str:
        """The period as a report's title names it (in the active language)."""
        if self.kind == PeriodKind.MONTH:
            return _("%(month)s/%(year)s") % {"year": self.year, "month": self.number}
        if self.kind == PeriodKind.QUARTER:
            return _("Q%(quarter)s %(year)s") % {"year": self.year, "quarter": self.number}
        return str(self.year)

    @property
    def key(self) -> str:
        """A stable text key: ``2026-11``, ``2026-Q4``, ``2026``."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}-Q{self.number}"
        return str(self.year)

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.kind == PeriodKind.YEAR or self.number == 1:
            return Period(self.kind, self.year - 1, LAST_NUMBER[self.kind])
        return Period(self.kind, self.year, self.number - 1)

    def next(self) -> Period:
        if self.number == LAST_NUMBER[self.kind]:
            return Period(self.kind, self.year + 1, 1)
        return Period(self.kind, self.year, self.number + 1)

    def clipped_end(self, today: date) -> date:
        """The period's last day, or ``today`` while the period is still running."""
        return min(self.end, today)


def period_containing(kind: str, day: date) -> Period:
    """The period of ``kind`` that ``day`` falls in."""
    if kind == PeriodKind.MONTH:
        return Period(kind, day.year, day.month)
    if kind == PeriodKind.QUARTER:
        return Period(kind, day.year, (day.month - 1) // 3 + 1)
    return Period(kind, day.year)


def months_back(end: date, count: int) -> list[date]:
    """The first days of the ``count`` months ending with ``end``'s, oldest first."""
    months = []
    day = end.replace(day=1)
    for _i in range(count):
        months.append(day)
        day = (day - timedelta(days=1)).replace(day=1)
    return list(reversed(months))
