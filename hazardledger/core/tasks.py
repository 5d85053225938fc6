"""Background tasks of the core app (run by the database worker)."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from django_tasks import task

from .models import OutboxEvent, PeriodicRun

# How long claimed ticks and finished task results are kept, in days.
JOB_HISTORY_DAYS = 30


@task()
def job_history_prune() -> int:
    """Delete periodic-job claims, handled outbox events and finished task results older than
    ``JOB_HISTORY_DAYS``. Pending outbox events are kept however old they are.

    Returns how many claims and events were deleted (task results are pruned by
    django-tasks-db's own command, which logs its count).
    """
    cutoff = timezone.now() - timedelta(days=JOB_HISTORY_DAYS)
    deleted, _ = PeriodicRun.objects.filter(tick__lt=cutoff).delete()
    events, _ = OutboxEvent.objects.filter(done_at__lt=cutoff).delete()
    deleted += events
    call_command("prune_db_task_results", min_age_days=JOB_HISTORY_DAYS, verbosity=0)
    return deleted


@task()
def stash_prune() -> int:
    """Delete uploads kept for a form or a preview (``core.stash``) once they are too old to
    be used; returns how many files were deleted."""
    from .stash import stash_sweep

    return stash_sweep()
