"""Deadlines and overdue, in calendar dates of the deployment's time zone (Asia/Shanghai).

A deadline is a date; a hazard is overdue from the day after its deadline until it is closed
or voided (domain.md 0.2). Nothing is stored: overdue is derived, so it is never stale.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .choices import OPEN_STATUSES


def local_today(now: datetime | None = None) -> date:
    """Today's date in the deployment's time zone (not UTC: 01:00 in Guangzhou is 17:00 UTC)."""
    moment = now or timezone.now()
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def overdue_q(today: date | None = None) -> Q:
    """Filter for overdue hazards: open, with a deadline before today."""
    return Q(deadline__lt=today or local_today(), status__in=OPEN_STATUSES)


def is_overdue(*, status: str, deadline: date | None, today: date | None = None) -> bool:
    """True when an open hazard's deadline has passed; False without a deadline."""
    if deadline is None or status not in OPEN_STATUSES:
        return False
    return deadline < (today or local_today())


def days_overdue(*, status: str, deadline: date | None, today: date | None = None) -> int:
    """Whole days past the deadline (0 when not overdue)."""
    today = today or local_today()
    if not is_overdue(status=status, deadline=deadline, today=today):
        return 0
    assert deadline is not None
    return (today - deadline).days
