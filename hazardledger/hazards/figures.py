"""What the ledger's figures mean: the filters the ledger page and the dashboards share.

Every figure a dashboard shows links to the ledger filtered to the same hazards
(``filtersets.HazardFilterSet``), and the rollups (the ``reporting`` app) count with the same
definitions, so the two never disagree:

- **counted** (``counted_q``): not voided; a voided hazard was recorded in error or twice, so
  it is not "found";
- **rectified on time** (``on_time_q``): closed and never overdue (no days kept in
  ``past_overdue_days``, which the workflow fills whenever the deadline moves, or the party hands
  the hazard over, after the deadline had passed);
- **closed between two dates** (``closed_between_q``): ``closed_at`` in those local dates;
- **listed** (``listed_q``): listed for supervision now (its ``listing_level`` is set from
  the listing until the delisting);
- **escalated** (``escalated_q``): open, and its history has an ``escalate`` step of county,
  city or province (the escalation job's event, issue 14);
- overdue and review-overdue are ``deadlines.overdue_q`` and ``deadlines.review_overdue_q``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from .choices import ESCALATING_STEPS, OPEN_STATUSES, HazardAction, HazardStatus
from .models import HazardEvent

# The escalation job's action and the steps after which a hazard counts as escalated.
ESCALATE_ACTION = str(HazardAction.ESCALATE)
ESCALATED_STEPS = tuple(str(step) for step in ESCALATING_STEPS)
# Actions whose events the rollups read (the partial index ``hazards_he_reporting`` covers
# them).
LIST_ACTION = str(HazardAction.LIST)
DELIST_ACTION = str(HazardAction.DELIST)
REPORTING_ACTIONS = (LIST_ACTION, DELIST_ACTION, ESCALATE_ACTION)


def counted_q() -> Q:
    """Hazards that count as found: every one but the voided."""
    return ~Q(status=HazardStatus.VOIDED)


def on_time_q() -> Q:
    """Closed hazards that were never overdue."""
    return Q(status=HazardStatus.CLOSED, past_overdue_days=0)


def local_midnight(day: date) -> datetime:
    """The aware datetime at which ``day`` begins in the deployment's time zone."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def closed_between_q(start: date | None, end: date | None) -> Q:
    """Hazards closed from ``start`` to ``end`` (local dates, both included; either may be
    None). A range on ``closed_at`` itself, so an index on it can answer."""
    q = Q(status=HazardStatus.CLOSED, closed_at__isnull=False)
    if start is not None:
        q &= Q(closed_at__gte=local_midnight(start))
    if end is not None:
        q &= Q(closed_at__lt=local_midnight(end + timedelta(days=1)))
    return q


def listed_q() -> Q:
    """Hazards listed for supervision now."""
    return ~Q(listing_level="")


def escalation_events_q() -> Q:
    """Events that make a hazard escalated: ``escalate`` steps of county, city or province."""
    return Q(action=ESCALATE_ACTION, data__step__in=ESCALATED_STEPS)


def escalated_q() -> Q:
    """Open hazards that have been escalated to a county, city or province."""
    steps = HazardEvent.objects.filter(escalation_events_q(), hazard_id=OuterRef("pk"))
    return Q(status__in=OPEN_STATUSES) & Q(Exists(steps))
