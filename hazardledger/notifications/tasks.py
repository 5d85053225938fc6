"""Background tasks of notifications (run by the database worker); they call the services."""

from __future__ import annotations

from django_tasks import task

from .services import deliveries_sweep, delivery_attempt, digests_send


@task()
def delivery_send(delivery_id: int) -> bool:
    """Send one delivery (enqueued when the notice's transaction commits)."""
    return delivery_attempt(delivery_id=delivery_id)


@task()
def deliveries_sweep_task() -> int:
    """Periodic, every minute: fail interrupted deliveries and send the due ones."""
    return deliveries_sweep()


@task()
def digest_send_task() -> int:
    """Periodic, daily at 18:00: send each user's held emails as one digest."""
    return digests_send()
