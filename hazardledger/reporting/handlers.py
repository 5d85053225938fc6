"""Outbox handlers that keep the rollups (registered in ``ReportingConfig.ready``).

They run after the change has committed, in the task worker, each in its own savepoint, and are
idempotent: each recomputes the state of what the event names from the ledger as it now is
(``rollups.hazards_refresh`` / ``sites_refresh``), so handling an event twice, late or out of
order changes nothing the last handling did not.

- ``rollups.hazards`` (``hazards.hazard.*``): queues the event's hazard (``RollupQueue``; a
  ``list``, ``delist`` or ``escalate`` event asks for its history facts to be read again) and
  has a flush follow (``flush_soon``): one statement per event, while the flush refreshes the
  queued hazards in batches. ``registry.site.relocate``: every hazard of the site (their scope
  columns followed the site in the same transaction).
- ``rollups.sites`` (``registry.site.*``, ``risks.*``, ``hazards.hazard.*``): the site's
  risk level and division. Handlers run in name order, so this one runs after
  ``risks.site_risk_refresh`` and reads the level that handler has just written; the periodic
  reconcile (``tasks.rollups_time_sweep_task``) catches a level changed while this one was not
  told.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend

from hazardledger.core.models import OutboxEvent
from hazardledger.hazards.figures import REPORTING_ACTIONS
from hazardledger.hazards.models import Hazard

from .rollups import commit_without_waiting, rollups_enqueue, rollups_flush, sites_refresh

HAZARD_PREFIX = "hazards.hazard."


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def hazard_rollups(event: OutboxEvent) -> None:
    """Queue the hazard(s) the event concerns for the flush, and make sure a flush follows."""
    commit_without_waiting()
    if event.topic.startswith(HAZARD_PREFIX):
        hazard_id = _int(event.object_id)
        if hazard_id is None:
            return
        action = event.topic.removeprefix(HAZARD_PREFIX)
        rollups_enqueue([hazard_id], reread=action in REPORTING_ACTIONS)
    else:
        site_id = _int(event.data.get("site_id") or event.object_id)
        if site_id is None:
            return
        rollups_enqueue(Hazard.objects.filter(site_id=site_id).values_list("pk", flat=True))
    flush_soon()


# A flush is scheduled at most this often by one process; it runs that long after the first
# event it covers, so the events of a burst share it.
FLUSH_DELAY = timedelta(seconds=1)
_flush_scheduled_until = 0.0


def flush_soon() -> None:
    """Have the queue flushed: at once where tasks cannot wait (the test suite's immediate
    backend: the caller sees the figures on return), else by a ``rollups_flush_task``
    enqueued to run ``FLUSH_DELAY`` from now, unless this process already scheduled one that
    has not run yet. The hourly sweep flushes too, should a scheduled flush be lost."""
    global _flush_scheduled_until
    from .tasks import rollups_flush_task

    if not default_task_backend.supports_defer:
        rollups_flush()
        return
    now = time.monotonic()
    if now < _flush_scheduled_until:
        return
    _flush_scheduled_until = now + FLUSH_DELAY.total_seconds()
    run_after = timezone.now() + FLUSH_DELAY
    transaction.on_commit(lambda: rollups_flush_task.using(run_after=run_after).enqueue())


def site_rollups(event: OutboxEvent) -> None:
    """Refresh the site counts of the event's site. A hazard event refreshes its site only
    when it can move the site's risk level (a major hazard, or one regraded from major)."""
    data = event.data or {}
    if event.topic.startswith(HAZARD_PREFIX):
        grades = {data.get("grade"), *((data.get("changes") or {}).get("grade") or ())}
        if "major" not in grades:
            return
    site_id = _int(data.get("site_id"))
    if site_id is None and event.topic.startswith("registry.site."):
        site_id = _int(event.object_id)
    if site_id is not None:
        commit_without_waiting()
        sites_refresh([site_id])
