"""Background tasks of the responsibility app (run by the database worker)."""

from __future__ import annotations

from django_tasks import task


@task()
def escalation_tick_task() -> str:
    """Periodic (``responsibility.escalation``, every 15 minutes): take the escalation steps
    due today, each exactly once (``services.escalation.escalation_tick``, which commits per
    batch); returns what it did."""
    from .services.escalation import escalation_tick

    return str(escalation_tick())
