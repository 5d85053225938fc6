"""Taking, exporting and importing signed checkpoints."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hazardledger.access.scope import ScopeViolation, ensure_in_scope
from hazardledger.audit.chain import audit_seal
from hazardledger.audit.models import AuditChainHead
from hazardledger.audit.services import record as audit_record
from hazardledger.core.errors import Conflict, Invalid
from hazardledger.hazards.models import Hazard
from hazardledger.regions.models import Region

from .checkpoints import (
    HEADER_FORMAT,
    BadCheckpoint,
    SignedCheckpoint,
    entry_line,
    file_bytes,
    fold,
    header_bytes,
    header_hash,
    lines_digest,
    pack_lines,
    parse_file,
    parse_header,
    utc_text,
)
from .choices import CheckpointOrigin
from .keys import key_id, public_key_text, sign, signature_valid, signing_key, trusted_keys
from .models import ChainHead, Checkpoint

BATCH = 5000


class NoSigningKey(Conflict):
    """No signing key is configured: no checkpoint can be signed."""

    default_message = gettext_lazy(
        "No signing key is configured (INTEGRITY_SIGNING_KEY_FILE): no checkpoint can be "
        "signed. See docs/operations.md."
    )


def instance_name() -> str:
    return str(settings.INTEGRITY_INSTANCE)


@dataclass(frozen=True)
class CheckpointTaken:
    """What ``checkpoint_create`` did: the checkpoint (the new one, or the latest when nothing
    changed since) and whether it is new."""

    checkpoint: Checkpoint
    created: bool


def _changed_heads() -> list[tuple[int, int, str]]:
    """The hazards whose anchor differs from the head the last checkpoint took (new hazards
    included), by id."""
    same = ChainHead.objects.filter(
        hazard_id=OuterRef("pk"), seq=OuterRef("history_seq"), head=OuterRef("history_head")
    )
    return list(
        Hazard.objects.filter(~Exists(same))
        .order_by("pk")
        .values_list("pk", "history_seq", "history_head")
    )


def _state() -> tuple[str, int, int]:
    """The digest of every held head (after this checkpoint's changes), how many hazards and
    how many events they have; read in pages by id, so memory stays flat."""
    digest = hashlib.sha256()
    count = events = 0
    last = -1
    while True:
        rows = list(
            ChainHead.objects.filter(hazard_id__gt=last)
            .order_by("hazard_id")
            .values_list("hazard_id", "seq", "head")[:BATCH]
        )
        if not rows:
            break
        for pk, seq, head in rows:
            digest.update(f"{entry_line(pk, seq, head)}\n".encode())
            count += 1
            events += seq
        last = rows[-1][0]
    return digest.hexdigest(), count, events


def _new_entries(previous: Checkpoint) -> bool:
    """True when the audit trail has entries sealed after ``previous`` besides the records of
    checkpoints themselves (which would otherwise call for a new checkpoint every time)."""
    from hazardledger.audit.models import AuditEvent

    since = previous.document.get("audit", {}).get("seq", 0)
    return (
        AuditEvent.objects.filter(chain_seq__gt=since)
        .exclude(action__startswith="integrity.checkpoint.")
        .exists()
    )


def checkpoint_create(*, actor: Any = None) -> CheckpointTaken:
    """Take a checkpoint now, unless nothing changed since the latest one.

    Steps, in one transaction:
    1. lock the audit chain's head row (one checkpoint at a time; on SQLite the write
       transaction already serialises them);
    2. read every hazard whose anchor (``history_seq``, ``history_head``) differs from the head
       the last checkpoint took (``ChainHead``): the delta; update those heads;
    3. seal the audit trail's new entries into its chain (``audit.chain.audit_seal``);
    4. when no hazard changed and no audit entry but the checkpoints' own records was written
       since the latest checkpoint, return it (nothing to attest);
    5. else build the header (the previous checkpoint's hash, the audit head, the hazards' count,
       events, the delta's and the whole state's digests), sign it with the instance's key and
       store it with the delta; write an audit entry.

    Raises ``NoSigningKey`` when no key is configured (``tasks.checkpoint_task`` then only
    seals the audit trail).
    """
    key = signing_key()
    if key is None:
        raise NoSigningKey
    instance = instance_name()
    region_code = str(settings.INTEGRITY_REGION)
    region = Region.objects.filter(pk=region_code).first()
    if region is None:
        raise ImproperlyConfigured(f"INTEGRITY_REGION: no division has the code {region_code!r}")
    with transaction.atomic():
        AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        previous = Checkpoint.objects.filter(instance=instance).order_by("-number").first()
        if previous is None:
            # A first checkpoint lists every hazard, whatever an earlier run left here.
            ChainHead.objects.all().delete()
        now = timezone.now()
        changed = _changed_heads()
        if changed:
            ChainHead.objects.bulk_create(
                [ChainHead(hazard_id=pk, seq=seq, head=head) for pk, seq, head in changed],
                batch_size=BATCH,
                update_conflicts=True,
                unique_fields=["hazard_id"],
                update_fields=["seq", "head"],
            )
        audit = audit_seal()
        if previous is not None and not changed and not _new_entries(previous):
            return CheckpointTaken(previous, created=False)
        state, count, events = _state()
        lines = [entry_line(pk, seq, head) for pk, seq, head in changed]
        public = key.public_key()
        document: dict[str, Any] = {
            "format": HEADER_FORMAT,
            "instance": instance,
            "region": region_code,
            "number": previous.number + 1 if previous else 1,
            "created_at": utc_text(now),
            "previous": header_hash(previous.header) if previous else "",
            "key": key_id(public),
            "audit": {"seq": audit.seq, "head": audit.head},
            "hazards": {
                "count": count,
                "events": events,
                "changed": len(lines),
                "delta": lines_digest(lines),
                "state": state,
            },
        }
        header = header_bytes(document).decode()
        checkpoint = Checkpoint.objects.create(
            instance=instance,
            number=document["number"],
            region=region,
            created_at=now,
            header=header,
            signature=sign(key, header.encode()),
            key_id=document["key"],
            entries=pack_lines(lines),
            origin=CheckpointOrigin.LOCAL,
        )
        audit_record(
            actor=actor,
            action="integrity.checkpoint.create",
            obj=checkpoint,
            object_repr=str(checkpoint),
            data={
                "number": checkpoint.number,
                "header_hash": header_hash(header),
                "hazards_changed": len(lines),
                "audit_seq": audit.seq,
            },
            at=now,
        )
    return CheckpointTaken(checkpoint, created=True)


def signed(checkpoint: Checkpoint) -> SignedCheckpoint:
    """A stored checkpoint as it travels; ``BadCheckpoint`` when its header is malformed (an
    altered row)."""
    item = SignedCheckpoint(
        header=checkpoint.header,
        signature=checkpoint.signature,
        entries=checkpoint.entry_lines(),
        full=checkpoint.entries_full,
    )
    item.document = parse_header(item.header)
    return item


def signature_status(item: SignedCheckpoint) -> bool | None:
    """True when the checkpoint's signature verifies with a trusted key, False when it does
    not, None when its key is not trusted here."""
    public = trusted_keys().get(str(item.document.get("key", "")))
    if public is None:
        return None
    return signature_valid(public, item.header.encode(), item.signature)


def checkpoint_export(
    *, checkpoint: Checkpoint, full: bool = False, since: int | None = None
) -> bytes:
    """The signed file of ``checkpoint`` (its delta), or with ``full`` its whole state (folded
    from the checkpoints stored here, checked against its signed digest), or with ``since`` every
    stored checkpoint of its instance from number ``since`` to it.

    Raises ``Conflict`` when a full list cannot be made here (checkpoints missing, or their
    entries do not add up to the signed state).
    """
    rows = Checkpoint.objects.filter(instance=checkpoint.instance, number__lte=checkpoint.number)
    if full:
        run = [signed(c) for c in rows.order_by("number")]
        folded = fold(_from_last_full(run))
        if not folded.complete or not folded.state_ok:
            raise Conflict(
                _("The full list cannot be made here: earlier checkpoints are missing or altered.")
            )
        item = signed(checkpoint)
        item.full = True
        item.entries = [
            entry_line(pk, held.seq, held.head) for pk, held in sorted(folded.heads.items())
        ]
        items = [item]
    elif since is not None:
        items = [signed(c) for c in rows.filter(number__gte=since).order_by("number")]
    else:
        items = [signed(checkpoint)]
    keys = trusted_keys()
    public = {k: public_key_text(keys[k]) for k in {i.document["key"] for i in items} if k in keys}
    return file_bytes(items, public)


def _from_last_full(run: list[SignedCheckpoint]) -> list[SignedCheckpoint]:
    """The run from its last full list on (what a fold needs)."""
    for index in range(len(run) - 1, -1, -1):
        if run[index].full:
            return run[index:]
    return run


@dataclass(frozen=True)
class ImportResult:
    """What ``checkpoint_import`` stored, and how many of the file's it already held."""

    created: list[Checkpoint]
    existing: int


