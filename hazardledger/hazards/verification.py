"""Checking the ledger against its history: every hazard's chain, its state replayed from the
chain, its side rows, the audit trail's record of each event, and the heads signed checkpoints
attest.

``verify_ledger`` reads the ledger in batches of hazards (memory stays flat however large it
is) and, for each hazard:

1. **the chain** (``history.verify_chain``): every event's hash, ``seq`` 1, 2, 3 …, each
   ``prev_hash``, and the hazard's anchor (``history_seq``, ``history_head``);
2. **the checkpoint** (``attested``: the head a signed checkpoint holds for the hazard, given
   by the ``integrity`` app as plain data): the chain must still pass through it, i.e. the event
   at the attested number must have the attested hash (a rewritten prefix, an event inserted
   or deleted before it, the history cut back all fail this); an event numbered after it but
   dated before the checkpoint was added afterwards; a hazard whose history starts before the
   checkpoint but that it does not list was inserted afterwards; a hazard it lists that no
   longer exists was deleted;
3. **the audit trail**: each event's entry (``data.event`` and ``data.hash``, written in the
   event's transaction) must name the event's hash; an event without one was added behind the
   application's back, an entry without its event was deleted. Entries sealed into the audit
   chain up to a checkpoint (``audit_proven_upto``) are proven by it, so they name the first
   event that was changed even when every later hash was recomputed;
4. **the state**: the hazard's fields must be the replay of its events' ``changes``
   (``history.replay``); the scope columns (region, sector, enterprise) must be its site's;
5. **the side rows**: each plan must be the one its ``plan`` event filed (with the deadline the
   later events moved and the time the closing event closed it), each evidence row the file its
   event recorded (the stored bytes' hash and the upload's), each extension request the one its
   event made and its decision the one its event took; ``files=True`` also re-reads every
   stored evidence file and compares its hash.

Chains that start in format 1 (written before events carried their changes) are checked as
before (1–3, and evidence hashes); their state and plans cannot be replayed from the start, so
only the fields a format 2 event changed are compared (``partial`` in the result says how many
such hazards there were).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.storage import default_storage

from .choices import ExtensionStatus, HazardAction
from .history import Problem, hazard_state, json_value, verify_chain
from .models import Evidence, ExtensionRequest, Hazard, HazardEvent, RectificationPlan

A = HazardAction

# Columns copied from the site (``TenantRow``): a site move re-copies them without a hazard
# event, so they are compared with the site, not replayed.
SCOPE_FIELDS = ("region", "sector", "organisation")
# The events that close the open plan (``workflow.effects._close_plan``).
PLAN_CLOSING_ACTIONS = frozenset({A.ACCEPT, A.CONFIRM, A.RETURN_PLAN})
PLAN_FIELDS = (
    "responsible_unit",
    "responsible_person",
    "responsible_user_id",
    "measures",
    "funds",
    "deadline",
    "contingency_plan",
    "governance_programme",
)
# An event dated this long before a checkpoint should be in it: transactions are shorter.
CHECKPOINT_MARGIN = timedelta(minutes=15)


@dataclass(frozen=True)
class Attestation:
    """What a signed checkpoint holds for one hazard: its history had ``seq`` events, the
    last with hash ``head``. ``label`` names the checkpoint in reports; ``at`` is when it was
    taken."""

    seq: int
    head: str
    label: str
    at: datetime


@dataclass
class LedgerCheck:
    """What ``verify_ledger`` found."""

    hazards: int = 0
    events: int = 0
    problems: list[Problem] = field(default_factory=list)
    formats: Counter[int] = field(default_factory=Counter)
    # Hazards whose chain starts in format 1: their state is replayed only in part.
    partial: int = 0
    # Events after the latest checkpoint that holds their hazard (or of hazards it does not
    # hold): protected by the consistency checks only.
    unattested_events: int = 0
    evidence_files: int = 0


def _short(value: Any) -> str:
    text = "—" if value in (None, "", [], {}) else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _same(value: Any, expected: Any, *, amount: bool = False) -> bool:
    """Equal as JSON values; amounts by their value (``"800"`` is ``"800.00"``)."""
    if amount and value is not None and expected is not None:
        try:
            return Decimal(str(value)) == Decimal(str(expected))
        except InvalidOperation:
            return False
    return bool(value == expected)


def _proof(attestation: Attestation | None, length: int) -> str:
    if attestation is None:
        return ""
    if attestation.seq >= length:
        return f"{attestation.label} attests events 1–{attestation.seq}"
    return f"{attestation.label} attests events 1–{attestation.seq} of {length}"


# The columns of an event the checks read (``EventRow``), in this order.
EVENT_COLUMNS = (
    "id",
    "hazard_id",
    "region_id",
    "seq",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "actor_name",
    "actor_role",
    "organisation_id",
    "organisation_name",
    "reason",
    "data",
    "created_at",
    "format",
    "changes",
    "prev_hash",
    "hash",
)


@dataclass(slots=True)
class EventRow:
    """An event as the checks read it: the columns ``history.canonical`` hashes and the
    checks compare, without a model instance's cost (``verify_history`` reads every event)."""

    id: int
    hazard_id: int
    region_id: str
    seq: int
    action: str
    from_status: str
    to_status: str
    actor_id: int | None
    actor_name: str
    actor_role: str
    organisation_id: int | None
    organisation_name: str
    reason: str
    data: Any
    created_at: datetime
    format: int
    changes: Any
    prev_hash: str
    hash: str

    @property
    def pk(self) -> int:
        return self.id


