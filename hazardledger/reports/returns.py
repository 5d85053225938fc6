"""The enterprise's hazard statistics return (隐患排查治理情况统计表, domain.md 0.4): its periods,
due dates and figures, read from the ledger itself.

A return covers a quarter or a year. It is due by the 15th day of the first month of the next
quarter (quarterly) or by 31 January (annual), both settings (domain.md 0.2, ``constants``).

What it states (``return_figures``), for the enterprise's own hazards:

- per grade (general, major, all): hazards **found** in the period (voided ones aside), of
  these how many are **rectified** (closed) when the return is prepared, the **rectification
  rate**, and the **funds** of their rectification plans (yuan);
- every **open major hazard** (whenever found) with the state of its five implementations
  (五落实) as its current plan gives them: responsible person, measures, funds, deadline and
  contingency plan.

The figures come from the ledger (the hazards and their plans), not from the rollups: an
enterprise's hazards are few, and the plans' funds are in no rollup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hazardledger.hazards.choices import OPEN_STATUSES, HazardGrade, HazardStatus
from hazardledger.hazards.models import Hazard, RectificationPlan

from .choices import FilingState, ReturnPeriod, ReturnStatus
from .constants import annual_due, quarterly_due_day
from .periods import Period


@dataclass(frozen=True)
class ReturnPeriodKey:
    """Which return: ``period`` (quarter or year), ``year`` and ``quarter`` (0 for a year)."""

    period: str
    year: int
    quarter: int = 0

    @property
    def calendar(self) -> Period:
        if self.period == ReturnPeriod.QUARTER:
            return Period("quarter", self.year, self.quarter)
        return Period("year", self.year)

    @property
    def start(self) -> date:
        return self.calendar.start

    @property
    def end(self) -> date:
        return self.calendar.end

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def label(self) -> str:
        if self.quarter:
            return _("Q%(quarter)s %(year)s") % {"quarter": self.quarter, "year": self.year}
        return _("Year %(year)s") % {"year": self.year}

    @property
    def due_on(self) -> date:
        """The last day to submit (domain.md 0.2)."""
        if self.period == ReturnPeriod.QUARTER:
            following = self.end + timedelta(days=1)
            return following.replace(day=quarterly_due_day())
        month, day = annual_due()
        return date(self.year + 1, month, day)

    @classmethod
    def parse(cls, text: str) -> ReturnPeriodKey | None:
        """``2026-Q3`` or ``2026`` (years 2000–2100), else None."""
        from .constants import FIRST_YEAR, LAST_YEAR

        text = (text or "").strip()
        year_text, _sep, quarter_text = text.partition("-Q")
        if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
            return None
        year = int(year_text)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return None
        if not _sep:
            return cls(ReturnPeriod.YEAR, year)
        if quarter_text in ("1", "2", "3", "4"):
            return cls(ReturnPeriod.QUARTER, year, int(quarter_text))
        return None


def recent_periods(today: date, *, quarters: int = 4, years: int = 1) -> list[ReturnPeriodKey]:
    """The returns an enterprise files most recently: the last ``quarters`` quarters and
    ``years`` years that have ended by ``today``, newest due date first."""
    found: list[ReturnPeriodKey] = []
    quarter = Period("quarter", today.year, (today.month - 1) // 3 + 1).previous()
    for _i in range(quarters):
        found.append(ReturnPeriodKey(ReturnPeriod.QUARTER, quarter.year, quarter.number))
        quarter = quarter.previous()
    for offset in range(1, years + 1):
        found.append(ReturnPeriodKey(ReturnPeriod.YEAR, today.year - offset))
    return sorted(found, key=lambda p: (p.due_on, p.period), reverse=True)


def due_soon(today: date, days: int) -> list[ReturnPeriodKey]:
    """The returns whose due date is between ``today`` and ``days`` days on."""
    return [p for p in recent_periods(today) if today <= p.due_on <= today + timedelta(days=days)]


def deadline_moment(due_on: date) -> datetime:
    """The first moment after ``due_on`` in the deployment's time zone (a return submitted
    before it is on time)."""
    return datetime.combine(
        due_on + timedelta(days=1), time.min, tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


def filing_state(*, status: str | None, submitted_at: datetime | None, due_on: date) -> str:
    """Where an enterprise stands with one return (``choices.FilingState``)."""
    if status == ReturnStatus.SUBMITTED and submitted_at is not None:
        return FilingState.ON_TIME if submitted_at < deadline_moment(due_on) else FilingState.LATE
    if status == ReturnStatus.DRAFT:
        return FilingState.AWAITING_SIGNATURE
    return FilingState.MISSING


def _money(value: Any) -> str:
    return f"{Decimal(value or 0):.2f}"


def return_figures(*, organisation_id: int, key: ReturnPeriodKey) -> dict[str, Any]:
    """What the return states for the enterprise (JSON-safe; see the module docstring).

    Two aggregate queries for the grades (hazards, plans' funds) and one for the open major
    hazards with their current plans.
    """
    hazards = Hazard.objects.filter(
        organisation_id=organisation_id, found_on__gte=key.start, found_on__lte=key.end
    ).exclude(status=HazardStatus.VOIDED)
    counts = {
        row["grade"]: row
        for row in hazards.order_by()
        .values("grade")
        .annotate(found=Count("pk"), rectified=Count("pk", filter=Q(status=HazardStatus.CLOSED)))
    }
    funds = {
        row["hazard__grade"]: row["total"]
        for row in RectificationPlan.objects.filter(hazard__in=hazards)
        .order_by()
        .values("hazard__grade")
        .annotate(total=Sum("funds"))
    }
    grades = []
    all_found, all_rectified, all_funds = 0, 0, Decimal(0)
    for grade, label in HazardGrade.choices:
        found = int(counts.get(grade, {}).get("found", 0))
        rectified = int(counts.get(grade, {}).get("rectified", 0))
        money = Decimal(funds.get(grade) or 0)
        all_found, all_rectified, all_funds = (
            all_found + found,
            all_rectified + rectified,
            all_funds + money,
        )
        grades.append(_grade_row(grade, str(label), found, rectified, money))
    grades.append(_grade_row("all", _("All hazards"), all_found, all_rectified, all_funds))
    majors = []
    open_major = (
        Hazard.objects.filter(
            organisation_id=organisation_id,
            grade=HazardGrade.MAJOR,
            status__in=OPEN_STATUSES,
        )
        .select_related("site")
        .order_by("found_on", "pk")
    )
    plans = {
        plan.hazard_id: plan
        for plan in RectificationPlan.objects.filter(hazard__in=open_major).order_by(
            "hazard_id", "created_at", "pk"
        )
    }
    for hazard in open_major:
        plan = plans.get(hazard.pk)
        implementations = {
            "responsible": bool(plan and plan.responsible_person.strip()),
            "measures": bool(plan and plan.measures.strip()),
            "funds": bool(plan and plan.funds and plan.funds > 0),
            "deadline": bool(plan and plan.deadline),
            "contingency": bool(plan and plan.contingency_plan.strip()),
        }
        majors.append(
            {
                "id": hazard.pk,
                "site": hazard.site.name,
                "description": hazard.description[:200],
                "found_on": hazard.found_on.isoformat(),
                "deadline": hazard.deadline.isoformat() if hazard.deadline else "",
                "status": str(hazard.get_status_display()),
                "responsible": plan.responsible_person if plan else "",
                "funds": _money(plan.funds) if plan else "",
                "implementations": implementations,
                "all_implemented": all(implementations.values()),
            }
        )
    return {"grades": grades, "open_major": majors}


def _grade_row(
    grade: str, label: str, found: int, rectified: int, funds: Decimal
) -> dict[str, Any]:
    rate = None if not found else rectified / found
    return {
        "grade": grade,
        "label": label,
        "found": found,
        "rectified": rectified,
        "rate": rate,
        "rate_text": "—" if rate is None else f"{rate * 100:.1f}%",
        "funds": _money(funds),
    }


# The five implementations (五落实, domain.md 4.3), in the order a return lists them.
IMPLEMENTATIONS = (
    ("responsible", gettext_lazy("Responsible person and organisation")),
    ("measures", gettext_lazy("Targets and measures")),
    ("funds", gettext_lazy("Funds and materials")),
    ("deadline", gettext_lazy("Time limit")),
    ("contingency", gettext_lazy("Safety measures and contingency plan")),
)
