"""Rebuild the rollups from the ledger and the registry (set-based SQL), or check them."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hazardledger.reporting.rollups import rollups_rebuild, rollups_snapshot


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Recompute every rollup (hazard and site states, daily and monthly totals, current "
        "counts, site counts) from the ledger with set-based SQL. With --check, compare the "
        "rollups as the handlers kept them with a rebuild, change nothing, and exit with "
        "status 1 when they differ."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Compare with a rebuild without keeping it; exit 1 on any difference.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            self._check()
            return
        started = time.monotonic()
        result = rollups_rebuild(
            report=lambda step, seconds: self.stdout.write(f"  {step}: {seconds:.1f} s")
        )
        self.stdout.write(
            f"Rollups rebuilt from {result.hazards} hazards and {result.sites} sites "
            f"in {time.monotonic() - started:.1f} s."
        )

    def _check(self) -> None:
        kept = rollups_snapshot()
        try:
            with transaction.atomic():
                rollups_rebuild()
                rebuilt = rollups_snapshot()
                raise _Rollback
        except _Rollback:
            pass
        differences = 0
        for table in rebuilt:
            extra = kept[table].keys() - rebuilt[table].keys()
            missing = rebuilt[table].keys() - kept[table].keys()
            changed = [
                key
                for key in kept[table].keys() & rebuilt[table].keys()
                if kept[table][key] != rebuilt[table][key]
            ]
            for key in sorted(missing, key=str)[:20]:
                self.stdout.write(f"{table}: missing {key}: {rebuilt[table][key]}")
            for key in sorted(extra, key=str)[:20]:
                self.stdout.write(f"{table}: not in the ledger {key}: {kept[table][key]}")
            for key in sorted(changed, key=str)[:20]:
                self.stdout.write(
                    f"{table}: {key} is {kept[table][key]}, should be {rebuilt[table][key]}"
                )
            differences += len(extra) + len(missing) + len(changed)
        if differences:
            raise CommandError(
                f"{differences} rollup rows differ from a rebuild: run rollups_rebuild."
            )
        self.stdout.write("The rollups agree with the ledger.")