@dataclass
class _Batch:
    """The rows of one batch of hazards, grouped by hazard."""

    hazards: list[Hazard]
    events: dict[int, list[Any]]
    audit: dict[int, dict[int, list[tuple[str, int | None]]]]
    plans: dict[int, list[RectificationPlan]]
    evidence: dict[int, list[dict[str, Any]]]
    extensions: dict[int, list[ExtensionRequest]]
    sites: dict[int, tuple[Any, Any, Any]]


EVIDENCE_COLUMNS = (
    "id",
    "hazard_id",
    "event_id",
    "original_name",
    "content_type",
    "size",
    "sha256",
    "original_sha256",
    "file",
)


def _load_batch(hazards: list[Hazard]) -> _Batch:
    """Every row the checks need for ``hazards`` (consecutive by id): read by id range, one
    query per table, so a batch costs the same whatever its size."""
    from hazardledger.audit.models import AuditEvent
    from hazardledger.registry.models import Site

    ids = [h.pk for h in hazards]
    span = {"hazard_id__gte": ids[0], "hazard_id__lte": ids[-1]}
    events: dict[int, list[Any]] = {pk: [] for pk in ids}
    rows = (
        HazardEvent.objects.filter(**span).order_by("hazard_id", "seq").values_list(*EVENT_COLUMNS)
    )
    for values in rows:
        if values[1] in events:
            events[values[1]].append(EventRow(*values))
    audit: dict[int, dict[int, list[tuple[str, int | None]]]] = defaultdict(dict)
    entries = AuditEvent.objects.filter(
        object_type="hazards.hazard", object_id__in=[str(pk) for pk in ids]
    ).values_list("object_id", "action", "data", "chain_seq")
    for object_id, action, data, chain_seq in entries:
        if not action.startswith("hazards.hazard.") or not isinstance(data, dict):
            continue
        seq, digest = data.get("event"), data.get("hash")
        if isinstance(seq, int) and isinstance(digest, str) and object_id.isdigit():
            audit[int(object_id)].setdefault(seq, []).append((digest, chain_seq))
    plans: dict[int, list[RectificationPlan]] = defaultdict(list)
    for plan in RectificationPlan.objects.filter(**span).order_by("hazard_id", "created_at", "id"):
        plans[plan.hazard_id].append(plan)
    event_owner = {e.id: e.hazard_id for found in events.values() for e in found}
    evidence: dict[int, list[dict[str, Any]]] = defaultdict(list)
    attached = Evidence.objects.filter(**span)
    # Rows an event of these hazards attached that now point elsewhere (moved, detached).
    moved = Evidence.objects.filter(
        event__hazard_id__gte=ids[0], event__hazard_id__lte=ids[-1]
    ).exclude(**span)
    for query in (attached, moved):
        for row in query.order_by("id").values(*EVIDENCE_COLUMNS):
            for owner in {row["hazard_id"], event_owner.get(row["event_id"])}:
                if owner in events:
                    evidence[owner].append(dict(row))
    extensions: dict[int, list[ExtensionRequest]] = defaultdict(list)
    for request in ExtensionRequest.objects.filter(**span).order_by(
        "hazard_id", "requested_at", "id"
    ):
        extensions[request.hazard_id].append(request)
    sites = {
        pk: (region, sector, organisation)
        for pk, region, sector, organisation in Site.objects.filter(
            pk__in={h.site_id for h in hazards}
        ).values_list("pk", "region_id", "sector_id", "organisation_id")
    }
    return _Batch(hazards, events, audit, plans, evidence, extensions, sites)


