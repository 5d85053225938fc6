"""``manage.py verify_history``: check the hash chains of the hazard histories, and say which
chain formats they are in (format 1: written before events carried their changes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hazardledger.hazards.history import format_counts, verify_all


class Command(BaseCommand):
    help = (
        "Check every hazard's history: reports each altered, inserted or deleted event by "
        "hazard and event; exits with status 1 when anything is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hazard", type=int, action="append", help="Only this hazard (repeatable)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hazards, events, problems = verify_all(hazard_ids=options["hazard"])
        for problem in problems:
            self.stderr.write(f"TAMPERED {problem}")
        summary = f"Checked {hazards} hazards and {events} events: {len(problems)} problem(s)."
        formats = format_counts(hazard_ids=options["hazard"])
        for number in sorted(formats):
            what = "without changes" if number == 1 else "with their changes"
            self.stdout.write(f"Chain format version {number} ({what}): {formats[number]} events.")
        if problems:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
