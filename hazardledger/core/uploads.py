"""Uploaded files: stored under random names, served only by views that check scope first.

Nothing under ``MEDIA_ROOT`` has a public URL. A view fetches the row through ``access`` (404
out of scope), then answers with ``upload_response``: the file streamed by Django, or, with
``USE_X_ACCEL_REDIRECT`` on, an empty response whose ``X-Accel-Redirect`` header tells nginx to
send the file from an ``internal`` location (docs/operations.md, "Uploaded files").
"""

from __future__ import annotations

import mimetypes
import uuid
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header

from .text import CONTROL_CHARACTERS

# The longest uploader's file name kept for display and downloads (evidence rows hold 255).
NAME_MAX_LENGTH = 255

# Spellings of one type folded to the extension files are stored with.
_EXTENSION_ALIASES = {"jpeg": "jpg", "jpe": "jpg", "jfif": "jpg", "tiff": "tif"}
PHOTO_EXTENSIONS = ("jpg", "png", "webp")


@deconstructible
class RandomName:
    """An ``upload_to`` storing each file as ``<folder>/<year>/<month>/<uuid4 hex>.<ext>``.

    Only the extension of the name a file arrives with is kept, and only when it is one of
    ``extensions`` (compared in lower case, ``jpeg`` read as ``jpg``); any other becomes
    ``fallback``. So no part of an uploader's file name reaches storage, and a stored name
    cannot be guessed from the row it belongs to.
    """

    def __init__(self, folder: str, extensions: Iterable[str], fallback: str = "bin") -> None:
        self.folder = folder.strip("/")
        self.extensions = tuple(sorted(set(extensions)))
        self.fallback = fallback

    def __call__(self, instance: Any, filename: str) -> str:
        suffix = PurePosixPath(filename).suffix.lower().lstrip(".")
        suffix = _EXTENSION_ALIASES.get(suffix, suffix)
        extension = suffix if suffix in self.extensions else self.fallback
        return f"{self.folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomName) and (
            (self.folder, self.extensions, self.fallback)
            == (other.folder, other.extensions, other.fallback)
        )

    def __hash__(self) -> int:
        return hash((self.folder, self.extensions, self.fallback))


def save_on_commit(field: FieldFile, content: File) -> str:
    """Give ``field`` its stored name now and write ``content`` when the transaction commits.

    The name comes from the field's ``upload_to`` (``RandomName``: only the extension of
    ``content.name`` is kept), so the row can be saved, and its name recorded, inside the
    transaction; the bytes reach storage only once that transaction commits. A rolled-back
    action therefore leaves no file behind, whoever rolled it back (the service itself or a
    caller whose own transaction it ran in). Outside a transaction the file is written at once.
    Returns the stored name. ``content`` is kept in memory until then.
    """
    instance = field.instance
    name = field.field.generate_filename(instance, content.name or "")
    setattr(instance, field.field.attname, name)
    storage = field.storage
    max_length = field.field.max_length
    model = type(instance)
    attname = field.field.attname
    written: list[str] = []

    def write() -> None:
        if written:  # once, even if the callback runs again
            return
        stored = storage.save(name, content, max_length=max_length)
        written.append(stored)
        if stored != name and instance.pk is not None:
            # The storage chose another name (a random name never collides, but a custom
            # storage may still rename): point the row at the file as stored.
            model._default_manager.filter(pk=instance.pk).update(**{attname: stored})

    transaction.on_commit(write)
    return name


def upload_response(
    field: FieldFile,
    *,
    content_type: str | None = None,
    filename: str | None = None,
    as_attachment: bool = False,
) -> HttpResponseBase:
    """The stored file of ``field`` for a user the caller has already checked may see it.

    ``content_type`` defaults to the type the stored name's extension implies; ``filename`` is
    the name the browser offers when saving: a neutral one, or the uploader's made safe with the
    stored file's extension (``download_name``); it never reaches storage.
    Raises ``Http404`` when the field is empty or, when Django streams it, the file is missing.
    Responses are private to the user (no shared cache keeps a scoped file) and ask browsers not
    to sniff another type.
    """
    if not field or not field.name:
        raise Http404
    content_type = content_type or (
        mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    )
    response: HttpResponseBase
    if settings.USE_X_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        location = settings.X_ACCEL_REDIRECT_LOCATION.rstrip("/")
        response["X-Accel-Redirect"] = f"{location}/{quote(field.name)}"
        disposition = content_disposition_header(as_attachment, filename or "")
        if disposition:
            response["Content-Disposition"] = disposition
    else:
        try:
            handle = field.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(
            handle, content_type=content_type, as_attachment=as_attachment, filename=filename or ""
        )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True)
    return response


def display_name(name: Any, *, fallback: str = "file") -> str:
    """An uploader's file name as it may be shown and offered for download: the last part of
    a path, control characters removed, at most ``NAME_MAX_LENGTH`` characters (the extension
    kept), or ``fallback`` when nothing is left."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = CONTROL_CHARACTERS.sub("", text).strip().strip(".")
    if len(text) > NAME_MAX_LENGTH:
        stem, dot, extension = text.rpartition(".")
        if dot and len(extension) <= 10:
            text = f"{stem[: NAME_MAX_LENGTH - len(extension) - 1]}.{extension}"
        else:
            text = text[:NAME_MAX_LENGTH]
    return text or fallback


def download_name(original: Any, *, stored: str, fallback: str) -> str:
    """The name a download is offered under: the uploader's name (``display_name``) with the
    extension of the file as stored (its detected type) in place of its own, so a name can
    never make a browser treat the file as another type; ``fallback`` (a neutral stem) with
    that extension when there is no name."""
    extension = PurePosixPath(stored).suffix.lower()
    name = display_name(original, fallback="")
    if not name:
        return f"{fallback}{extension}"
    path = PurePosixPath(name)
    suffix = path.suffix.lower().lstrip(".")
    if "." + _EXTENSION_ALIASES.get(suffix, suffix) == extension:
        return name
    return f"{path.stem if 0 < len(suffix) <= 10 else name}{extension}"