def _check_attestation(
    hazard: Hazard, events: list[Any], attestation: Attestation, out: list[Problem]
) -> None:
    """The chain must still pass through the attested head; later events must be dated after
    the checkpoint."""
    by_seq = {e.seq: e for e in events}
    length = events[-1].seq if events else 0
    at = by_seq.get(attestation.seq)
    if at is None:
        out.append(
            Problem(
                hazard.pk,
                None,
                attestation.seq,
                f"missing: the history ends at event {length}, but the checkpoint holds "
                f"{attestation.seq} events (events were deleted: the history is not a "
                "continuation of the one checkpointed)",
                proof=attestation.label,
            )
        )
    elif at.hash != attestation.head:
        out.append(
            Problem(
                hazard.pk,
                at.pk,
                at.seq,
                "is not the event the checkpoint holds at this number: the history up to it "
                "was rewritten (an event edited, inserted or deleted, later hashes recomputed)",
                proof=attestation.label,
            )
        )
    for event in events:
        if event.seq > attestation.seq and event.created_at < attestation.at - CHECKPOINT_MARGIN:
            out.append(
                Problem(
                    hazard.pk,
                    event.pk,
                    event.seq,
                    f"is dated {event.created_at:%Y-%m-%d %H:%M}, before the checkpoint, which "
                    f"holds only {attestation.seq} events: it was added afterwards",
                    proof=attestation.label,
                )
            )


def _check_audit(
    hazard: Hazard,
    events: list[Any],
    recorded: Mapping[int, list[tuple[str, int | None]]],
    *,
    proven_upto: int,
    audit_label: str,
    out: list[Problem],
) -> None:
    """Each event against the audit trail's record of it. When an event differs, every later
    one usually differs too (their hashes were recomputed): the first is reported in full, the
    rest in one line."""
    differing: list[Any] = []
    seqs = set()
    for event in events:
        seqs.add(event.seq)
        entries = recorded.get(event.seq)
        if not entries:
            out.append(
                Problem(
                    hazard.pk,
                    event.pk,
                    event.seq,
                    "has no entry in the audit trail: it was added behind the application's back",
                )
            )
            continue
        if any(digest == event.hash for digest, _chain in entries):
            continue
        sealed = any(c is not None and c <= proven_upto for _d, c in entries)
        if differing:
            differing.append(event)
            continue
        differing.append(event)
        out.append(
            Problem(
                hazard.pk,
                event.pk,
                event.seq,
                f"differs from the event the audit trail recorded (hash {entries[0][0][:12]}…, "
                f"now {event.hash[:12]}…): the event was changed, or replaced",
                proof=f"audit trail sealed in {audit_label}" if sealed and audit_label else "",
            )
        )
    if len(differing) > 1:
        numbers = ", ".join(str(e.seq) for e in differing[1:])
        out.append(
            Problem(
                hazard.pk,
                None,
                None,
                f"events {numbers} also differ from the audit trail (their hashes were "
                "recomputed after the change)",
            )
        )
    for seq in sorted(set(recorded) - seqs):
        digest, chain = recorded[seq][0]
        sealed = chain is not None and chain <= proven_upto
        out.append(
            Problem(
                hazard.pk,
                None,
                seq,
                f"is missing: the audit trail records event {seq} (hash {digest[:12]}…), which "
                "is no longer in the history (deleted)",
                proof=f"audit trail sealed in {audit_label}" if sealed and audit_label else "",
            )
        )


