"""The audit trail's hash chain: sealing new entries into it, and checking it.

Entries are written by many transactions at once; chaining them as they are written would make
every writer wait for the one before (a lock on a shared head) and would break as soon as an
app inserted entries in bulk. So the chain is made afterwards: ``audit_seal`` (each signed
checkpoint runs it) takes every entry not yet in the chain, in the order of their ids, gives
each the next position (``chain_seq``) and ``chain_hash`` = SHA-256 of the previous entry's
hash and the entry's canonical JSON (``audit_canonical``). An entry that committed late, behind
a higher id already sealed, simply joins at the next seal. The chain's head (position and
hash) goes into the checkpoint, signed; ``audit_verify`` recomputes the chain from the entries
and compares it with those heads, so an entry edited or deleted before a checkpoint shows.

Entries written since the last seal are outside the chain: like anything after the last
checkpoint, changes to them are not detectable from the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from .models import GENESIS_HASH, AuditChainHead, AuditEvent

# The columns the hash covers, in this order when read (``values_list``).
CHAINED_FIELDS = (
    "id",
    "created_at",
    "action",
    "actor_id",
    "actor_name",
    "actor_role",
    "organisation_id",
    "organisation_name",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "data",
    "request_id",
)
SEAL_BATCH = 5000


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def audit_canonical(values: tuple[Any, ...], *, seq: int, prev: str) -> bytes:
    """The bytes an entry's chain hash covers: its columns (``CHAINED_FIELDS`` order, as read
    from the database), its position and the previous entry's hash, as JSON with sorted keys,
    no spaces, UTF-8, the time in UTC with microseconds."""
    document = dict(zip(CHAINED_FIELDS, values, strict=True))
    document["created_at"] = _utc(document["created_at"])
    document["seq"] = seq
    document["prev"] = prev
    return json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder
    ).encode()


def audit_entry_hash(values: tuple[Any, ...], *, seq: int, prev: str) -> str:
    return hashlib.sha256(audit_canonical(values, seq=seq, prev=prev)).hexdigest()


@dataclass(frozen=True)
class ChainHead:
    """Where the sealed chain ends: ``seq`` entries, the last one's hash ``head``; ``sealed``
    is how many entries the seal that returned it took in."""

    seq: int
    head: str
    sealed: int = 0


def audit_seal(*, batch: int = SEAL_BATCH) -> ChainHead:
    """Take every entry not yet in the chain into it and return the new head.

    Steps: lock the head row (so two seals never overlap; on SQLite the write transaction
    already serialises them); read the unsealed entries in id order, ``batch`` at a time, as the
    database returns them; number and hash each after the previous; write positions and hashes;
    move the head. Runs in the caller's transaction when there is one (a checkpoint), else in
    its own.
    """
    with transaction.atomic():
        head_row, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        seq, prev = head_row.seq, head_row.head
        sealed = 0
        last_id = 0
        while True:
            rows = list(
                AuditEvent.objects.filter(chain_seq__isnull=True, id__gt=last_id)
                .order_by("id")
                .values_list(*CHAINED_FIELDS)[:batch]
            )
            if not rows:
                break
            params = []
            for values in rows:
                seq += 1
                prev = audit_entry_hash(values, seq=seq, prev=prev)
                params.append((seq, prev, values[0]))
            _write_seals(params)
            sealed += len(rows)
            last_id = rows[-1][0]
        if sealed:
            head_row.seq, head_row.head, head_row.sealed_at = seq, prev, timezone.now()
            head_row.save(update_fields=["seq", "head", "sealed_at"])
        return ChainHead(seq=seq, head=prev, sealed=sealed)


def _write_seals(params: list[tuple[int, str, int]]) -> None:
    """Write ``(position, hash, id)`` triples: on PostgreSQL as one ``UPDATE … FROM (VALUES …)``
    per page (a million entries, the first seal of an existing trail, in minutes not hours);
    on SQLite, in-process, one prepared statement per entry."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values = ", ".join(["(%s::bigint, %s::varchar, %s::bigint)"] * len(params))
            cursor.execute(
                f"UPDATE {table} AS a SET chain_seq = v.seq, chain_hash = v.hash "  # noqa: S608
                f"FROM (VALUES {values}) AS v(seq, hash, id) WHERE a.id = v.id",
                [value for row in params for value in row],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET chain_seq = %s, chain_hash = %s WHERE id = %s",  # noqa: S608
                params,
            )


@dataclass(frozen=True)
class AuditProblem:
    """One break in the audit chain: at ``seq`` (entry ``entry_id``, when it exists)."""

    seq: int
    entry_id: int | None
    message: str
    proof: str = ""

    def __str__(self) -> str:
        where = f"audit trail position {self.seq}"
        if self.entry_id is not None:
            where += f" (entry {self.entry_id})"
        text = f"{where}: {self.message}"
        return f"{text} [{self.proof}]" if self.proof else text


