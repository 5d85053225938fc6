"""Uploads kept between two requests of one user: a form that failed validation keeps the files
it received, and a preview (the sites import) keeps the file it showed until it is confirmed.

A stashed file is written to storage under ``stash/<yyyymmddhh>/<random hex>`` (no part of the
uploader's name), and the page carries a **token**: the stored names and the uploaders' names,
signed with the project's secret for the user who uploaded them, so that nobody can name a file
of their own choosing, reuse another user's token or keep one past ``STASH_MAX_AGE``. A bad,
foreign or expired token reads as "nothing kept". Files are never served from the stash; the
periodic ``core.stash_sweep`` deletes those older than ``STASH_MAX_AGE``.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from .uploads import display_name

logger = logging.getLogger(__name__)

STASH_FOLDER = "stash"
# How long a kept upload stays usable (and on disk): long enough to fix a form over lunch.
STASH_MAX_AGE = timedelta(hours=12)
_SALT = "hazardledger.core.stash"
_STORED = re.compile(r"^stash/(\d{10})/[0-9a-f]{32}$")


@dataclass(frozen=True)
class Stashed:
    """One kept file: where it is stored, the name it arrived with, its size in bytes."""

    stored: str
    name: str
    size: int


def stash_files(*, user: Any, files: Iterable[tuple[str, bytes]]) -> tuple[str, list[Stashed]]:
    """Keep ``files`` (``(uploader's name, content)`` pairs) for ``user``; returns the token the
    page carries and what was kept. Written at once: a stash belongs to no transaction."""
    folder = f"{STASH_FOLDER}/{timezone.now():%Y%m%d%H}"
    kept = []
    for name, data in files:
        stored = default_storage.save(f"{folder}/{uuid.uuid4().hex}", ContentFile(data))
        kept.append(Stashed(stored=stored, name=display_name(name), size=len(data)))
    token = signing.dumps(
        {"u": user.pk, "f": [[k.stored, k.name, k.size] for k in kept]},
        salt=_SALT,
        compress=True,
    )
    return token, kept


def stash_describe(*, user: Any, token: str) -> list[Stashed]:
    """What ``token`` keeps for ``user`` (empty when the token is bad, foreign or expired, or
    names a file that is gone)."""
    if not token or len(token) > 20_000:
        return []
    try:
        payload = signing.loads(token, salt=_SALT, max_age=STASH_MAX_AGE)
    except signing.BadSignature:
        return []
    if not isinstance(payload, dict) or payload.get("u") != getattr(user, "pk", None):
        return []
    kept = []
    for row in payload.get("f") or []:
        if not (isinstance(row, list) and len(row) == 3 and isinstance(row[0], str)):
            return []
        if not _STORED.match(row[0]) or not default_storage.exists(row[0]):
            return []
        kept.append(Stashed(stored=row[0], name=display_name(row[1]), size=int(row[2])))
    return kept


def stash_read(*, user: Any, token: str) -> list[SimpleUploadedFile]:
    """The files ``token`` keeps for ``user``, as uploads under their uploaders' names (empty
    when nothing usable is kept: see ``stash_describe``)."""
    uploads = []
    for kept in stash_describe(user=user, token=token):
        with default_storage.open(kept.stored, "rb") as handle:
            uploads.append(SimpleUploadedFile(kept.name, handle.read()))
    return uploads


def stash_discard(*, user: Any, token: str) -> None:
    """Delete what ``token`` keeps (once its files have been used)."""
    for kept in stash_describe(user=user, token=token):
        default_storage.delete(kept.stored)


def stash_sweep(*, now: datetime | None = None) -> int:
    """Delete kept files older than ``STASH_MAX_AGE`` (by the hour folder they are in); returns
    how many files were deleted."""
    now = now or timezone.now()
    cutoff = f"{now - STASH_MAX_AGE - timedelta(hours=1):%Y%m%d%H}"
    try:
        folders, _files = default_storage.listdir(STASH_FOLDER)
    except FileNotFoundError:
        return 0
    deleted = 0
    for folder in sorted(folders):
        if not (folder.isdigit() and len(folder) == 10) or folder > cutoff:
            continue
        path = f"{STASH_FOLDER}/{folder}"
        _dirs, names = default_storage.listdir(path)
        for name in names:
            default_storage.delete(f"{path}/{name}")
            deleted += 1
        try:
            default_storage.delete(path)  # the empty folder, on a file system
        except OSError:
            logger.debug("stash folder %s not removed", path)
    return deleted


def uploads_named(files: Sequence[Any]) -> list[tuple[str, bytes]]:
    """``(name, content)`` pairs of uploaded files, for ``stash_files``."""
    pairs = []
    for upload in files:
        upload.seek(0)
        pairs.append((str(getattr(upload, "name", "") or ""), upload.read()))
        upload.seek(0)
    return pairs


# --- forms: keep the files a failed submission brought ------------------------------------------

KEPT_SUFFIX = "_kept"
TOKEN_MAX_LENGTH = 4000


class KeptFilesInput:
    """Mixin for a file input of a form using ``UploadStashMixin``: below the input it names
    the files kept from the last submission (kept when the page is shown again, not before)."""

    template_name = "core/widgets/kept_files.html"
    stash_form: Any = None
    stash_field = ""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)  # type: ignore[misc]
        form = self.stash_form
        context["widget"]["kept"] = form.stash_kept(self.stash_field) if form is not None else []
        return context


class KeptTokenInput(forms.HiddenInput):
    """The hidden input carrying a file field's kept-files token, computed when rendered."""

    stash_form: Any = None
    stash_field = ""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        if self.stash_form is not None:
            value = self.stash_form.stash_token(self.stash_field)
        return super().get_context(name, value, attrs)


class UploadStashMixin:
    """For forms with file fields (``stash_fields``): when the page comes back with errors
    (the form's own, a duplicate warning, a refusal by the service), the files the submission
    brought are kept (``stash_files``) and the page carries their token in a hidden
    ``<field>_kept`` input and names them under the file input; the next submission gets them
    back when no new files are chosen (choosing files replaces them). Files are kept only when
    the page is shown again, so a successful submission keeps nothing. A file field whose
    widget is a ``KeptFilesInput`` names the kept files; call ``stash_setup(user=…)`` at the
    end of the form's ``__init__``."""

    stash_fields: tuple[str, ...] = ("files",)

    # Set by Form; declared for type checkers.
    fields: dict[str, Any]
    files: Any
    data: Any
    is_bound: bool
    _errors: Any

    def stash_setup(self, *, user: Any) -> None:
        self._stash_user = user
        self._stash_tokens: dict[str, str] = {}
        self._stash_kept: dict[str, list[str]] = {}
        for name in self.stash_fields:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            widget.stash_form, widget.stash_field = self, name
            token_widget = KeptTokenInput()
            token_widget.stash_form, token_widget.stash_field = self, name
            self.fields[name + KEPT_SUFFIX] = forms.CharField(
                required=False, max_length=TOKEN_MAX_LENGTH, widget=token_widget
            )
            if self.is_bound:
                self._stash_restore(name)

    def _stash_restore(self, name: str) -> None:
        """Put the kept files of the previous submission back as this one's, unless new
        files were chosen; either way the kept copies are deleted (a later failure keeps the
        files again)."""
        key = self.add_prefix(name)  # type: ignore[attr-defined]
        token = str(self.data.get(self.add_prefix(name + KEPT_SUFFIX), "") or "")  # type: ignore[attr-defined]
        if not token or len(token) > TOKEN_MAX_LENGTH:
            return
        chosen = self.files.getlist(key) if hasattr(self.files, "getlist") else []
        if not chosen:
            uploads = stash_read(user=self._stash_user, token=token)
            if uploads:
                files = self.files.copy()
                files.setlist(key, uploads)
                self.files = files
        stash_discard(user=self._stash_user, token=token)

    def stash_token(self, name: str) -> str:
        """The token of the files to keep for ``name`` when the page is shown again: those the
        submission brought, if they passed the field's checks ("" otherwise)."""
        if name in self._stash_tokens:
            return self._stash_tokens[name]
        token = ""
        cleaned = getattr(self, "cleaned_data", {}) or {}
        errors = self._errors or {}
        uploads = [getattr(item, "upload", item) for item in cleaned.get(name) or []]
        if self.is_bound and uploads and name not in errors:
            token, kept = stash_files(user=self._stash_user, files=uploads_named(uploads))
            self._stash_kept[name] = [item.name for item in kept]
        self._stash_tokens[name] = token
        return token

    def stash_kept(self, name: str) -> list[str]:
        """The names of the files kept for ``name`` (keeping them now if not yet done)."""
        self.stash_token(name)
        return self._stash_kept.get(name, [])