def _check_state(
    hazard: Hazard,
    events: list[Any],
    site: tuple[Any, Any, Any] | None,
    proof: str,
    out: list[Problem],
) -> None:
    """The stored row against the replay of its chain (only the fields format 2 events set,
    for a chain that starts in format 1); the scope columns against the site."""
    replayed: dict[str, Any] = {}
    setter: dict[str, Any] = {}
    for event in events:
        if event.format >= 2:
            for name, change in (event.changes or {}).items():
                if isinstance(change, list) and len(change) == 2:
                    replayed[name] = change[1]
                    setter[name] = event
    stored = hazard_state(hazard)
    for name, value in stored.items():
        if name in SCOPE_FIELDS or name not in replayed:
            continue
        if replayed[name] != value:
            source = setter[name]
            out.append(
                Problem(
                    hazard.pk,
                    None,
                    None,
                    f"{name} is {_short(value)!s}, but its history says {_short(replayed[name])} "
                    f"(event {source.seq}): changed without an event",
                    proof=proof,
                )
            )
    if site is not None:
        for name, expected in zip(SCOPE_FIELDS, site, strict=True):
            value = stored.get(name)
            if json_value(expected) != value:
                out.append(
                    Problem(
                        hazard.pk,
                        None,
                        None,
                        f"{name} is {_short(value)}, but its site's is {_short(expected)}",
                    )
                )


def _check_plans(
    hazard: Hazard,
    events: list[Any],
    plans: list[RectificationPlan],
    proof: str,
    out: list[Problem],
) -> None:
    """Each plan row against the plan its event filed, as later events changed it."""
    expected: list[dict[str, Any]] = []
    open_index: int | None = None
    for event in events:
        change = (event.changes or {}).get("deadline")
        if open_index is not None and isinstance(change, list) and len(change) == 2:
            expected[open_index]["deadline"] = change[1]
        filed = (event.data or {}).get("plan") if event.action == A.PLAN else None
        if isinstance(filed, dict):
            values = {name: filed.get(name) for name in PLAN_FIELDS}
            values.update(
                created_at=event.created_at,
                created_by_id=event.actor_id,
                closed_at=None,
                event=event,
            )
            expected.append(values)
            open_index = len(expected) - 1
        elif event.action in PLAN_CLOSING_ACTIONS and open_index is not None:
            expected[open_index]["closed_at"] = event.created_at
            open_index = None
    for index, plan in enumerate(plans):
        if index >= len(expected):
            out.append(
                Problem(
                    hazard.pk,
                    None,
                    None,
                    f"plan {plan.pk} (filed {plan.created_at:%Y-%m-%d}) was filed by no event "
                    "of its history: added",
                    proof=proof,
                )
            )
            continue
        want = expected[index]
        event = want["event"]
        for name in PLAN_FIELDS:
            value = json_value(getattr(plan, name))
            if not _same(value, want[name], amount=name == "funds"):
                out.append(
                    Problem(
                        hazard.pk,
                        event.pk,
                        event.seq,
                        f"its plan (plan {plan.pk}) has {name} {_short(value)}, but the history "
                        f"says {_short(want[name])}",
                        proof=proof,
                    )
                )
        for name in ("created_at", "closed_at", "created_by_id"):
            value = getattr(plan, name)
            if value != want[name]:
                out.append(
                    Problem(
                        hazard.pk,
                        event.pk,
                        event.seq,
                        f"its plan (plan {plan.pk}) has {name} {_short(value)}, but the history "
                        f"says {_short(want[name])}",
                        proof=proof,
                    )
                )
    for want in expected[len(plans) :]:
        event = want["event"]
        out.append(
            Problem(
                hazard.pk,
                event.pk,
                event.seq,
                "filed a plan that is missing (deleted)",
                proof=proof,
            )
        )


def _file_record(item: Any) -> tuple[str, str, str, Any, str] | None:
    if not isinstance(item, dict) or not isinstance(item.get("sha256"), str):
        return None
    sha = item["sha256"]
    return (
        sha,
        str(item.get("original_sha256") or sha),
        str(item.get("name", "")),
        item.get("size"),
        str(item.get("type", "")),
    )


def _row_record(row: Mapping[str, Any]) -> tuple[str, str, str, Any, str]:
    return (
        row["sha256"],
        row["original_sha256"] or row["sha256"],
        row["original_name"],
        row["size"],
        row["content_type"],
    )


