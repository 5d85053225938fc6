"""Deadlines and overdue, in calendar dates of the deployment's time zone (Asia/Shanghai).

A deadline is a date. Every hazard has one from the moment it is recorded: the regulator's,
or the default for its grade (``default_deadline``). A hazard is overdue from the day after
its deadline while rectification is the responsible party's move (recorded, plan awaiting
approval, rectifying, reopened; domain.md 0.2). Once the party has submitted (or fixed on the
spot) the hazard awaits acceptance and is not overdue; when the regulator's review due date
(``review_due``, set on submitting a major hazard) passes, it is *review overdue*, counted
against the reviewing body. Nothing about "now" is stored: overdue is derived, so it is never
stale; the days overdue under an earlier deadline (a late extension, a late submission) are
kept in ``Hazard.past_overdue_days`` so that no later step erases them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .choices import AWAITING_ACCEPTANCE_STATUSES, PARTY_MOVE_STATUSES, HazardGrade, HazardStatus


def local_today(now: datetime | None = None) -> date:
    """Today's date in the deployment's time zone (not UTC: 01:00 in Guangzhou is 17:00 UTC)."""
    moment = now or timezone.now()
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def default_deadline(*, grade: str, found_on: date) -> date:
    """The deadline a hazard gets when nobody set one: the date found plus
    ``HAZARD_DEADLINE_DAYS_GENERAL`` (30) or ``HAZARD_DEADLINE_DAYS_MAJOR`` (90) days."""
    if grade == HazardGrade.MAJOR:
        days = int(getattr(settings, "HAZARD_DEADLINE_DAYS_MAJOR", 90))
    else:
        days = int(getattr(settings, "HAZARD_DEADLINE_DAYS_GENERAL", 30))
    return found_on + timedelta(days=days)


def review_due_date(*, applied_on: date, coal_mine: bool) -> date:
    """When the regulator's review of a major hazard's application is due: ``applied_on`` plus
    ``HAZARD_REVIEW_DAYS`` (10), or ``HAZARD_REVIEW_DAYS_COAL`` (20) for a coal mine."""
    if coal_mine:
        days = int(getattr(settings, "HAZARD_REVIEW_DAYS_COAL", 20))
    else:
        days = int(getattr(settings, "HAZARD_REVIEW_DAYS", 10))
    return applied_on + timedelta(days=days)


def overdue_q(today: date | None = None) -> Q:
    """Filter for overdue hazards: rectification is the party's move and the deadline is
    before today."""
    return Q(deadline__lt=today or local_today(), status__in=PARTY_MOVE_STATUSES)


def awaiting_acceptance_q() -> Q:
    """Filter for hazards the party handed over (submitted or fixed on the spot), not yet
    decided."""
    return Q(status__in=AWAITING_ACCEPTANCE_STATUSES)


def review_overdue_q(today: date | None = None) -> Q:
    """Filter for submitted hazards whose review due date is before today."""
    return Q(status=HazardStatus.SUBMITTED, review_due__lt=today or local_today())


def is_overdue(*, status: str, deadline: date | None, today: date | None = None) -> bool:
    """True when rectification is the party's move and the deadline has passed; False
    without a deadline."""
    if deadline is None or status not in PARTY_MOVE_STATUSES:
        return False
    return deadline < (today or local_today())


def is_review_overdue(*, status: str, review_due: date | None, today: date | None = None) -> bool:
    """True when a submitted hazard's review due date has passed."""
    if review_due is None or status != HazardStatus.SUBMITTED:
        return False
    return review_due < (today or local_today())


def days_overdue(*, status: str, deadline: date | None, today: date | None = None) -> int:
    """Whole days past the current deadline (0 when not overdue now)."""
    today = today or local_today()
    if not is_overdue(status=status, deadline=deadline, today=today):
        return 0
    assert deadline is not None
    return (today - deadline).days


def hazard_days_overdue(hazard: Any, today: date | None = None) -> int:
    """Every day the hazard has been overdue: those under earlier deadlines
    (``past_overdue_days``) and those past the current one."""
    return int(hazard.past_overdue_days or 0) + days_overdue(
        status=hazard.status, deadline=hazard.deadline, today=today
    )
