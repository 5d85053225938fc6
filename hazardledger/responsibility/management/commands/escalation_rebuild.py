"""Build or correct every hazard's escalation row (a new deployment, a restore, a changed
schedule)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from hazardledger.responsibility.services.escalation import escalation_rebuild


class Command(BaseCommand):
    help = "Build or correct the escalation row of every hazard (safe while the job runs)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=5000, help="hazards per transaction")

    def handle(self, *args: Any, batch: int, **options: Any) -> None:
        started = time.perf_counter()
        written = escalation_rebuild(batch=max(batch, 1))
        self.stdout.write(
            f"{written} escalation rows written in {time.perf_counter() - started:.1f}s."
        )