def _check_evidence(
    hazard: Hazard,
    events: list[Any],
    rows: list[dict[str, Any]],
    proof: str,
    out: list[Problem],
    *,
    files: bool,
) -> int:
    """Each evidence row against the file its event recorded. Returns how many stored files
    were re-read (``files``)."""
    by_event: dict[int, list[dict[str, Any]]] = defaultdict(list)
    event_by_pk = {e.pk: e for e in events}
    for row in rows:
        if row["hazard_id"] != hazard.pk:
            event = event_by_pk.get(row["event_id"])
            out.append(
                Problem(
                    hazard.pk,
                    row["event_id"],
                    event.seq if event else None,
                    f"evidence {row['id']} (“{_short(row['original_name'])}”) that this event "
                    f"attached now belongs to hazard {row['hazard_id']}: moved",
                    proof=proof,
                )
            )
            continue
        if row["event_id"] not in event_by_pk:
            out.append(
                Problem(
                    hazard.pk,
                    None,
                    None,
                    f"evidence {row['id']} (“{_short(row['original_name'])}”) is attached by no "
                    "event of its history: added behind the application's back",
                    proof=proof,
                )
            )
            continue
        by_event[row["event_id"]].append(row)
    for event in events:
        recorded = [r for r in map(_file_record, (event.data or {}).get("files") or []) if r]
        attached = by_event.get(event.pk, [])
        unmatched = list(attached)
        missing = []
        for record in recorded:
            match = next((r for r in unmatched if _row_record(r) == record), None)
            if match is None:
                missing.append(record)
            else:
                unmatched.remove(match)
        for record in list(missing):
            # Same file name and place, other content: a repointed row.
            found: dict[str, Any] | None = next(
                (r for r in unmatched if r["original_name"] == record[2]), None
            )
            if found is None and len(unmatched) == len(missing) == 1:
                found = unmatched[0]
            if found is None:
                continue
            row = found
            missing.remove(record)
            unmatched.remove(row)
            got = _row_record(row)
            what = (
                f"hash {got[0][:12]}…, the event recorded {record[0][:12]}…"
                if got[0] != record[0]
                else f"upload hash {got[1][:12]}…, the event recorded {record[1][:12]}…"
                if got[1] != record[1]
                else f"size {got[3]}, type {got[4]}; the event recorded {record[3]}, {record[4]}"
            )
            out.append(
                Problem(
                    hazard.pk,
                    event.pk,
                    event.seq,
                    f"evidence {row['id']} (“{_short(row['original_name'])}”) differs from the "
                    f"file this event recorded: {what}",
                    proof=proof,
                )
            )
        for record in missing:
            out.append(
                Problem(
                    hazard.pk,
                    event.pk,
                    event.seq,
                    f"recorded the file “{_short(record[2])}” (hash {record[0][:12]}…), whose "
                    "evidence row is missing (deleted)",
                    proof=proof,
                )
            )
        for row in unmatched:
            out.append(
                Problem(
                    hazard.pk,
                    event.pk,
                    event.seq,
                    f"evidence {row['id']} (“{_short(row['original_name'])}”) is not a file "
                    "this event recorded: added",
                    proof=proof,
                )
            )
    read = 0
    if files:
        for row in rows:
            if row["hazard_id"] != hazard.pk or not row["file"]:
                continue
            read += 1
            try:
                digest = hashlib.sha256()
                with default_storage.open(row["file"], "rb") as handle:
                    while chunk := handle.read(1 << 20):
                        digest.update(chunk)
            except OSError:
                out.append(
                    Problem(
                        hazard.pk,
                        row["event_id"],
                        None,
                        f"the stored file of evidence {row['id']} is missing",
                    )
                )
                continue
            if digest.hexdigest() != row["sha256"]:
                out.append(
                    Problem(
                        hazard.pk,
                        row["event_id"],
                        None,
                        f"the stored file of evidence {row['id']} no longer matches its hash "
                        "(replaced on disk)",
                        proof=proof,
                    )
                )
    return read


