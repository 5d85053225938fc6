"""Test data for the integrity app."""

from __future__ import annotations

from django.utils import timezone

from hazardledger.integrity.checkpoints import (
    HEADER_FORMAT,
    header_bytes,
    lines_digest,
    pack_lines,
    utc_text,
)
from hazardledger.integrity.keys import generate_key, key_id, load_private_key, sign
from hazardledger.integrity.models import Checkpoint


def imported_checkpoint(
    *, region_code: str, instance: str = "county", number: int = 1
) -> Checkpoint:
    """A checkpoint another instance (serving ``region_code``) signed with its own key, as an
    upper office holds it: one hazard, nothing in the audit trail."""
    key = load_private_key(generate_key()[0].decode())
    lines = ["1 1 " + "a" * 64]
    now = timezone.now()
    document = {
        "format": HEADER_FORMAT,
        "instance": instance,
        "region": region_code,
        "number": number,
        "created_at": utc_text(now),
        "previous": "",
        "key": key_id(key.public_key()),
        "audit": {"seq": 0, "head": "0" * 64},
        "hazards": {
            "count": 1,
            "events": 1,
            "changed": 1,
            "delta": lines_digest(lines),
            "state": lines_digest(lines),
        },
    }
    header = header_bytes(document).decode()
    return Checkpoint.objects.create(
        instance=instance,
        number=number,
        region_id=region_code,
        created_at=now,
        header=header,
        signature=sign(key, header.encode()),
        key_id=document["key"],
        entries=pack_lines(lines),
        origin="imported",
        imported_at=now,
    )
