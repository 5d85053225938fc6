"""Load the shipped checklists (idempotent: a changed file adds a version, others nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hazardledger.core.transactions import durable_atomic
from hazardledger.inspections.checklists import checklist_files, checklist_load


class Command(BaseCommand):
    help = "Load checklist files (default: the shipped ones) as new versions where they changed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="*", help="checklist TOML files (default: shipped)")

    def handle(self, *args: Any, files: list[str], **options: Any) -> None:
        paths = [Path(f) for f in files] or checklist_files()
        for path in paths:
            try:
                text = path.read_text(encoding="utf-8")
                with durable_atomic():  # each file is loaded whole or not at all
                    checklist, created = checklist_load(text=text)
            except (OSError, ValidationError) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                raise CommandError(f"{path.name}: " + "; ".join(messages)) from exc
            state = "loaded" if created else "unchanged"
            self.stdout.write(f"{path.name}: {checklist.code} v{checklist.version} {state}")
