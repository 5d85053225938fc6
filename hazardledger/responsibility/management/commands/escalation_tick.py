"""Run one tick of the escalation job now, in this process (what the scheduler enqueues every
15 minutes); for operators and for the kill test in bench/escalation_kill.py."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from hazardledger.responsibility.constants import TICK_BATCH
from hazardledger.responsibility.services.escalation import escalation_tick


class Command(BaseCommand):
    help = "Take the escalation steps due today, each exactly once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=TICK_BATCH, help="rows per transaction")
        parser.add_argument(
            "--workers", type=int, default=None, help="parallel workers (ESCALATION_WORKERS)"
        )

    def handle(self, *args: Any, batch: int, workers: int | None, **options: Any) -> None:
        started = time.perf_counter()
        report = escalation_tick(batch=max(batch, 1), workers=workers)
        self.stdout.write(f"{report} in {time.perf_counter() - started:.1f}s.")
