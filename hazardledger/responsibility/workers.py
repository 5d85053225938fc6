"""The entry points of a tick's worker processes (``services.escalation._tick_processes``).

A ``spawn``ed process starts without Django: it imports this module, which imports no model,
sets Django up from the same settings (``setup``), and only then the job's code
(``share``)."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any


def setup() -> None:
    """The process's initializer: Django, from the parent's environment."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def share(ids: list[int], now: datetime, batch: int) -> Any:
    """Take the steps of ``ids`` (a share of a tick) and return the share's report."""
    from django.db import connections

    from hazardledger.hazards.deadlines import local_today

    from .chain import Chains
    from .services.escalation import TickReport, _Tick, _tick_share, system_actor

    tick = _Tick(local_today(now), now, system_actor(), Chains(), TickReport())
    try:
        _tick_share(tick, ids, batch)
    finally:
        connections.close_all()
    return tick.report
