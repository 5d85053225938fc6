"""The field sync protocol: a phone sends one JSON document per inspection, once or many times.

The document (see docs/inspections.md) carries the inspection's ``uuid``, a ``submission``
uuid the phone generated for this submission, every item's result (each with its own uuid),
photos and signatures as data URLs, GPS and device time. ``inspection_sync`` is idempotent:

- the first valid submission writes everything in one transaction and submits the inspection;
- a retry of the same content (whatever its submission uuid) changes nothing and answers as
  the first did;
- different content for an inspection already submitted is a conflict (``SyncConflict``).

Photos and signatures get their stored names in the transaction and are written to disk when
it commits (``core.uploads.save_on_commit``): a submission that fails, here or later in the
caller's transaction, leaves no file behind.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hazardledger.access.scope import ensure_in_scope
from hazardledger.audit.services import record as audit_record
from hazardledger.core.errors import Conflict, Invalid, NotAllowed
from hazardledger.core.images import UnreadableImage, image_check
from hazardledger.core.text import control_characters
from hazardledger.core.uploads import display_name, save_on_commit
from hazardledger.hazards.choices import EvidenceKind
from hazardledger.hazards.evidence import ACCEPTED_TYPES

from .choices import InspectionKind, InspectionStatus, ItemOutcome
from .constants import (
    NOTE_MAX_LENGTH,
    PHOTO_MAX_BYTES,
    PHOTO_NAME_MAX,
    PHOTOS_PER_ITEM,
    SIGNATURE_MAX_BYTES,
)
from .events import inspection_event_write
from .models import HazardDraft, Inspection, ItemPhoto, ItemResult
from .policies import INSPECTION_POLICY
from .selectors import checklist_items_for_site

# The photo types evidence accepts (detected MIME type -> stored extension).
IMAGE_TYPES = {
    mime: extension
    for mime, (kind, extension) in ACCEPTED_TYPES.items()
    if kind == EvidenceKind.PHOTO
}
# A document is an object of lists of objects of lists of strings: four levels. Anything much
# deeper is not a document (and the JSON decoder recurses once per level).
DOCUMENT_MAX_DEPTH = 6
RESULTS_MAX = 1000
# The inspection's fields a submission sets (its outbox event lists those that changed).
SUBMITTED_FIELDS = (
    "status",
    "submitted_at",
    "finished_at",
    "started_at",
    "latitude",
    "longitude",
    "gps_accuracy",
    "note",
    "site_representative",
    "submission_uuid",
)
# Lone surrogates: JSON's \ud800 escapes decode to them, and no database can store them.
_SURROGATES = re.compile("[\ud800-\udfff]")


class SyncConflict(Conflict):
    """The inspection was already submitted with other content, or is not open; nothing was
    written. ``message`` is shown to the user as is."""


ALREADY_SUBMITTED = gettext_lazy(
    "This inspection was already submitted, from this or another device, with different "
    "results. Nothing was changed: open the inspection to see what was recorded."
)
NOT_OPEN = gettext_lazy("This inspection is not open for results (it was cancelled).")


@dataclass
class SyncResult:
    inspection: Inspection
    replayed: bool


@dataclass
class _Image:
    data: bytes
    content_type: str
    extension: str
    sha256: str


def _decode_image(value: Any, *, limit: int, label: str) -> _Image:
    """A data URL's image, checked by its content (not its declared type) and by decoding it."""
    if not isinstance(value, str) or not value.startswith("data:") or "," not in value:
        raise ValidationError(_("%(what)s is not an image.") % {"what": label})
    header, payload = value.split(",", 1)
    if ";base64" not in header:
        raise ValidationError(_("%(what)s is not an image.") % {"what": label})
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(_("%(what)s is not an image.") % {"what": label}) from exc
    if len(data) > limit:
        raise ValidationError(
            _("%(what)s is larger than %(limit)d KB.") % {"what": label, "limit": limit // 1024}
        )
    guess = filetype.guess(data[:8192])
    mime = guess.mime if guess else ""
    if mime not in IMAGE_TYPES:
        raise ValidationError(_("%(what)s is not a JPEG, PNG or WebP image.") % {"what": label})
    try:
        image_check(data, label=label)  # pixels from the header, then verified, never decoded
    except UnreadableImage as exc:
        raise ValidationError(_("%(what)s cannot be opened.") % {"what": label}) from exc
    return _Image(data, mime, IMAGE_TYPES[mime], hashlib.sha256(data).hexdigest())


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def content_hash(document: dict[str, Any]) -> str:
    """The hash of what a submission says (not of which attempt sent it)."""
    content = {k: v for k, v in document.items() if k not in ("submission", "sent_at")}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # "surrogatepass": a lone surrogate in a field nobody reads must not make hashing fail.
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def sync_document_load(body: bytes) -> dict[str, Any]:
    """The JSON object of a sync request's body.

    Raises ``ValueError`` when the body is not UTF-8 JSON, not an object, or nested deeper than
    any document is (a RecursionError of the decoder included).
    """
    try:
        document = json.loads(body)
    except RecursionError as exc:
        raise ValueError("The document is nested too deeply.") from exc
    if not isinstance(document, dict) or _depth(document) > DOCUMENT_MAX_DEPTH:
        raise ValueError("The document is not a JSON object of the expected shape.")
    return document


def _depth(value: Any) -> int:
    """How deeply ``value`` nests lists and objects (a scalar is 0), counted without recursion
    and no further than one level past ``DOCUMENT_MAX_DEPTH``."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            if depth > DOCUMENT_MAX_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth) for child in children)
    return deepest


def _is_number(value: Any) -> bool:
    """A finite JSON number of sane size (``1e400`` decodes to infinity)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return abs(value) <= 10**15 if isinstance(value, int) else math.isfinite(value)


def _is_text(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _shape_errors(document: Any) -> list[str]:
    """What is wrong with the document's structure: the type of every field the server reads,
    finite numbers, the number of results. The content (which items, outcomes, notes, pictures)
    is judged afterwards by ``_parse``; fields it does not know are left alone."""
    if not isinstance(document, dict) or _depth(document) > DOCUMENT_MAX_DEPTH:
        return [_("The document is not an inspection document.")]
    errors = []
    for key in ("inspection", "submission", "started_at", "finished_at", "note"):
        if not _is_text(document.get(key)):
            errors.append(_("“%(field)s” must be text.") % {"field": key})
    position = document.get("position")
    if position is not None and not (
        isinstance(position, dict)
        and _is_number(position.get("latitude"))
        and _is_number(position.get("longitude"))
        and (position.get("accuracy") is None or _is_number(position.get("accuracy")))
    ):
        errors.append(_("The GPS position is not valid."))
    signatures = document.get("signatures")
    if signatures is not None and not isinstance(signatures, dict):
        errors.append(
            _("“signatures” must be an object with “inspector”, “site” and “site_representative”.")
        )
    elif signatures:
        for key in ("inspector", "site", "site_representative"):
            if not _is_text(signatures.get(key)):
                errors.append(_("“%(field)s” must be text.") % {"field": f"signatures.{key}"})
    results = document.get("results")
    if results is not None and not isinstance(results, list):
        errors.append(_("“results” must be a list."))
    elif results and len(results) > RESULTS_MAX:
        errors.append(_("The document has more than %(n)d results.") % {"n": RESULTS_MAX})
    elif results:
        for number, row in enumerate(results, start=1):
            problems = _result_shape_errors(row)
            if problems:
                errors.append(
                    _("Result %(n)d: %(problems)s") % {"n": number, "problems": "; ".join(problems)}
                )
    return errors


def _result_shape_errors(row: Any) -> list[str]:
    if not isinstance(row, dict):
        return [_("it is not an object")]
    problems = []
    item = row.get("item")
    if isinstance(item, bool) or not isinstance(item, int):
        problems.append(_("“item” must be a whole number"))
    for key in ("uuid", "outcome", "note"):
        if not _is_text(row.get(key)):
            problems.append(_("“%(field)s” must be text") % {"field": key})
    photos = row.get("photos")
    if photos is not None and not (
        isinstance(photos, list) and all(isinstance(photo, str) for photo in photos)
    ):
        problems.append(_("“photos” must be a list of pictures"))
    names = row.get("photo_names")
    if names is not None and not (
        isinstance(names, list)
        and len(names) <= PHOTOS_PER_ITEM
        and all(_is_text(name) and len(name or "") <= PHOTO_NAME_MAX for name in names)
    ):
        problems.append(_("“photo_names” must be a list of file names"))
    return problems


def _text_errors(text: str, *, label: str, multiline: bool) -> list[str]:
    """A message when ``text`` holds characters nobody can see or store: control characters
    (tab, line feed and carriage return allowed in ``multiline`` text) and lone surrogates."""
    found = control_characters(text, multiline=multiline)
    found += [f"U+{ord(c):04X}" for c in dict.fromkeys(_SURROGATES.findall(text))]
    if not found:
        return []
    return [
        _("%(what)s contains characters that cannot be stored (%(characters)s).")
        % {"what": label, "characters": ", ".join(found)}
    ]


@dataclass
class _Parsed:
    submission: uuid.UUID
    finished_at: datetime | None
    latitude: Decimal | None
    longitude: Decimal | None
    accuracy: int | None
    note: str
    representative: str
    inspector_signature: _Image
    site_signature: _Image | None
    results: list[dict[str, Any]]


def _parse_position(document: dict[str, Any], errors: list[str]) -> tuple[Any, Any, Any]:
    position = document.get("position") or None
    if position is None:
        return None, None, None
    try:
        latitude = Decimal(str(position["latitude"])).quantize(Decimal("0.000001"))
        longitude = Decimal(str(position["longitude"])).quantize(Decimal("0.000001"))
        accuracy = position.get("accuracy")
        accuracy = None if accuracy is None else max(0, min(int(float(accuracy)), 100_000))
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValueError
    except (KeyError, TypeError, ValueError, InvalidOperation):
        errors.append(_("The GPS position is not valid."))
        return None, None, None
    return latitude, longitude, accuracy


def _parse(inspection: Inspection, document: dict[str, Any]) -> _Parsed:
    """Validate the whole document against the inspection's checklist; every problem is
    reported at once (``ValidationError`` with a list of messages)."""
    errors: list[str] = []
    submission = _uuid(document.get("submission"))
    if submission is None:
        errors.append(_("The submission has no id."))
    finished_at = None
    if document.get("finished_at"):
        try:
            finished_at = parse_datetime(document["finished_at"])
        except ValueError:  # well formed but impossible, like month 13
            finished_at = None
        if finished_at is None or timezone.is_naive(finished_at):
            errors.append(_("The finishing time is not valid."))
            finished_at = None
    latitude, longitude, accuracy = _parse_position(document, errors)
    note = (document.get("note") or "").strip()
    if len(note) > 2000:
        errors.append(_("The inspection note is too long."))
    errors += _text_errors(note, label=_("The inspection note"), multiline=True)
    signatures = document.get("signatures") or {}
    representative = (signatures.get("site_representative") or "").strip()[:100]
    errors += _text_errors(
        representative, label=_("The site representative's name"), multiline=False
    )
    inspector_signature = site_signature = None
    try:
        inspector_signature = _decode_image(
            signatures.get("inspector"),
            limit=SIGNATURE_MAX_BYTES,
            label=_("The inspector's signature"),
        )
    except ValidationError as exc:
        errors.append(
            _("The inspector must sign.") if not signatures.get("inspector") else exc.messages[0]
        )
    if signatures.get("site"):
        try:
            site_signature = _decode_image(
                signatures["site"],
                limit=SIGNATURE_MAX_BYTES,
                label=_("The site representative's signature"),
            )
        except ValidationError as exc:
            errors.extend(exc.messages)
    if inspection.kind != InspectionKind.SELF and (site_signature is None or not representative):
        errors.append(_("The site representative must give their name and sign."))

    checklist = inspection.checklist
    assert checklist is not None  # re-checks have none and are refused before parsing
    # Only the items that apply to the site (an open pit has no ventilation items): one for
    # another kind of mine is "not on this checklist" here, and need not be answered.
    items = {
        item.pk: item
        for item in checklist_items_for_site(checklist=checklist, site=inspection.site)
    }
    results: list[dict[str, Any]] = []
    seen_items: set[int] = set()
    seen_uuids: set[uuid.UUID] = set()
    for row in document.get("results") or []:
        if not isinstance(row, dict):
            errors.append(_("A result is malformed."))
            continue
        item_id = row.get("item")
        item = items.get(item_id) if isinstance(item_id, int) else None
        result_uuid = _uuid(row.get("uuid"))
        if item is None:
            errors.append(_("A result names an item that is not on this checklist."))
            continue
        label = _("Item %(n)d") % {"n": item.position}
        if result_uuid is None or result_uuid in seen_uuids:
            errors.append(_("%(item)s: the result has no valid id.") % {"item": label})
            continue
        if item.pk in seen_items:
            errors.append(_("%(item)s has two results.") % {"item": label})
            continue
        seen_items.add(item.pk)
        seen_uuids.add(result_uuid)
        outcome = row.get("outcome")
        if outcome not in ItemOutcome.values:
            errors.append(_("%(item)s: choose pass, fail or not applicable.") % {"item": label})
            continue
        item_note = (row.get("note") or "").strip()
        if len(item_note) > NOTE_MAX_LENGTH:
            errors.append(_("%(item)s: the note is too long.") % {"item": label})
        errors += _text_errors(
            item_note, label=_("The note of %(item)s") % {"item": label}, multiline=True
        )
        if outcome == ItemOutcome.FAIL and not item_note:
            errors.append(_("%(item)s failed: describe what is wrong.") % {"item": label})
        photos = row.get("photos") or []
        if not isinstance(photos, list) or len(photos) > PHOTOS_PER_ITEM:
            errors.append(
                _("%(item)s: at most %(n)d photos.") % {"item": label, "n": PHOTOS_PER_ITEM}
            )
            photos = []
        images = []
        for photo in photos:
            try:
                images.append(
                    _decode_image(
                        photo,
                        limit=PHOTO_MAX_BYTES,
                        label=_("A photo of %(item)s") % {"item": label},
                    )
                )
            except ValidationError as exc:
                errors.extend(exc.messages)
        # The names the photos had on the phone, kept for display and download (a name is
        # made safe, not refused: it was never typed, and the photo matters more than it).
        names = [display_name(name, fallback="") for name in row.get("photo_names") or []]
        results.append(
            {
                "uuid": result_uuid,
                "item": item,
                "outcome": outcome,
                "note": item_note,
                "photos": images,
                "photo_names": names,
            }
        )
    missing = sorted(items[pk].position for pk in items if pk not in seen_items)
    if missing:
        errors.append(
            _("Items without a result: %(items)s.") % {"items": ", ".join(str(n) for n in missing)}
        )
    if errors:
        raise Invalid(errors)
    return _Parsed(
        submission=submission,  # type: ignore[arg-type]
        finished_at=finished_at,
        latitude=latitude,
        longitude=longitude,
        accuracy=accuracy,
        note=note,
        representative=representative,
        inspector_signature=inspector_signature,  # type: ignore[arg-type]
        site_signature=site_signature,
        results=results,
    )


def _save_image(field: Any, image: _Image, stem: str) -> None:
    """Name the image's file now (the field's random name) and write it on commit."""
    save_on_commit(field, ContentFile(image.data, name=f"{stem}.{image.extension}"))


def inspection_sync(*, actor: Any, inspection: Inspection, document: dict[str, Any]) -> SyncResult:
    """Apply a phone's submission of ``inspection`` (already fetched through scope).

    Steps:
    1. check the actor may conduct this inspection, its kind included (``NotAllowed``);
    2. lock the inspection row; if it is already submitted, a document with the same content
       hash is a replay (``replayed=True``, nothing written), anything else ``SyncConflict``;
       a cancelled inspection is ``SyncConflict`` too;
    3. validate the document, its shape (types, finite numbers, sizes) before anything reads
       it and then its content (``Invalid`` listing every problem);
    4. write results (by their uuids), photos, signatures, a hazard draft per failed item
       (grade and clause from the checklist), submit the inspection, and write the audit
       entry and the ``submit`` outbox event (its ``kind`` and ``inspected_on`` tell the
       risks app whether a regulator visited the site).

    One ``atomic()`` block, the caller's if it has one. Files are named in it and written when
    it commits, so nothing is left on disk when it rolls back.
    """
    if not INSPECTION_POLICY.user_has_permission_for_instance(actor, "conduct", inspection):
        raise NotAllowed
    if inspection.checklist_id is None:
        raise SyncConflict(_("A re-check is not submitted from the field page."))
    shape_errors = _shape_errors(document)
    if shape_errors:
        raise Invalid(shape_errors)
    digest = content_hash(document)
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.status == InspectionStatus.SUBMITTED:
            if locked.content_hash == digest:
                return SyncResult(locked, replayed=True)
            raise SyncConflict(ALREADY_SUBMITTED)
        if locked.status == InspectionStatus.CANCELLED:
            raise SyncConflict(NOT_OPEN)
        parsed = _parse(locked, document)
        taken = set(
            ItemResult.objects.filter(uuid__in=[r["uuid"] for r in parsed.results])
            .exclude(inspection=locked)
            .values_list("uuid", flat=True)
        )
        if taken:
            raise SyncConflict(ALREADY_SUBMITTED)
        now = timezone.now()
        existing = {r.uuid: r for r in locked.results.all()}
        draft_ids = []
        for row in parsed.results:
            # A new result has no photos or draft yet: skip asking for them.
            result = existing.get(row["uuid"])
            is_new = result is None
            if result is None:
                result = ItemResult(uuid=row["uuid"], inspection=locked)
            result.item = row["item"]
            result.outcome = row["outcome"]
            result.note = row["note"]
            result.recorded_at = now
            result.copy_scope_from(locked.site)
            result.save()
            known = set() if is_new else set(result.photos.values_list("sha256", flat=True))
            for index, image in enumerate(row["photos"]):
                if image.sha256 in known:
                    continue
                known.add(image.sha256)
                names = row["photo_names"]
                photo = ItemPhoto(
                    result=result,
                    region_id=locked.region_id,
                    original_name=names[index] if index < len(names) else "",
                    content_type=image.content_type,
                    size=len(image.data),
                    sha256=image.sha256,
                )
                _save_image(photo.file, image, f"{result.uuid}-{index}")
                photo.save()
            item = row["item"]
            if row["outcome"] == ItemOutcome.FAIL and (
                is_new or not HazardDraft.objects.filter(result=result).exists()
            ):
                draft = HazardDraft(
                    result=result,
                    inspection=locked,
                    checklist_grade=item.grade,
                    grade=item.grade,
                    clause=item.major_clause,
                    basis=item.basis,
                    description=f"{item.text_zh}：{row['note']}"[:2000],
                    # Where at the site the inspector says when confirming: the checklist's
                    # section ("Gas detection") is not a place.
                    location="",
                    category=item.category,
                )
                draft.copy_scope_from(locked.site)
                draft.save()
                draft_ids.append(draft.pk)
        _save_image(
            locked.inspector_signature, parsed.inspector_signature, f"{locked.uuid}-inspector"
        )
        if parsed.site_signature is not None:
            _save_image(locked.site_signature, parsed.site_signature, f"{locked.uuid}-site")
        before = {field: getattr(locked, field) for field in SUBMITTED_FIELDS}
        locked.status = InspectionStatus.SUBMITTED
        locked.submitted_at = now
        locked.submitted_by = actor
        locked.submitted_by_name = actor.display_name[:150]
        locked.finished_at = parsed.finished_at or now
        locked.started_at = locked.started_at or now
        locked.latitude, locked.longitude = parsed.latitude, parsed.longitude
        locked.gps_accuracy = parsed.accuracy
        locked.note = parsed.note
        locked.site_representative = parsed.representative
        locked.submission_uuid = parsed.submission
        locked.content_hash = digest
        locked.save()
        locked.inspectors.add(actor)
        ensure_in_scope(locked, actor)
        audit_record(
            actor=actor,
            action="inspections.inspection.submit",
            obj=locked,
            before={"status": inspection.status},
            after={"status": InspectionStatus.SUBMITTED},
            data={
                "submission": str(parsed.submission),
                "content_hash": digest,
                "results": len(parsed.results),
                "failed": sum(1 for r in parsed.results if r["outcome"] == "fail"),
            },
        )
        changes = {
            field: [old, getattr(locked, field)]
            for field, old in before.items()
            if old != getattr(locked, field)
        }
        changes["draft_ids"] = [[], draft_ids]
        inspection_event_write(
            inspection=locked,
            action="submit",
            actor=actor,
            changes=changes,
            inspected_on=timezone.localdate(now),
        )
    return SyncResult(locked, replayed=False)
