"""The hash chain of a hazard's history: building events, checking them, replaying them.

Every event's hash is SHA-256 over a canonical JSON document of its fields plus the previous
event's hash (sorted keys, no spaces, UTF-8, times in UTC ISO 8601 with microseconds). The
workflow, the demo data and ``verify_history`` all use these functions, so there is one
definition of what an event hashes to.

Chain formats: events of format 1 (written before events carried their changes) hash what
they always did. Events of format 2 (every new event) also record ``changes``, the hazard
fields the step changed as ``{field: [old, new]}`` in JSON values, and their hash covers the
format and the changes. The creation event lists every initial field (old ``None``), so
``replay`` rebuilds a hazard's fields from its chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count

from .models import GENESIS_HASH, Hazard, HazardEvent

# The format new events are written in (see the module docstring).
CURRENT_FORMAT = 2
# Hazard columns that are bookkeeping, not facts of the hazard: never in ``changes``.
BOOKKEEPING_FIELDS = frozenset(
    {"id", "version", "history_seq", "history_head", "created_at", "updated_at"}
)

HASHED_FIELDS = (
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
)


def jsonable(value: Any) -> Any:
    """``value`` as it will come back from a JSON column (dates and decimals become strings);
    an empty or missing value becomes ``{}`` (event data and changes)."""
    return json.loads(json.dumps(value or {}, cls=DjangoJSONEncoder))


_ENCODER = DjangoJSONEncoder()
_PLAIN = (str, int, float)
_ENCODED = (datetime, date, time, timedelta, Decimal, UUID)


def json_value(value: Any) -> Any:
    """One value as a JSON column gives it back (``None`` stays ``None``): dates and times as
    ``DjangoJSONEncoder`` writes them, amounts as strings. Scalars are converted directly
    (``verify_history`` converts every field of every hazard); containers go through JSON."""
    if value is None or isinstance(value, _PLAIN):
        return value
    if isinstance(value, _ENCODED):
        return _ENCODER.default(value)
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def state_fields() -> tuple[str, ...]:
    """The hazard's fields that events record: every column but the bookkeeping ones. A
    foreign key is named by its field (``site``) and recorded as the related row's key."""
    return tuple(
        field.name for field in Hazard._meta.concrete_fields if field.name not in BOOKKEEPING_FIELDS
    )


def hazard_state(hazard: Hazard) -> dict[str, Any]:
    """The hazard's recorded fields as JSON values (what ``replay`` of its chain gives)."""
    return {
        field.name: json_value(field.value_from_object(hazard))
        for field in Hazard._meta.concrete_fields
        if field.name not in BOOKKEEPING_FIELDS
    }


def state_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose JSON value differs between two states
    (``hazard_state``); a field missing from ``before`` counts as ``None`` there."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def creation_changes(hazard: Hazard) -> dict[str, list[Any]]:
    """The creation event's changes: every recorded field, from ``None`` to its first value
    (empty values included, so that the replayed state is complete)."""
    return {name: [None, value] for name, value in hazard_state(hazard).items()}


def replay(events: Iterable[HazardEvent]) -> dict[str, Any]:
    """The hazard's fields rebuilt from its events (ordered by ``seq``): each format 2 event's
    new values over the previous ones. Format 1 events carry no changes and add nothing, so a
    chain that starts in format 1 replays only the fields changed since.

    Scope columns (region, sector, enterprise) are copies of the site's: a site move re-copies
    them without a hazard event (the site's own events record the move), so they replay as the
    hazard's events last recorded them.
    """
    state: dict[str, Any] = {}
    for event in events:
        if event.format >= 2:
            for name, (_old, new) in (event.changes or {}).items():
                state[name] = new
    return state


def format_counts(*, hazard_ids: Iterable[int] | None = None) -> dict[int, int]:
    """How many events each chain format has (``{1: n, 2: m}``), for ``verify_history``."""
    events = HazardEvent.objects.all()
    if hazard_ids is not None:
        events = events.filter(hazard_id__in=list(hazard_ids))
    rows = events.order_by().values("format").annotate(n=Count("id"))
    return {row["format"]: row["n"] for row in rows}


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(event: Any) -> bytes:
    """The bytes an event's hash covers: format 1 as it always was; format 2 adds the format
    and the changes."""
    document = {name: getattr(event, name) for name in HASHED_FIELDS}
    document["created_at"] = _utc(event.created_at)
    document["prev_hash"] = event.prev_hash
    if event.format >= 2:
        document["format"] = event.format
        document["changes"] = event.changes
    return json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder
    ).encode()


def event_hash(event: Any) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