def checkpoint_import(*, data: bytes, actor: Any) -> ImportResult:
    """Store the checkpoints of a signed file (``checkpoints.parse_file``).

    Each must be signed by a trusted key (this instance's, or one of
    ``INTEGRITY_TRUSTED_KEYS``) and its entries must hash to its signed digest. A checkpoint
    already held (same instance and number, same header) is skipped; one whose header differs
    from the held one is refused: two different signed statements with one number mean one of
    them is forged, or the key was misused. The checkpoint's region must lie in the actor's
    scope. All or nothing.

    Raises ``Invalid`` (with what is wrong) otherwise.
    """
    try:
        items = parse_file(data)
    except BadCheckpoint as exc:
        raise Invalid({"file": [_("This is not a valid checkpoint file: %s.") % exc]}) from exc
    keys = trusted_keys()
    created: list[Checkpoint] = []
    existing = 0
    with transaction.atomic():
        for item in items:
            label = f"{item.instance} #{item.number}"
            public = keys.get(item.document["key"])
            if public is None:
                raise Invalid(
                    {
                        "file": [
                            _(
                                "Checkpoint %(label)s is signed by key %(key)s, which is not "
                                "trusted here (INTEGRITY_TRUSTED_KEYS)."
                            )
                            % {"label": label, "key": item.document["key"]}
                        ]
                    }
                )
            if not signature_valid(public, item.header.encode(), item.signature):
                raise Invalid(
                    {
                        "file": [
                            _("The signature of checkpoint %(label)s is not valid.")
                            % {"label": label}
                        ]
                    }
                )
            held = Checkpoint.objects.filter(instance=item.instance, number=item.number).first()
            if held is not None:
                if held.header != item.header:
                    raise Invalid(
                        {
                            "file": [
                                _(
                                    "A different checkpoint %(label)s is already held here: one "
                                    "of the two is forged, or the key was misused."
                                )
                                % {"label": label}
                            ]
                        }
                    )
                existing += 1
                continue
            region = Region.objects.filter(pk=item.document["region"]).first()
            if region is None:
                raise Invalid(
                    {
                        "file": [
                            _("Checkpoint %(label)s names an unknown region.") % {"label": label}
                        ]
                    }
                )
            checkpoint = Checkpoint.objects.create(
                instance=item.instance,
                number=item.number,
                region=region,
                created_at=item.document["_at"],
                header=item.header,
                signature=item.signature,
                key_id=item.document["key"],
                entries=pack_lines(item.entries),
                entries_full=item.full,
                origin=CheckpointOrigin.IMPORTED,
                imported_at=timezone.now(),
                imported_by=actor if getattr(actor, "pk", None) else None,
            )
            if actor is not None:
                try:
                    ensure_in_scope(checkpoint, actor)
                except ScopeViolation as exc:
                    raise Invalid(
                        {
                            "file": [
                                _("Checkpoint %(label)s is of a region outside your area.")
                                % {"label": label}
                            ]
                        }
                    ) from exc
            audit_record(
                actor=actor,
                action="integrity.checkpoint.import",
                obj=checkpoint,
                object_repr=str(checkpoint),
                data={"number": item.number, "header_hash": header_hash(item.header)},
            )
            created.append(checkpoint)
    return ImportResult(created, existing)
