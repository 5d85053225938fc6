"""Signed checkpoints of the ledger, and the heads the last one took."""

from __future__ import annotations

import gzip
import json
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import CheckpointOrigin


class Checkpoint(models.Model):
    """A signed statement of where every hazard's history and the audit trail ended.

    ``header`` is the signed document itself, kept byte for byte (canonical JSON,
    ``checkpoints.header_bytes``): the instance and its region, the number (1, 2, 3 … per
    instance) and time, the hash of the previous checkpoint's header, the key id, the audit
    trail's head (position and hash), and for the hazards the number held, the number of
    events, and two SHA-256 digests: of the hazards whose head changed since the previous
    checkpoint (``entries``, the *delta*) and of the whole list (the *state*). ``signature``
    is the Ed25519 signature of ``header`` by key ``key_id``.

    ``entries`` are the lines ``"<hazard id> <events> <head>"`` (gzip), the delta, or the whole
    list when ``entries_full`` (a full export imported). The other columns repeat what the
    header says, for lists and lookups; ``verify_history`` reads only the header, and only once
    its signature verifies with a trusted key. Imported checkpoints (an upper office keeps a
    copy of each county's) are stored the same way, ``origin`` saying so.
    """

    instance = models.CharField(_("instance"), max_length=100)
    number = models.PositiveIntegerField(_("number"))
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        db_column="region_code",
    )
    created_at = models.DateTimeField(_("taken at"))
    header = models.TextField()
    signature = models.CharField(max_length=200)
    key_id = models.CharField(_("key"), max_length=32)
    entries = models.BinaryField()
    entries_full = models.BooleanField(default=False)
    origin = models.CharField(
        _("origin"), max_length=10, choices=CheckpointOrigin.choices, default=CheckpointOrigin.LOCAL
    )
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "number"], name="integrity_checkpoint_unique_number"
            ),
        ]
        indexes = [
            models.Index(fields=["region", "created_at"], name="integrity_cp_region_time"),
        ]

    def __str__(self) -> str:
        return f"{self.instance} #{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("integrity:checkpoint-detail", kwargs={"pk": self.pk})

    @cached_property
    def document(self) -> dict[str, Any]:
        """The header as data (empty when it is not JSON: an altered row)."""
        try:
            value = json.loads(self.header)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def entry_lines(self) -> list[str]:
        """The stored entries, one ``"<hazard id> <events> <head>"`` per line."""
        data = gzip.decompress(bytes(self.entries)) if self.entries else b""
        return [line for line in data.decode().split("\n") if line]


class ChainHead(models.Model):
    """The head of one hazard's history as the last checkpoint signed here took it, so that
    the next lists only the hazards that changed since. A bookkeeping copy, not a proof:
    ``verify_history`` rebuilds the heads from the signed checkpoints themselves."""

    hazard_id = models.BigIntegerField(primary_key=True)
    seq = models.PositiveIntegerField()
    head = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("checkpointed head")
        verbose_name_plural = _("checkpointed heads")

    def __str__(self) -> str:
        return f"{self.hazard_id}: {self.seq} {self.head[:12]}"
