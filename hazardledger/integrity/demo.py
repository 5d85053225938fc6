"""The integrity app's demo step: a first signed checkpoint of the demo, when a key is set."""

from __future__ import annotations

from typing import Any

from hazardledger.audit.models import AuditChainHead, AuditEvent

from .keys import signing_key
from .models import ChainHead, Checkpoint
from .services import checkpoint_create


def demo_step(ctx: Any) -> None:
    """Take the demo's first checkpoint (only with ``INTEGRITY_SIGNING_KEY`` set)."""
    if signing_key() is None:
        ctx.say("no INTEGRITY_SIGNING_KEY: no checkpoint taken")
        return
    taken = checkpoint_create(actor=None)
    ctx.say(f"checkpoint #{taken.checkpoint.number} signed")


def demo_clear() -> None:
    """Forget the checkpoints and the audit chain (the demo's hazards and their audit entries
    are about to be removed, which any checkpoint would rightly report)."""
    Checkpoint.objects.all().delete()
    ChainHead.objects.all().delete()
    AuditEvent.objects.exclude(chain_seq=None).update(chain_seq=None, chain_hash="")
    AuditChainHead.objects.all().delete()
