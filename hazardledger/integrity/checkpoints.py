"""Checkpoint documents: their canonical header, their entries, the signed file they travel
in, and folding a run of checkpoints into the heads they attest.

A checkpoint *lists* the hazards whose history changed since the previous one (the **delta**:
``"<hazard id> <events> <head>"`` lines, sorted by id) and *commits to* every hazard's head
(the **state**: the same lines for every hazard held so far, whose SHA-256 is in the header).
Folding checkpoints 1 … n (each delta over the ones before) gives the state at n, which the
header's digest confirms; so an hourly checkpoint of a large ledger stays small, and an upper
office that imports every file holds every hazard's head. A *full* export of checkpoint n
carries the whole state instead of the delta (checked against the same signed digest), for an
office that starts holding copies late.

The signed header is canonical JSON (sorted keys, no spaces, UTF-8)::

    {"format": "hazardledger.checkpoint/1", "instance": "…", "region": "44", "number": 7,
     "created_at": "2026-05-01T10:00:00.000000Z", "previous": "<sha256 of #6's header>",
     "key": "<key id>", "audit": {"seq": 52311, "head": "<hash>"},
     "hazards": {"count": 9120, "events": 30411, "changed": 12,
                 "delta": "<sha256 of the delta lines>", "state": "<sha256 of the state lines>"}}

The file (``.json.gz``): ``{"format": "hazardledger.checkpoints/1", "checkpoints": [{"header":
"<the header, as a string>", "signature": "<base64>", "full": false, "entries": ["<line>", …]},
…], "public_keys": {"<key id>": "<base64>"}}``; the public keys are for reading only, trust
comes from ``INTEGRITY_TRUSTED_KEYS``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _

HEADER_FORMAT = "hazardledger.checkpoint/1"
FILE_FORMAT = "hazardledger.checkpoints/1"
HASH = re.compile(r"^[0-9a-f]{64}$")
KEY_ID = re.compile(r"^[0-9a-f]{16}$")
INSTANCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
REGION = re.compile(r"^\d{2}(\d{2}){0,2}(\d{3}){0,2}$")
LINE = re.compile(r"^([1-9][0-9]{0,17}) (0|[1-9][0-9]{0,8}) ([0-9a-f]{64})$")
# Sizes: a file past these is refused before (or while) it is unpacked.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_ENTRY_ID = 2**63 - 1


class BadCheckpoint(ValueError):
    """A checkpoint file or header that is malformed; the message says what is wrong."""


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def header_bytes(document: Mapping[str, Any]) -> bytes:
    """The canonical bytes of a header (what is signed and stored)."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def header_hash(header: str) -> str:
    """The hash the next checkpoint's ``previous`` names."""
    return hashlib.sha256(header.encode()).hexdigest()


def entry_line(hazard_id: int, seq: int, head: str) -> str:
    return f"{hazard_id} {seq} {head}"


def lines_digest(lines: Iterable[str]) -> str:
    """SHA-256 of the lines, each followed by a line feed (the empty list: of nothing)."""
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def pack_lines(lines: Iterable[str]) -> bytes:
    """The lines as stored (gzip)."""
    return gzip.compress("".join(f"{line}\n" for line in lines).encode(), mtime=0)


def parse_line(line: Any) -> tuple[int, int, str]:
    """``(hazard id, events, head)`` from one entry; ``BadCheckpoint`` when malformed."""
    match = LINE.match(line) if isinstance(line, str) else None
    if match is None:
        raise BadCheckpoint(_("malformed entry %(entry)r") % {"entry": str(line)[:80]})
    # At most 18 digits: every id fits a signed 64-bit column.
    return int(match.group(1)), int(match.group(2)), match.group(3)


