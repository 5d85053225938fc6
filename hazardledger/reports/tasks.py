"""Background tasks of the reports app (run by the database worker)."""

from __future__ import annotations

from django_tasks import task

from .services import report_generate, reports_requeue, returns_remind


@task()
def report_generate_task(report_id: int) -> bool:
    """Make one report's files (enqueued when it is asked for)."""
    return report_generate(report_id=report_id)


@task()
def reports_sweep_task() -> int:
    """Periodic: enqueue reports whose enqueue was lost, fail those whose worker died."""
    return reports_requeue()


@task()
def returns_remind_task() -> int:
    """Periodic (daily): remind enterprises of statistics returns due soon."""
    return returns_remind()
