"""``manage.py integrity_keygen --out FILE``: make the Ed25519 key that signs checkpoints."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hazardledger.integrity.keys import key_id, public_key_text, signing_key


class Command(BaseCommand):
    help = (
        "Write a new checkpoint signing key (PEM, readable by its owner only) to --out, and "
        "print its public key for the offices that will import this instance's checkpoints. "
        "--show prints the public key of the key configured now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", help="Where to write the private key (must not exist).")
        parser.add_argument("--show", action="store_true", help="Show the configured key.")

    def handle(self, *args: Any, **options: Any) -> None:
        from hazardledger.integrity.keys import generate_key, parse_public_key

        if options["show"]:
            key = signing_key()
            if key is None:
                raise CommandError("No INTEGRITY_SIGNING_KEY is configured.")
            configured = key.public_key()
            self.stdout.write(f"key {key_id(configured)}: {public_key_text(configured)}")
            return
        if not options["out"]:
            raise CommandError("Give --out FILE (or --show).")
        path = Path(options["out"])
        pem, public = generate_key()
        try:
            # O_EXCL: never overwrite a key (the old checkpoints would no longer verify here).
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as exc:
            raise CommandError(f"{path} exists: a key is never overwritten.") from exc
        except OSError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        ident = key_id(parse_public_key(public))
        self.stdout.write(
            f"Wrote the private key to {path} (mode 600). Key {ident}; public key:\n{public}\n"
            f"Set INTEGRITY_SIGNING_KEY_FILE={path.resolve()} for this instance, and give the "
            "public key to the offices that import its checkpoints (their "
            "INTEGRITY_TRUSTED_KEYS)."
        )