def chain_event(
    *,
    hazard: Any,
    action: str,
    from_status: str,
    to_status: str,
    actor: Any,
    at: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
    actor_name: str = "",
    actor_role: str = "",
    organisation: Any = None,
) -> HazardEvent:
    """An unsaved event of the current format, carrying ``changes``, appended to ``hazard``'s
    chain, with its hash computed.

    Advances ``hazard.history_seq`` and ``hazard.history_head`` in memory; the caller saves
    both (the workflow does so in the same transaction, under the row lock it took).
    ``actor`` may be None (demo data, system jobs) with ``actor_name`` given.
    """
    if actor is not None:
        organisation = organisation if organisation is not None else actor.organisation
        actor_name = actor_name or actor.display_name
        actor_role = actor_role or actor.role or ""
    event = HazardEvent(
        hazard_id=hazard.pk,
        region_id=hazard.region_id,
        seq=hazard.history_seq + 1,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor_id=getattr(actor, "pk", None),
        actor_name=actor_name[:150],
        actor_role=actor_role,
        organisation_id=getattr(organisation, "pk", None),
        organisation_name=str(organisation or "")[:200],
        created_at=at,
        reason=reason,
        data=jsonable(data),
        format=CURRENT_FORMAT,
        changes=jsonable(changes),
        prev_hash=hazard.history_head,
    )
    event.hash = event_hash(event)
    hazard.history_seq = event.seq
    hazard.history_head = event.hash
    return event


@dataclass(frozen=True)
class Problem:
    """One problem with a hazard, in words an auditor can act on: the hazard, the event (its
    number and id) when one is concerned, what differs, and ``proof``, the signed checkpoint
    that proves it when one does (empty: the chain's own consistency shows it)."""

    hazard_id: int
    event_id: int | None
    seq: int | None
    message: str
    proof: str = ""

    def __str__(self) -> str:
        where = f"hazard {self.hazard_id}"
        if self.seq is not None:
            where += f" event {self.seq}"
        if self.event_id is not None:
            where += f" (id {self.event_id})"
        text = f"{where}: {self.message}"
        return f"{text} [proof: {self.proof}]" if self.proof else text


def verify_chain(*, hazard_id: int, head: str, length: int, events: Iterable[Any]) -> list[Problem]:
    """Check one hazard's events (ordered by ``seq``) against each other and the hazard's
    anchor (``head`` hash and ``length``). Returns the problems found, empty when intact.

    Steps: recompute each event's hash (altered fields); check ``seq`` runs 1, 2, 3 … (a gap
    is a deleted event, a repeat an inserted one); check each ``prev_hash`` is the previous
    event's hash (an event inserted or deleted in between); finally compare the last event
    with the anchor (events deleted or appended at the end).
    """
    problems: list[Problem] = []
    expected_seq = 1
    prev = GENESIS_HASH
    seen: list[Any] = []
    for event in events:
        seen.append(event)
        if event_hash(event) != event.hash:
            problems.append(
                Problem(
                    hazard_id,
                    event.pk,
                    event.seq,
                    "altered: its content no longer matches its hash",
                )
            )
        if event.seq > expected_seq:
            missing = ", ".join(str(n) for n in range(expected_seq, event.seq))
            problems.append(
                Problem(
                    hazard_id,
                    event.pk,
                    event.seq,
                    f"events {missing} before it are missing (deleted)",
                )
            )
        elif event.seq < expected_seq:
            problems.append(Problem(hazard_id, event.pk, event.seq, "out of sequence (inserted)"))
        if event.prev_hash != prev:
            problems.append(
                Problem(
                    hazard_id,
                    event.pk,
                    event.seq,
                    "does not follow the event before it: "
                    "an event was inserted, deleted or altered",
                )
            )
        prev = event.hash
        expected_seq = event.seq + 1
    if not seen:
        problems.append(Problem(hazard_id, None, None, "has no history at all (events deleted)"))
        return problems
    last = seen[-1]
    if last.seq > length:
        for extra in (e for e in seen if e.seq > length):
            problems.append(
                Problem(
                    hazard_id,
                    extra.pk,
                    extra.seq,
                    f"added behind the application's back: the history ends at event {length}",
                )
            )
    elif last.seq < length:
        missing = ", ".join(str(n) for n in range(last.seq + 1, length + 1))
        problems.append(
            Problem(
                hazard_id,
                None,
                None,
                f"the history should end at event {length}; events {missing} are missing (deleted)",
            )
        )
    elif last.hash != head:
        problems.append(
            Problem(
                hazard_id,
                last.pk,
                last.seq,
                "is not the event the hazard's history ends with (replaced)",
            )
        )
    return problems


def verify_all(
    *, hazard_ids: Iterable[int] | None = None, batch: int = 500
) -> tuple[int, int, list[Problem]]:
    """Check every hazard (or only ``hazard_ids``) without checkpoints; returns (hazards,
    events, problems). ``verification.verify_ledger`` does the work: the chains, the audit
    trail's record of each event, the state replayed from the chain and the side rows; it also
    reports hazards the audit log says were recorded but that no longer exist."""
    from .verification import verify_ledger

    check = verify_ledger(hazard_ids=hazard_ids, batch=batch)
    return check.hazards, check.events, check.problems
