"""Background tasks of the rollups (run by the database worker); they call ``rollups``."""

from __future__ import annotations

from django_tasks import task

from .rollups import rollups_flush, rollups_time_sweep, sites_reconcile


@task()
def rollups_flush_task() -> int:
    """The queued hazards' rollups (enqueued by the handler a second after a change)."""
    return rollups_flush()


@task()
def rollups_time_sweep_task() -> int:
    """Periodic, hourly (and so just after local midnight): what is still queued, hazards that
    turned overdue or review-overdue with no event, then sites whose counted risk level is
    stale."""
    return rollups_flush() + rollups_time_sweep() + sites_reconcile()
