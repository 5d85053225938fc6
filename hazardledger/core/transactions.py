"""Transactions: services compose, entry points commit.

Services are plain ``transaction.atomic()`` blocks, so one service can call another inside its
own transaction (an inspection's draft confirmation records a hazard; a re-check moves one)
and everything commits or rolls back together. Only an **entry point** (a view, a command, a
task) opens the outermost transaction, with ``durable_atomic()``; Django then refuses it
inside another transaction (``RuntimeError``), so a service that opened a durable block by
mistake would show up at once instead of committing half of a caller's work.

Work that must happen only once the data is safe (writing uploaded files, enqueueing outbox
dispatches) is registered with ``transaction.on_commit`` and runs when the entry point's
transaction commits; a rolled-back action leaves nothing behind.
"""

from __future__ import annotations

from django.db import transaction


def durable_atomic(using: str | None = None) -> transaction.Atomic:
    """The outermost transaction of an entry point: ``with durable_atomic(): service(...)``,
    or as a decorator, ``@durable_atomic()``. Raises ``RuntimeError`` when entered inside
    another transaction (tests' own transactions excepted, as Django does)."""
    return transaction.atomic(using=using, durable=True)
