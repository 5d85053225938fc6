"""``manage.py checkpoint_import FILE …``: store the checkpoints of signed files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hazardledger.core.errors import Invalid
from hazardledger.core.transactions import durable_atomic
from hazardledger.integrity.services import checkpoint_import


class Command(BaseCommand):
    help = "Import signed checkpoint files (each signed by a trusted key)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in options["files"]:
            try:
                data = Path(name).read_bytes()
                with durable_atomic():
                    result = checkpoint_import(data=data, actor=None)
            except OSError as exc:
                raise CommandError(f"{name}: {exc}") from exc
            except Invalid as exc:
                raise CommandError(f"{name}: {'; '.join(exc.messages)}") from exc
            numbers = ", ".join(f"{c.instance} #{c.number}" for c in result.created) or "none"
            self.stdout.write(f"{name}: imported {numbers}; {result.existing} already held.")
