"""The entry point of a tick's worker processes (``services.escalation._tick_processes``).

A worker process is spawned (``core.processes``): Django is set up by the pool's initializer;
this module imports no model, so that unpickling ``share`` needs nothing more."""

from __future__ import annotations

from datetime import datetime
from typing import Any


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
