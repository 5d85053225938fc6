"""The audit trail: one row per thing a user did, for every app, sealed into a hash chain."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .actions import action_label, is_registered

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """Who did what to which object, when, in which request, with the before/after values.

    Rows are written only by ``audit.services.record`` inside the transaction of the change they
    describe, so an audit row exists exactly when the change was committed. ``actor`` and
    ``organisation`` do not carry database constraints, so entries outlive deleted users; their
    names are copied for the same reason. ``object_type`` is the model label
    (``hazards.hazard``) and ``object_id`` its primary key as text, so that any app can log
    without a content-type lookup.

    ``chain_seq`` and ``chain_hash`` chain the entries: ``audit.chain.audit_seal`` (run by
    each signed checkpoint) numbers the entries written since the last seal, in the order
    they became visible, and gives each the SHA-256 of its content and the previous entry's
    hash. Writers never wait for one another (no lock on a shared head); an entry is part of
    the chain from the next seal on. Both are empty until then.
    """

    created_at = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=80)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    actor_role = models.CharField(_("actor role"), max_length=30, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    organisation_name = models.CharField(_("organisation name"), max_length=200, blank=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    chain_seq = models.PositiveBigIntegerField(
        _("position in the chain"), null=True, blank=True, unique=True, editable=False
    )
    chain_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_event_object"),
            models.Index(fields=["action", "created_at"], name="audit_event_action_time"),
            models.Index(fields=["actor", "created_at"], name="audit_event_actor_time"),
            # The entries the next seal numbers: few, found without scanning the table.
            models.Index(
                fields=["id"], condition=Q(chain_seq__isnull=True), name="audit_event_unsealed"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"
        )

    @property
    def action_label(self) -> str:
        return str(action_label(self.action))

    def clean(self) -> None:
        if not is_registered(self.action):
            raise ValidationError({"action": _("Unknown audit action.")})


class AuditChainHead(models.Model):
    """The end of the sealed chain (one row): the last position and its hash.

    The seal locks this row, so two seals never number the same entries; it is a bookmark,
    not a proof: ``audit.chain.audit_verify`` recomputes the chain from the entries and
    compares it with the heads the signed checkpoints hold.
    """

    seq = models.PositiveBigIntegerField(default=0)
    head = models.CharField(max_length=64, default=GENESIS_HASH)
    sealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.seq} {self.head[:12]}"
