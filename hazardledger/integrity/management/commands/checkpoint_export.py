"""``manage.py checkpoint_export``: write a signed checkpoint file for another instance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hazardledger.core.errors import Conflict
from hazardledger.integrity.models import Checkpoint
from hazardledger.integrity.services import checkpoint_export, instance_name


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint file (gzip JSON): the latest checkpoint, or --number N; "
        "with --since M every checkpoint from M on; with --full the whole list of hazards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--number", type=int, help="The checkpoint (default: the latest).")
        parser.add_argument("--since", type=int, help="Every checkpoint from this number on.")
        parser.add_argument("--full", action="store_true", help="The whole list of hazards.")
        parser.add_argument("--instance", default="", help="Another instance's checkpoints.")
        parser.add_argument("--out", required=True, help="The file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        instance = options["instance"] or instance_name()
        rows = Checkpoint.objects.filter(instance=instance).order_by("-number")
        if options["number"] is not None:
            rows = rows.filter(number=options["number"])
        checkpoint = rows.first()
        if checkpoint is None:
            raise CommandError(f"No such checkpoint of {instance} here.")
        try:
            data = checkpoint_export(
                checkpoint=checkpoint, full=options["full"], since=options["since"]
            )
        except Conflict as exc:
            raise CommandError(str(exc)) from exc
        Path(options["out"]).write_bytes(data)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote checkpoint #{checkpoint.number} of {instance} to {options['out']} "
                f"({len(data)} bytes)."
            )
        )