def parse_header(header: Any) -> dict[str, Any]:
    """The header's document, checked field by field; ``BadCheckpoint`` when malformed."""
    if not isinstance(header, str) or len(header) > 4096:
        raise BadCheckpoint(_("the header must be a string of at most 4096 characters"))
    try:
        document = json.loads(header)
    except ValueError as exc:
        raise BadCheckpoint(_("the header is not JSON")) from exc
    if not isinstance(document, dict) or document.get("format") != HEADER_FORMAT:
        raise BadCheckpoint(
            _("the header is not a %(format)s document") % {"format": HEADER_FORMAT}
        )
    if header_bytes(document).decode() != header:
        raise BadCheckpoint(_("the header is not in canonical form"))

    def text(name: str, pattern: re.Pattern[str], value: Any = None) -> str:
        value = document.get(name) if value is None else value
        if not isinstance(value, str) or not pattern.match(value):
            raise BadCheckpoint(_("the header's %(name)s is malformed") % {"name": name})
        return value

    def count(value: Any, name: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_ENTRY_ID:
            raise BadCheckpoint(_("the header's %(name)s is malformed") % {"name": name})
        return value

    text("instance", INSTANCE)
    text("region", REGION)
    text("key", KEY_ID)
    if count(document.get("number"), "number") < 1:
        raise BadCheckpoint(_("the header's number is malformed"))
    previous = document.get("previous")
    if previous != "" and not (isinstance(previous, str) and HASH.match(previous)):
        raise BadCheckpoint(_("the header's previous is malformed"))
    try:
        taken = datetime.strptime(str(document.get("created_at")), "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError as exc:
        raise BadCheckpoint(_("the header's created_at is malformed")) from exc
    document["_at"] = taken.replace(tzinfo=UTC)
    audit = document.get("audit")
    hazards = document.get("hazards")
    if not isinstance(audit, dict) or not isinstance(hazards, dict):
        raise BadCheckpoint(_("the header's audit or hazards is missing"))
    count(audit.get("seq"), "audit.seq")
    text("audit.head", HASH, audit.get("head"))
    for name in ("count", "events", "changed"):
        count(hazards.get(name), f"hazards.{name}")
    text("hazards.delta", HASH, hazards.get("delta"))
    text("hazards.state", HASH, hazards.get("state"))
    return document


@dataclass
class SignedCheckpoint:
    """One checkpoint as it travels: the header (string), its signature, and its entries
    (the delta, or the whole state when ``full``). ``document`` is the parsed header."""

    header: str
    signature: str
    entries: list[str]
    full: bool = False
    document: dict[str, Any] = field(default_factory=dict)

    @property
    def number(self) -> int:
        return int(self.document["number"])

    @property
    def instance(self) -> str:
        return str(self.document["instance"])

    def check_entries(self) -> None:
        """The entries must be well formed, sorted by hazard id, and hash to the header's
        digest (the delta's, or the state's for a full list)."""
        last = 0
        for line in self.entries:
            hazard_id, _seq, _head = parse_line(line)
            if hazard_id <= last:
                raise BadCheckpoint(_("the entries are not sorted by hazard id"))
            last = hazard_id
        hazards = self.document["hazards"]
        expected = hazards["state"] if self.full else hazards["delta"]
        if lines_digest(self.entries) != expected:
            raise BadCheckpoint(
                _("the entries of checkpoint #%(number)d do not match its signed digest")
                % {"number": self.number}
            )
        if self.full and len(self.entries) != hazards["count"]:
            raise BadCheckpoint(
                _("checkpoint #%(number)d lists a wrong number of hazards")
                % {"number": self.number}
            )
        if not self.full and len(self.entries) != hazards["changed"]:
            raise BadCheckpoint(
                _("checkpoint #%(number)d lists a wrong number of hazards")
                % {"number": self.number}
            )


def file_bytes(checkpoints: Iterable[SignedCheckpoint], public_keys: Mapping[str, str]) -> bytes:
    """The signed file (gzip JSON) carrying ``checkpoints``."""
    document = {
        "format": FILE_FORMAT,
        "public_keys": dict(public_keys),
        "checkpoints": [
            {"header": c.header, "signature": c.signature, "full": c.full, "entries": c.entries}
            for c in checkpoints
        ],
    }
    return gzip.compress(
        json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(), mtime=0
    )


def _unpack(data: bytes) -> bytes:
    """The file's JSON bytes: gunzipped when compressed, never past ``MAX_UNPACKED_BYTES``."""
    if len(data) > MAX_FILE_BYTES:
        raise BadCheckpoint(_("the file is too large"))
    if not data.startswith(b"\x1f\x8b"):
        return data
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_UNPACKED_BYTES + 1)
    except zlib.error as exc:
        raise BadCheckpoint(_("the file is not valid gzip")) from exc
    if len(out) > MAX_UNPACKED_BYTES or inflater.unconsumed_tail:
        raise BadCheckpoint(_("the file unpacks to too much data"))
    return out


def parse_file(data: bytes) -> list[SignedCheckpoint]:
    """The checkpoints of a signed file, each header and entry list checked for form (not
    yet for signature: ``services`` does that with the trusted keys). ``BadCheckpoint`` with
    what is wrong otherwise."""
    try:
        document = json.loads(_unpack(data).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        if isinstance(exc, BadCheckpoint):
            raise
        raise BadCheckpoint(_("the file is not a JSON document")) from exc
    if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
        raise BadCheckpoint(_("the file is not a %(format)s file") % {"format": FILE_FORMAT})
    items = document.get("checkpoints")
    if not isinstance(items, list) or not items:
        raise BadCheckpoint(_("the file holds no checkpoint"))
    found = []
    for item in items:
        if not isinstance(item, dict):
            raise BadCheckpoint(_("a checkpoint in the file is malformed"))
        signature, entries, full = item.get("signature"), item.get("entries"), item.get("full")
        if not isinstance(signature, str) or len(signature) > 200:
            raise BadCheckpoint(_("a signature in the file is malformed"))
        if not isinstance(entries, list) or not isinstance(full, bool):
            raise BadCheckpoint(_("the entries of a checkpoint in the file are malformed"))
        checkpoint = SignedCheckpoint(
            header=item.get("header"),  # type: ignore[arg-type]
            signature=signature,
            entries=entries,
            full=full,
        )
        checkpoint.document = parse_header(checkpoint.header)
        checkpoint.check_entries()
        found.append(checkpoint)
    return found


@dataclass(frozen=True)
class Held:
    """A hazard's head as a checkpoint holds it."""

    seq: int
    head: str
    number: int


@dataclass
class Fold:
    """The state a run of checkpoints adds up to: each hazard's head, from the latest
    checkpoint that listed it; ``complete`` when the run had no gap since a full list (then
    ``state_ok`` says whether it matches the last header's signed digest)."""

    heads: dict[int, Held] = field(default_factory=dict)
    complete: bool = True
    state_ok: bool = True
    gaps: list[tuple[int, int]] = field(default_factory=list)
    broken_links: list[int] = field(default_factory=list)


def fold(checkpoints: Iterable[SignedCheckpoint]) -> Fold:
    """Fold checkpoints of one instance (in number order) into the heads they attest.

    A full list replaces what came before; a delta updates it. A gap in the numbers (a
    checkpoint not held here) is noted and the fold goes on with what it has (each entry is
    still an attestation); the state digest is then compared only after the next full list.
    Each checkpoint's ``previous`` must be the hash of the one before it when that one is held.
    """
    result = Fold()
    last: SignedCheckpoint | None = None
    for checkpoint in checkpoints:
        number = checkpoint.number
        if checkpoint.full:
            result.heads = {}
            result.complete = True
        elif (last is None and number != 1) or (last is not None and number != last.number + 1):
            result.gaps.append((last.number + 1 if last else 1, number - 1))
            result.complete = False
        if (
            last is not None
            and number == last.number + 1
            and checkpoint.document["previous"] != header_hash(last.header)
        ):
            result.broken_links.append(number)
        for line in checkpoint.entries:
            hazard_id, seq, head = parse_line(line)
            result.heads[hazard_id] = Held(seq, head, number)
        last = checkpoint
    if last is not None and result.complete:
        lines = (entry_line(pk, held.seq, held.head) for pk, held in sorted(result.heads.items()))
        result.state_ok = lines_digest(lines) == last.document["hazards"]["state"]
    return result
