"""Run the periodic-job scheduler (one per deployment; a second one waits as a standby)."""

from __future__ import annotations

import contextlib
import signal
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from hazardledger.core.periodic import Scheduler, periodic_jobs


class Command(BaseCommand):
    help = (
        "Enqueue the registered periodic jobs on their cron schedules for the database worker "
        "(manage.py db_worker). Safe to run on several hosts: one holds the lease and fires, "
        "the others stand by, and every tick is enqueued once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--for-seconds",
            type=float,
            default=None,
            help="Stop after this many seconds (default: run until stopped).",
        )
        parser.add_argument(
            "--poll", type=float, default=1.0, help="Seconds between passes (default 1)."
        )
        parser.add_argument(
            "--lease-seconds",
            type=int,
            default=30,
            help="How long the lease lasts without renewal before a standby takes over.",
        )
        parser.add_argument("--list", action="store_true", help="List the jobs and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = periodic_jobs()
        if options["list"]:
            for job in jobs:
                self.stdout.write(f"{job.name}\t{job.cron}\t{job.task.module_path}")
            return
        scheduler = Scheduler(
            jobs=jobs,
            poll=options["poll"],
            lease_ttl=timedelta(seconds=options["lease_seconds"]),
        )
        until = None
        if options["for_seconds"] is not None:
            until = timezone.now() + timedelta(seconds=options["for_seconds"])
        if options["verbosity"] > 0:
            self.stdout.write(f"Scheduler {scheduler.holder}: {len(jobs)} periodic jobs")
        # A service manager stops with SIGTERM: leave through the same path as Ctrl+C, so the
        # lease is released and a standby takes over at once.
        signal.signal(signal.SIGTERM, _interrupt)
        with contextlib.suppress(KeyboardInterrupt):
            scheduler.run(until=until)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
