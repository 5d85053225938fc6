"""``verify_history``'s work: the ledger checked against its chains, its audit trail and the
signed checkpoints this instance trusts.

Steps:
1. gather the checkpoints of this instance (``INTEGRITY_INSTANCE``): those stored here and
   those of files given (copies held elsewhere, which win over a stored one that differs);
   keep those whose signature verifies with a trusted key (a stored one that does not was
   altered in the database: reported);
2. fold them into the head each one attests for each hazard (``checkpoints.fold``): a gap in
   the run or a list that does not add up to its signed state is reported;
3. recompute the audit trail's chain and compare it with each checkpoint's audit head
   (``audit.chain.audit_verify``);
4. check every hazard (``hazards.verification.verify_ledger``) with those heads, the audit
   positions the checkpoints prove, and the latest checkpoint's time.

What this cannot see: a change made after the latest checkpoint that keeps every chain, the
audit trail and the state consistent (docs/integrity.md says exactly what is detectable).
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from hazardledger.audit.chain import AuditCheck, AuditProblem, audit_verify
from hazardledger.hazards.history import Problem
from hazardledger.hazards.verification import Attestation, LedgerCheck, verify_ledger

from .checkpoints import SignedCheckpoint, fold
from .keys import signature_valid, trusted_keys
from .models import Checkpoint
from .services import instance_name, signed


def label(item: SignedCheckpoint) -> str:
    """How a report names a checkpoint."""
    at = item.document["_at"]
    return f"checkpoint #{item.number} of {item.instance}, {at:%Y-%m-%d %H:%M} UTC"


@dataclass
class IntegrityReport:
    """Everything ``verify_history`` found, for the command (and tests) to print."""

    ledger: LedgerCheck
    audit: AuditCheck
    # Problems with the checkpoints themselves (not of one hazard).
    checkpoint_problems: list[str] = field(default_factory=list)
    used: list[SignedCheckpoint] = field(default_factory=list)
    held_hazards: int = 0

    @property
    def problems(self) -> list[Problem | AuditProblem | str]:
        found: list[Problem | AuditProblem | str] = list(self.checkpoint_problems)
        found.extend(self.audit.problems or [])
        found.extend(self.ledger.problems)
        return found

    @property
    def latest(self) -> SignedCheckpoint | None:
        return self.used[-1] if self.used else None

    @property
    def formats(self) -> Counter[int]:
        return self.ledger.formats


def _gather(
    files: Sequence[Iterable[SignedCheckpoint]], problems: list[str]
) -> list[SignedCheckpoint]:
    """The trusted checkpoints of this instance, by number (step 1)."""
    instance = instance_name()
    keys = trusted_keys()
    chosen: dict[int, SignedCheckpoint] = {}
    held_elsewhere: set[int] = set()
    for items in files:
        for item in items:
            if item.instance != instance:
                continue
            public = keys.get(item.document["key"])
            if public is None or not signature_valid(public, item.header.encode(), item.signature):
                problems.append(
                    f"checkpoint #{item.number} in the file given is not signed by a trusted key: "
                    "ignored"
                )
                continue
            chosen[item.number] = item
            held_elsewhere.add(item.number)
    for row in Checkpoint.objects.filter(instance=instance).order_by("number"):
        try:
            item = signed(row)
        except (ValueError, OSError, EOFError, zlib.error):
            problems.append(
                f"checkpoint #{row.number} stored here is malformed: altered in the database"
            )
            continue
        public = keys.get(item.document["key"])
        if public is None:
            problems.append(
                f"checkpoint #{row.number} stored here is signed by key {item.document['key']}, "
                "which is not trusted here (INTEGRITY_TRUSTED_KEYS): it proves nothing"
            )
            continue
        valid = signature_valid(public, item.header.encode(), item.signature)
        if not valid or item.number != row.number or item.instance != row.instance:
            problems.append(
                f"checkpoint #{row.number} stored here does not verify with a trusted key: "
                "altered in the database"
            )
            continue
        other = chosen.get(item.number)
        if other is not None:
            if other.header != item.header:
                problems.append(
                    f"checkpoint #{item.number} stored here differs from the copy held "
                    f"elsewhere ({label(other)}): the copy held elsewhere is used; the one here "
                    "was replaced by someone holding the key"
                )
                continue
            if other.full or not item.full:
                continue
        try:
            item.check_entries()
        except ValueError:
            problems.append(
                f"the list of checkpoint #{item.number} stored here does not match its signed "
                "digest: altered in the database"
            )
            continue
        chosen[item.number] = item
    return [chosen[number] for number in sorted(chosen)]


def verify_integrity(
    *,
    hazard_ids: Iterable[int] | None = None,
    files: Sequence[Iterable[SignedCheckpoint]] = (),
    read_files: bool = False,
    jobs: int = 1,
) -> IntegrityReport:
    """Check the ledger as the module docstring says; ``files`` are checkpoint files held
    elsewhere (parsed, ``checkpoints.parse_file``), ``read_files`` re-reads every stored
    evidence file, ``jobs`` checks the hazards in that many processes."""
    checkpoint_problems: list[str] = []
    run = _gather(files, checkpoint_problems)
    folded = fold(run)
    for first, last in folded.gaps:
        span = f"#{first}" if first == last else f"#{first}–#{last}"
        checkpoint_problems.append(
            f"checkpoints {span} are not held here (deleted, or never imported): hazards "
            "changed only in them are checked against an earlier checkpoint"
        )
    for number in folded.broken_links:
        checkpoint_problems.append(
            f"checkpoint #{number} does not follow checkpoint #{number - 1}: one of them was "
            "replaced"
        )
    if not folded.state_ok and run:
        checkpoint_problems.append(
            f"the checkpoints held do not add up to the hazards {label(run[-1])} commits to: "
            "a hazard's head was dropped from a later checkpoint's list"
        )
    by_number = {item.number: item for item in run}
    attested = {
        pk: Attestation(
            seq=held.seq,
            head=held.head,
            label=label(by_number[held.number]),
            at=by_number[held.number].document["_at"],
        )
        for pk, held in folded.heads.items()
    }
    anchors = {
        item.document["audit"]["seq"]: (item.document["audit"]["head"], label(item))
        for item in run
        if item.document["audit"]["seq"] > 0
    }
    audit = audit_verify(anchors=anchors)
    audit_label = ""
    for item in run:
        if 0 < item.document["audit"]["seq"] <= audit.proven_upto:
            audit_label = label(item)
    # Without a gap, a hazard recorded before the latest checkpoint must be held by the run.
    latest = run[-1] if run and folded.complete else None
    ledger = verify_ledger(
        hazard_ids=hazard_ids,
        attested=attested,
        audit_proven_upto=audit.proven_upto,
        audit_label=audit_label,
        latest=Attestation(0, "", label(latest), latest.document["_at"]) if latest else None,
        files=read_files,
        jobs=jobs,
    )
    return IntegrityReport(
        ledger=ledger,
        audit=audit,
        checkpoint_problems=checkpoint_problems,
        used=run,
        held_hazards=len(folded.heads),
    )
