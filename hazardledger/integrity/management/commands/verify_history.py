"""``manage.py verify_history``: check the ledger against its hash chains, its audit trail and
the signed checkpoints this instance trusts; every problem names the hazard, the event, what
differs and the checkpoint that proves it. Exits with status 1 when anything is wrong."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hazardledger.integrity.checkpoints import BadCheckpoint, parse_file
from hazardledger.integrity.verify import IntegrityReport, label, verify_integrity


class Command(BaseCommand):
    help = (
        "Check every hazard's history, its state replayed from the history, its plans and "
        "evidence, the audit trail and the signed checkpoints; reports each problem by hazard "
        "and event with the checkpoint that proves it; exits with status 1 when anything is "
        "wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hazard", type=int, action="append", help="Only this hazard (repeatable)."
        )
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="FILE",
            help="A checkpoint file held elsewhere (repeatable); it wins over a stored copy.",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="Check the hazards in this many processes (default 1).",
        )
        parser.add_argument(
            "--files",
            action="store_true",
            help="Also re-read every stored evidence file and compare its hash (slow).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        held = []
        for name in options["checkpoint"]:
            try:
                held.append(parse_file(Path(name).read_bytes()))
            except (OSError, BadCheckpoint) as exc:
                raise CommandError(f"{name}: {exc}") from exc
        started = time.monotonic()
        if options["jobs"] < 1:
            raise CommandError("--jobs must be at least 1.")
        report = verify_integrity(
            hazard_ids=options["hazard"],
            files=held,
            read_files=options["files"],
            jobs=options["jobs"],
        )
        elapsed = time.monotonic() - started
        for problem in report.problems:
            self.stderr.write(f"TAMPERED {problem}")
        self._summary(report, elapsed)
        ledger = report.ledger
        summary = (
            f"Checked {ledger.hazards} hazards and {ledger.events} events: "
            f"{len(report.problems)} problem(s)."
        )
        if report.problems:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def _summary(self, report: IntegrityReport, elapsed: float) -> None:
        ledger, audit = report.ledger, report.audit
        for number in sorted(ledger.formats):
            what = "without changes" if number == 1 else "with their changes"
            self.stdout.write(
                f"Chain format version {number} ({what}): {ledger.formats[number]} events."
            )
        if ledger.partial:
            self.stdout.write(
                f"{ledger.partial} hazard(s) have format 1 events: their chains are verified as "
                "before; their fields are replayed only from their format 2 events on, and "
                "their plans and extension requests are not compared."
            )
        latest = report.latest
        if latest is None:
            self.stdout.write(
                "No trusted checkpoint: a change that keeps every chain and the audit trail "
                "consistent cannot be detected."
            )
        else:
            first = report.used[0].number
            self.stdout.write(
                f"Checkpoints #{first}–#{latest.number} ({len(report.used)} trusted), latest: "
                f"{label(latest)}, key {latest.document['key']}; they hold "
                f"{report.held_hazards} hazards."
            )
        self.stdout.write(
            f"Audit trail: {audit.entries} entries in the chain, {audit.unsealed} not yet sealed; "
            f"proven by the checkpoints up to position {audit.proven_upto}."
        )
        self.stdout.write(
            f"{ledger.unattested_events} events are newer than the checkpoint that holds their "
            "hazard: they are checked for consistency only."
        )
        if ledger.evidence_files:
            self.stdout.write(f"Re-read {ledger.evidence_files} stored evidence files.")
        self.stdout.write(f"Took {elapsed:.1f} s.")
