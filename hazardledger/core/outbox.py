"""The outbox: every change writes an event in its own transaction; handlers run after commit.

A service that changes a hazard, an inspection, a risk assessment or a site calls
``outbox_write`` inside its transaction. When the transaction commits, a task is enqueued that
runs the handlers subscribed to the event's topic (``register_handler`` in an app's
``ready()``) in the task worker. Handlers must be idempotent: an event can be handled again
after a crash or a retry. A handler that raises does not affect the saved change or the user's
answer: the event stays pending, is retried with a growing delay by the periodic
``outbox_sweep``, and the failure is logged and kept on the event (``last_error``).

Apps talk to each other through these events instead of importing each other's services.
"""

from __future__ import annotations

import fnmatch
import logging
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from .models import OutboxEvent

logger = logging.getLogger(__name__)

# A worker's claim on an event lasts this long (a crashed worker's claim then lapses).
CLAIM = timedelta(minutes=5)
# Retry delays grow 1, 2, 4 … minutes up to this.
MAX_DELAY = timedelta(hours=6)
# How many pending events one sweep handles.
SWEEP_BATCH = 500


@dataclass(frozen=True)
class Handler:
    """A named reaction to events whose topic matches one of ``topics`` (fnmatch patterns)."""

    name: str
    topics: tuple[str, ...]
    func: Callable[[OutboxEvent], None]

    def wants(self, topic: str) -> bool:
        return any(fnmatch.fnmatchcase(topic, pattern) for pattern in self.topics)


_HANDLERS: dict[str, Handler] = {}


def register_handler(
    *, name: str, topics: Iterable[str], func: Callable[[OutboxEvent], None]
) -> Handler:
    """Subscribe ``func`` to events whose topic matches ``topics`` (e.g. ``hazards.hazard.*``).

    ``name`` is stable: it is what an event records as handled. Registering a name again
    replaces the handler.
    """
    handler = Handler(name=name, topics=tuple(topics), func=func)
    _HANDLERS[name] = handler
    return handler


def unregister_handler(name: str) -> None:
    """Forget a handler (tests that register their own)."""
    _HANDLERS.pop(name, None)


def handlers_for(topic: str) -> list[Handler]:
    """The handlers subscribed to ``topic``, by name."""
    return [_HANDLERS[name] for name in sorted(_HANDLERS) if _HANDLERS[name].wants(topic)]