def _check_extensions(
    hazard: Hazard,
    events: list[Any],
    requests: list[ExtensionRequest],
    proof: str,
    out: list[Problem],
) -> None:
    """Each extension request against the event that made it, and its decision against the
    event that took it."""
    made = {e.created_at: e for e in events if e.action == A.REQUEST_EXTENSION}
    decided: dict[int, tuple[str, Any]] = {}
    for event in events:
        data = event.data or {}
        if event.action == A.APPROVE_EXTENSION and isinstance(data.get("extension"), int):
            decided[data["extension"]] = (ExtensionStatus.APPROVED, event)
        elif event.action == A.REFUSE_EXTENSION and isinstance(data.get("extension"), int):
            decided[data["extension"]] = (ExtensionStatus.REFUSED, event)
        elif isinstance(data.get("extension_withdrawn"), int):
            decided[data["extension_withdrawn"]] = (ExtensionStatus.WITHDRAWN, event)
    for request in requests:
        maker = made.get(request.requested_at)
        if maker is None:
            out.append(
                Problem(
                    hazard.pk,
                    None,
                    None,
                    f"extension request {request.pk} was made by no event of its history: added",
                    proof=proof,
                )
            )
            continue
        data = maker.data or {}
        wanted = {
            "current_deadline": data.get("current_deadline"),
            "requested_deadline": data.get("requested_deadline"),
            "reason": maker.reason,
        }
        for name, want in wanted.items():
            value = json_value(getattr(request, name))
            if value != want:
                out.append(
                    Problem(
                        hazard.pk,
                        maker.pk,
                        maker.seq,
                        f"its extension request {request.pk} has {name} {_short(value)}, but "
                        f"the history says {_short(want)}",
                        proof=proof,
                    )
                )
        status, decision = decided.get(request.pk, (ExtensionStatus.PENDING, None))
        if request.status != status or (
            decision is not None and request.decided_at != decision.created_at
        ):
            where = f"event {decision.seq}" if decision else "no event decided it"
            out.append(
                Problem(
                    hazard.pk,
                    decision.pk if decision else None,
                    decision.seq if decision else None,
                    f"extension request {request.pk} is {request.status}, but the history says "
                    f"{status} ({where})",
                    proof=proof,
                )
            )


@dataclass(frozen=True)
class _Context:
    """What every batch is checked against (shared with the worker processes)."""

    wanted: frozenset[int] | None
    attested: Mapping[int, Attestation]
    audit_proven_upto: int
    audit_label: str
    latest: Attestation | None
    files: bool
    batch: int


def _check_hazard(
    hazard: Hazard, loaded: _Batch, ctx: _Context, check: LedgerCheck, out: list[Problem]
) -> None:
    """Every check of one hazard (steps 1–5 of the module docstring)."""
    events = loaded.events[hazard.pk]
    check.hazards += 1
    check.events += len(events)
    for event in events:
        check.formats[event.format] += 1
    out.extend(
        verify_chain(
            hazard_id=hazard.pk, head=hazard.history_head, length=hazard.history_seq, events=events
        )
    )
    attestation = ctx.attested.get(hazard.pk)
    latest = ctx.latest
    if attestation is not None:
        _check_attestation(hazard, events, attestation, out)
        check.unattested_events += sum(1 for e in events if e.seq > attestation.seq)
    else:
        check.unattested_events += len(events)
        if latest is not None and events and events[0].created_at < latest.at - CHECKPOINT_MARGIN:
            out.append(
                Problem(
                    hazard.pk,
                    events[0].pk,
                    1,
                    f"is dated {events[0].created_at:%Y-%m-%d %H:%M}, before the checkpoint, "
                    "which does not hold this hazard: inserted afterwards",
                    proof=latest.label,
                )
            )
    _check_audit(
        hazard,
        events,
        loaded.audit.get(hazard.pk, {}),
        proven_upto=ctx.audit_proven_upto,
        audit_label=ctx.audit_label,
        out=out,
    )
    length = events[-1].seq if events else 0
    proof = _proof(attestation, length)
    whole = bool(events) and events[0].format >= 2
    if events and not whole:
        check.partial += 1
    _check_state(hazard, events, loaded.sites.get(hazard.site_id), proof, out)
    check.evidence_files += _check_evidence(
        hazard, events, loaded.evidence.get(hazard.pk, []), proof, out, files=ctx.files
    )
    if whole:
        _check_plans(hazard, events, loaded.plans.get(hazard.pk, []), proof, out)
        _check_extensions(hazard, events, loaded.extensions.get(hazard.pk, []), proof, out)


def _check_range(span: tuple[int, int | None], ctx: _Context) -> tuple[LedgerCheck, set[int]]:
    """Check the hazards with ids from ``span[0]`` (exclusive) to ``span[1]`` (inclusive; None:
    to the end), in batches. Returns what was found and the ids seen."""
    check = LedgerCheck()
    seen: set[int] = set()
    hazards = Hazard.objects.order_by("pk")
    if ctx.wanted is not None:
        hazards = hazards.filter(pk__in=ctx.wanted)
    if span[1] is not None:
        hazards = hazards.filter(pk__lte=span[1])
    last_pk = span[0]
    while True:
        rows = list(hazards.filter(pk__gt=last_pk)[: ctx.batch])
        if not rows:
            break
        last_pk = rows[-1].pk
        loaded = _load_batch(rows)
        for hazard in rows:
            seen.add(hazard.pk)
            _check_hazard(hazard, loaded, ctx, check, check.problems)
    return check, seen


