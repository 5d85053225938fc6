"""``manage.py checkpoint_create``: take a signed checkpoint now (unless nothing changed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hazardledger.core.transactions import durable_atomic
from hazardledger.integrity.services import NoSigningKey, checkpoint_create


class Command(BaseCommand):
    help = "Take a signed checkpoint of every hazard's history and of the audit trail now."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with durable_atomic():
                taken = checkpoint_create(actor=None)
        except NoSigningKey as exc:
            raise CommandError(str(exc)) from exc
        checkpoint = taken.checkpoint
        document = checkpoint.document
        if not taken.created:
            self.stdout.write(f"Nothing changed since checkpoint #{checkpoint.number}.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Checkpoint #{checkpoint.number} of {checkpoint.instance} signed with key "
                f"{checkpoint.key_id}: {document['hazards']['changed']} of "
                f"{document['hazards']['count']} hazards changed, audit trail at position "
                f"{document['audit']['seq']}."
            )
        )