def outbox_build(
    *,
    topic: str,
    obj: models.Model,
    actor: Any = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> OutboxEvent:
    """An unsaved event saying that ``obj`` changed (``topic``): for ``outbox_write_many``.

    ``data`` must be JSON-serialisable (dates as ISO strings).
    """
    return OutboxEvent(
        topic=topic,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        region_code=str(getattr(obj, "region_id", "") or ""),
        actor_id=getattr(actor, "pk", None),
        data=data or {},
        created_at=at or timezone.now(),
    )


def outbox_write(
    *,
    topic: str,
    obj: models.Model,
    actor: Any = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> OutboxEvent:
    """Record that ``obj`` changed (``topic``), in the caller's transaction.

    Must run inside ``transaction.atomic()``: the event exists exactly when the change does.
    On commit the event's dispatch is enqueued; if enqueueing fails, the sweep finds it later.
    """
    (event,) = outbox_write_many(
        [outbox_build(topic=topic, obj=obj, actor=actor, data=data, at=at)]
    )
    return event


def outbox_write_many(
    events: Iterable[OutboxEvent], *, batch_size: int = 1000, chunk: int = 1
) -> list[OutboxEvent]:
    """Write built events (``outbox_build``) with bulk inserts, in the caller's transaction,
    and enqueue each one's dispatch when it commits (an import or a draw writes thousands;
    a single change writes one). ``chunk`` > 1 enqueues one task per that many events
    instead (a job writing tens of thousands: one enqueue is one insert). If enqueueing fails
    part-way, the rest are left to the periodic sweep, which dispatches events never
    attempted after a minute."""
    created = OutboxEvent.objects.bulk_create(list(events), batch_size=batch_size)
    event_ids = [event.pk for event in created]
    if event_ids and chunk > 1:
        chunks = [event_ids[i : i + chunk] for i in range(0, len(event_ids), chunk)]
        transaction.on_commit(lambda: _enqueue_chunks(chunks))
    elif event_ids:
        transaction.on_commit(lambda: _enqueue_dispatches(event_ids))
    return created


def _enqueue_chunks(chunks: list[list[int]]) -> None:
    for position, event_ids in enumerate(chunks):
        try:
            outbox_dispatch_chunk_task.enqueue(event_ids)
        except Exception:  # the changes are saved; the sweep will dispatch the events
            logger.exception(
                "could not enqueue %d outbox event chunks; the sweep will dispatch them",
                len(chunks) - position,
            )
            return


def _enqueue_dispatches(event_ids: list[int]) -> None:
    for position, event_id in enumerate(event_ids):
        try:
            outbox_dispatch_task.enqueue(event_id)
        except Exception:  # the changes are saved; the sweep will dispatch the events
            logger.exception(
                "could not enqueue %d outbox events from %s on; the sweep will dispatch them",
                len(event_ids) - position,
                event_id,
            )
            return


def retry_delay(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: 1, 2, 4 … minutes, at most ``MAX_DELAY``."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_DELAY)


def outbox_dispatch(*, event_id: int, now: datetime | None = None) -> bool:
    """Run the event's pending handlers; True when every handler has now handled it.

    Steps:
    1. claim the event with a conditional update (not done, not claimed by a live worker);
       if no row changed, another worker has it or it is done: return its state;
    2. run each subscribed handler not yet in ``handled``, each in its own savepoint, so a
       failing handler rolls back only its own writes;
    3. store which handlers finished; when all did, set ``done_at``; else count the attempt,
       keep the error and set ``retry_at``; release the claim.
    """
    now = now or timezone.now()
    claimed = (
        OutboxEvent.objects.filter(pk=event_id, done_at__isnull=True)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + CLAIM)
    )
    if claimed != 1:
        return OutboxEvent.objects.filter(pk=event_id, done_at__isnull=False).exists()
    event = OutboxEvent.objects.get(pk=event_id)
    handled = list(event.handled)
    errors = []
    for handler in handlers_for(event.topic):
        if handler.name in handled:
            continue
        try:
            with transaction.atomic():
                handler.func(event)
        except Exception:
            logger.exception("outbox handler %s failed on event %s", handler.name, event_id)
            errors.append(f"{handler.name}: {traceback.format_exc(limit=5)}")
            continue
        handled.append(handler.name)
    if errors:
        attempts = event.attempts + 1
        OutboxEvent.objects.filter(pk=event_id).update(
            handled=handled,
            attempts=attempts,
            last_error="\n".join(errors)[-4000:],
            retry_at=now + retry_delay(attempts),
            locked_until=None,
        )
        return False
    OutboxEvent.objects.filter(pk=event_id).update(
        handled=handled, done_at=now, retry_at=None, locked_until=None, last_error=""
    )
    return True


@task()
def outbox_dispatch_task(event_id: int) -> bool:
    """The worker's entry point for one event (enqueued on commit)."""
    return outbox_dispatch(event_id=event_id)


@task()
def outbox_dispatch_chunk_task(event_ids: list[int]) -> int:
    """The worker's entry point for a chunk of events (``outbox_write_many(chunk=…)``): each
    dispatched as ``outbox_dispatch_task`` would; returns how many are done. One that fails
    stays pending for the sweep, like any other."""
    return sum(outbox_dispatch(event_id=event_id) for event_id in event_ids)


def outbox_pending(*, now: datetime | None = None) -> models.QuerySet[OutboxEvent]:
    """Events the sweep should dispatch: not done, not claimed, and either due for a retry or
    never attempted and older than a minute (their on-commit enqueue was lost)."""
    now = now or timezone.now()
    return (
        OutboxEvent.objects.filter(done_at__isnull=True)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .filter(
            Q(retry_at__lte=now)
            | Q(retry_at__isnull=True, created_at__lte=now - timedelta(minutes=1))
        )
        .order_by("pk")
    )


@task()
def outbox_sweep() -> int:
    """Periodic: dispatch pending events (retries and lost enqueues); return how many are
    now done."""
    done = 0
    for event_id in outbox_pending().values_list("pk", flat=True)[:SWEEP_BATCH]:
        done += outbox_dispatch(event_id=event_id)
    return done