def _spans(jobs: int) -> list[tuple[int, int | None]]:
    """``jobs`` consecutive id ranges with about as many hazards each."""
    total = Hazard.objects.count()
    ids = Hazard.objects.order_by("pk").values_list("pk", flat=True)
    cuts = [ids[total * k // jobs - 1] for k in range(1, jobs) if total * k // jobs > 0]
    bounds = [0, *sorted(set(cuts))]
    return [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)] + [(bounds[-1], None)]


def _in_parallel(ctx: _Context, jobs: int) -> tuple[LedgerCheck, set[int]]:
    """``_check_range`` over ``jobs`` id ranges, in worker processes (``core.processes``:
    spawned, each with its own connection) where they can reach the database, else one range
    after the other here (an in-memory SQLite database: the same checks, the same result)."""
    from hazardledger.core.processes import process_pool, processes_possible

    spans = _spans(jobs)
    check, seen = LedgerCheck(), set()
    if processes_possible():
        with process_pool(jobs) as pool:
            parts = list(pool.map(_check_range, spans, [ctx] * len(spans)))
    else:
        parts = [_check_range(span, ctx) for span in spans]
    for part, part_seen in parts:
        check.hazards += part.hazards
        check.events += part.events
        check.problems.extend(part.problems)
        check.formats.update(part.formats)
        check.partial += part.partial
        check.unattested_events += part.unattested_events
        check.evidence_files += part.evidence_files
        seen |= part_seen
    return check, seen


def verify_ledger(
    *,
    hazard_ids: Iterable[int] | None = None,
    attested: Mapping[int, Attestation] | None = None,
    audit_proven_upto: int = 0,
    audit_label: str = "",
    latest: Attestation | None = None,
    files: bool = False,
    batch: int = 500,
    jobs: int = 1,
) -> LedgerCheck:
    """Check every hazard (or only ``hazard_ids``) as the module docstring says and return
    what was found.

    ``attested`` maps hazard ids to the heads signed checkpoints hold (``integrity`` folds them;
    empty without checkpoints); ``latest`` stands for the latest checkpoint (its label and time:
    a hazard recorded before it that it does not hold was inserted afterwards);
    ``audit_proven_upto`` is the last audit chain position the checkpoints prove
    (``audit.chain.audit_verify``), named ``audit_label``. ``jobs`` > 1 checks that many id
    ranges in parallel processes (only outside a transaction: the workers have their own
    connections and see only what is committed).
    """
    from hazardledger.audit.models import AuditEvent

    attested = attested or {}
    wanted = frozenset(hazard_ids) if hazard_ids is not None else None
    ctx = _Context(wanted, attested, audit_proven_upto, audit_label, latest, files, batch)
    if jobs > 1 and wanted is None:
        check, seen = _in_parallel(ctx, jobs)
    else:
        check, seen = _check_range((0, None), ctx)
    # Hazards a checkpoint holds, and hazards the audit trail says were recorded, that are gone.
    gone: dict[int, str] = {}
    for pk, attestation in attested.items():
        if pk not in seen and (wanted is None or pk in wanted):
            gone[pk] = attestation.label
    recorded = AuditEvent.objects.filter(
        action="hazards.hazard.record", object_type="hazards.hazard"
    )
    if wanted is not None:
        recorded = recorded.filter(object_id__in=[str(pk) for pk in wanted])
    recorded_ids = {int(pk) for pk in recorded.values_list("object_id", flat=True) if pk.isdigit()}
    recorded_ids -= seen
    if recorded_ids:
        recorded_ids -= set(Hazard.objects.filter(pk__in=recorded_ids).values_list("pk", flat=True))
    for pk in sorted(set(gone) | recorded_ids):
        if pk in gone:
            held = attested[pk]
            message = (
                f"is missing: the checkpoint holds this hazard with {held.seq} events "
                "(deleted, with its history)"
            )
        else:
            message = "was recorded (see the audit log) but no longer exists"
        check.problems.append(Problem(pk, None, None, message, proof=gone.get(pk, "")))
    return check