@dataclass
class AuditCheck:
    """What ``audit_verify`` found: how many sealed entries, where the chain ends as stored,
    how many entries are not sealed yet, and the problems."""

    entries: int = 0
    seq: int = 0
    head: str = GENESIS_HASH
    unsealed: int = 0
    problems: list[AuditProblem] | None = None
    # Positions up to which the chain matches every anchor checked (0: none, or a break).
    proven_upto: int = 0


def _sealed_rows(batch: int) -> Iterator[tuple[Any, ...]]:
    """The sealed entries in chain order, read in pages by position (memory stays flat)."""
    last = 0
    while True:
        rows = list(
            AuditEvent.objects.filter(chain_seq__gt=last)
            .order_by("chain_seq")
            .values_list("chain_seq", "chain_hash", *CHAINED_FIELDS)[:batch]
        )
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def audit_verify(
    *, anchors: Mapping[int, tuple[str, str]] | None = None, batch: int = SEAL_BATCH
) -> AuditCheck:
    """Recompute the sealed chain and compare it with ``anchors``.

    ``anchors`` maps a position to ``(hash, label)``: the audit heads signed checkpoints hold
    (the label names the checkpoint in the report). Reports, by position: an entry whose content
    no longer matches its hash (edited), a gap (entries deleted), a position held twice, and an
    anchor the chain does not pass through (the chain was rewritten before that checkpoint,
    or cut back). ``proven_upto`` is the last anchored position the chain reaches intact.
    """
    anchors = dict(anchors or {})
    check = AuditCheck(problems=[])
    problems = check.problems
    assert problems is not None
    expected = 1
    prev = GENESIS_HASH
    intact = True
    for row in _sealed_rows(batch):
        seq, stored, values = row[0], row[1], row[2:]
        check.entries += 1
        if seq > expected:
            problems.append(
                AuditProblem(
                    expected,
                    None,
                    f"entries {expected}–{seq - 1} are missing from the chain (deleted)"
                    if seq - 1 > expected
                    else f"entry {expected} is missing from the chain (deleted)",
                )
            )
            intact = False
        recomputed = audit_entry_hash(values, seq=seq, prev=prev)
        if recomputed != stored:
            problems.append(
                AuditProblem(
                    seq, values[0], "altered: its content no longer matches its place in the chain"
                )
            )
            intact = False
        anchor = anchors.get(seq)
        if anchor is not None:
            if stored != anchor[0] or recomputed != anchor[0]:
                problems.append(
                    AuditProblem(
                        seq,
                        values[0],
                        "is not the entry the checkpoint holds at this position: the audit "
                        "trail was rewritten before it",
                        anchor[1],
                    )
                )
                intact = False
            elif intact:
                check.proven_upto = seq
        prev = stored
        expected = seq + 1
        check.seq, check.head = seq, stored
    pending = sorted(s for s in anchors if s > check.seq)
    if pending:
        # Anchors past the stored chain: a database restored from a backup taken before the
        # checkpoint sealed its entries, or seals wiped. Continue the chain over the unsealed
        # entries in id order, as the seal did.
        seq, head = check.seq, check.head
        for values in _unsealed_rows(batch):
            seq += 1
            head = audit_entry_hash(values, seq=seq, prev=head)
            check.unsealed += 1
            anchor = anchors.get(seq)
            if anchor is None:
                continue
            pending.remove(seq)
            if head != anchor[0]:
                problems.append(
                    AuditProblem(
                        seq,
                        values[0],
                        "the entries not sealed here do not chain up to the checkpoint's head "
                        "at this position: the audit trail was changed before it",
                        anchor[1],
                    )
                )
                intact = False
            elif intact:
                check.proven_upto = seq
            if not pending:
                break
    for seq in pending:
        problems.append(
            AuditProblem(
                seq,
                None,
                f"the chain ends at position {check.seq + check.unsealed}, but the checkpoint "
                f"holds position {seq}: entries were deleted",
                anchors[seq][1],
            )
        )
    check.unsealed = AuditEvent.objects.filter(chain_seq__isnull=True).count()
    return check


def _unsealed_rows(batch: int) -> Iterator[tuple[Any, ...]]:
    """The entries not in the chain, by id (the order the next seal takes them in)."""
    last = 0
    while True:
        rows = list(
            AuditEvent.objects.filter(chain_seq__isnull=True, id__gt=last)
            .order_by("id")
            .values_list(*CHAINED_FIELDS)[:batch]
        )
        if not rows:
            return
        yield from rows
        last = rows[-1][0]
