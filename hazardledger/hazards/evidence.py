"""Evidence files: checking what a file really is, reading a photo's EXIF, making thumbnails.

The type is decided from the file's first bytes (``filetype``) and, for photos, by Pillow
actually decoding it; the name the user gave is kept for display only and the stored name's
extension comes from the detected type. A photo's location is read from its EXIF, then removed
from the copy that is stored (``metadata.strip_location``); the hashes of both the upload and
the stored bytes go into the history event. Files go through Django's storage API, so the
deployment picks local disk or object storage, and are written when the transaction that
saved their rows commits.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from hazardledger.core.images import UnreadableImage, image_check
from hazardledger.core.uploads import save_on_commit

from .choices import EvidenceKind
from .constants import EVIDENCE_MAX_FILES, THUMBNAIL_SIZE, evidence_max_bytes
from .metadata import strip_location

# Detected MIME type -> (kind, stored extension).
ACCEPTED_TYPES = {
    "image/jpeg": (EvidenceKind.PHOTO, "jpg"),
    "image/png": (EvidenceKind.PHOTO, "png"),
    "image/webp": (EvidenceKind.PHOTO, "webp"),
    "application/pdf": (EvidenceKind.DOCUMENT, "pdf"),
}
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp,application/pdf"

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATETIME_ORIGINAL = 36867
_OFFSET_TIME_ORIGINAL = 36881
_DATETIME = 306


@dataclass
class CheckedFile:
    """An upload that passed the checks, with what was learnt from its content.

    ``stored`` are the bytes the ledger keeps (a photo without its location; None: the upload
    as it is); ``size`` and ``sha256`` are theirs, ``original_sha256`` the upload's.
    """

    upload: Any
    name: str
    content_type: str
    kind: str
    extension: str
    size: int
    sha256: str
    taken_at: datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    original_sha256: str = ""
    stored: bytes | None = field(default=None, repr=False)

    def describe(self) -> dict[str, Any]:
        """What the history event records about this file: the stored bytes' size and hash,
        and the hash of the upload they were made from."""
        return {
            "name": self.name,
            "type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "original_sha256": self.original_sha256 or self.sha256,
        }

    def content(self) -> bytes:
        """The bytes to store."""
        return self.stored if self.stored is not None else _read(self.upload)


def _read(upload: Any) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def check_upload(upload: Any) -> CheckedFile:
    """Check one uploaded file and return what it is.

    Raises ``ValidationError`` with a message naming the file when it is too large (in bytes, or
    in pixels: ``core.images.image_check``), when its content is not a JPEG, PNG, WebP or PDF
    (whatever its name says), or when a photo cannot be decoded.
    """
    name = str(getattr(upload, "name", "") or "file")[:255]
    limit = evidence_max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    data = _read(upload)
    if len(data) > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(len(data)), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if not data:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    kind_guess = filetype.guess(data[:8192])
    mime = kind_guess.mime if kind_guess else ""
    if mime not in ACCEPTED_TYPES:
        raise ValidationError(
            _(
                "“%(name)s” is not a photo (JPEG, PNG, WebP) or a PDF document, whatever its "
                "name says. Only those file types are accepted."
            )
            % {"name": name},
            code="bad_type",
        )
    kind, extension = ACCEPTED_TYPES[mime]
    original_sha256 = hashlib.sha256(data).hexdigest()
    checked = CheckedFile(
        upload=upload,
        name=name,
        content_type=mime,
        kind=kind,
        extension=extension,
        size=len(data),
        sha256=original_sha256,
        original_sha256=original_sha256,
    )
    if kind == EvidenceKind.PHOTO:
        try:
            # The size in pixels first, from the header: a pixel bomb is refused undecoded.
            image_check(data, label=f"“{name}”")
            with Image.open(io.BytesIO(data)) as image:
                checked.taken_at, checked.latitude, checked.longitude = read_exif(image)
            stored = strip_location(data, mime)
        except (UnreadableImage, UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise ValidationError(
                _("“%(name)s” looks like a photo but cannot be opened.") % {"name": name},
                code="bad_image",
            ) from exc
        if stored is not data:
            checked.stored = stored
            checked.size = len(stored)
            checked.sha256 = hashlib.sha256(stored).hexdigest()
    return checked


def check_uploads(uploads: Sequence[Any]) -> list[CheckedFile]:
    """Check every upload of one submission (``check_upload``; already checked files pass).

    Raises ``ValidationError`` with one message per refused file (all of them, not only the
    first), or when there are more than ``EVIDENCE_MAX_FILES``.
    """
    if len(uploads) > EVIDENCE_MAX_FILES:
        raise ValidationError(_("At most %(n)d files at a time.") % {"n": EVIDENCE_MAX_FILES})
    checked, errors = [], []
    for upload in uploads:
        if isinstance(upload, CheckedFile):
            checked.append(upload)
            continue
        try:
            checked.append(check_upload(upload))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return checked


def _rational(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return float(value[0]) / float(value[1])


def _gps_decimal(dms: Any, ref: str) -> Decimal | None:
    try:
        degrees, minutes, seconds = (_rational(part) for part in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if ref in ("S", "W"):
        value = -value
    return Decimal(f"{value:.6f}")


def read_exif(image: Image.Image) -> tuple[datetime | None, Decimal | None, Decimal | None]:
    """The photo's own time and GPS position from its EXIF, each None when absent or garbled.

    EXIF times have no zone unless ``OffsetTimeOriginal`` is present; without it the time is
    taken to be in the deployment's zone (phones record local time).
    """
    exif = image.getexif()
    if not exif:
        return None, None, None
    taken_at = None
    sub = exif.get_ifd(_EXIF_IFD)
    raw = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    if isinstance(raw, str):
        try:
            naive = datetime.strptime(raw.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
            offset = sub.get(_OFFSET_TIME_ORIGINAL)
            if isinstance(offset, str) and len(offset) >= 6:
                taken_at = datetime.strptime(
                    raw.strip("\x00 ") + offset.strip("\x00 ")[:6], "%Y:%m:%d %H:%M:%S%z"
                )
            else:
                taken_at = naive.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
        except ValueError:
            taken_at = None
    latitude = longitude = None
    gps = exif.get_ifd(_GPS_IFD)
    if gps and 2 in gps and 4 in gps:
        latitude = _gps_decimal(gps[2], str(gps.get(1, "N")))
        longitude = _gps_decimal(gps[4], str(gps.get(3, "E")))
        if latitude is not None and not -90 <= latitude <= 90:
            latitude = None
        if longitude is not None and not -180 <= longitude <= 180:
            longitude = None
    return taken_at, latitude, longitude


def make_thumbnail(checked: CheckedFile) -> ContentFile | None:
    """A JPEG thumbnail of a photo (turned upright by its EXIF orientation); None for PDFs."""
    if checked.kind != EvidenceKind.PHOTO:
        return None
    with Image.open(io.BytesIO(_read(checked.upload))) as source:
        image = ImageOps.exif_transpose(source)
        image.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=80)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def evidence_build(
    *, checked: CheckedFile, stage: str, actor: Any, region_id: str, **links: Any
) -> Any:
    """The unsaved evidence row for a checked file, its file (and thumbnail) to be stored
    through the storage API when the transaction commits (``core.uploads.save_on_commit``).

    The stored name is random with the detected type's extension, so a user-chosen name never
    reaches the file system; it is on the row at once, so the row can be saved in the same
    transaction. A rolled-back action leaves no file behind.
    """
    from .models import Evidence

    evidence = Evidence(
        stage=stage,
        kind=checked.kind,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        original_sha256=checked.original_sha256 or checked.sha256,
        taken_at=checked.taken_at,
        latitude=checked.latitude,
        longitude=checked.longitude,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
        region_id=region_id,
        **links,
    )
    save_on_commit(
        evidence.file,
        ContentFile(checked.content(), name=f"{uuid.uuid4().hex}.{checked.extension}"),
    )
    thumbnail = make_thumbnail(checked)
    if thumbnail is not None:
        save_on_commit(evidence.thumbnail, thumbnail)
    return evidence
