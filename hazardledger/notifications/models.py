"""Notices (one thing told to one user), their outbound deliveries, and users' preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ChannelName, DeliveryStatus


class Notice(models.Model):
    """One thing told to one user, in the app (the bell) and on the outbound channels their
    preference names (``Delivery``).

    ``kind`` names a registered ``NoticeKind``, which renders the text from ``params`` in the
    reader's language at display time. ``event`` is the outbox event that caused it; a notice is
    created at most once per event, user and kind, so a handler that runs again adds nothing.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField(_("kind"), max_length=60)
    event = models.ForeignKey(
        "core.OutboxEvent",
        verbose_name=_("event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    region_code = models.CharField(_("region code"), max_length=12, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user", "kind"], name="notifications_notice_once_per_event"
            )
        ]
        indexes = [
            models.Index(
                fields=["user", "read_at", "-created_at"], name="notifications_notice_inbox"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id} ({self.object_type}#{self.object_id})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def text(self) -> str:
        """The notice's line of text in the active language (its kind renders it); the kind's
        name when the kind is no longer registered."""
        from .kinds import kind_or_none

        registered = kind_or_none(self.kind)
        return registered.render(self) if registered is not None else self.kind


class Delivery(models.Model):
    """One notice sent on one outbound channel (email, SMS).

    The unique (notice, channel) pair is the dedupe key: a retried task finds the same row and
    claims it with a conditional update (``claimed_at`` says when a worker began sending), so it
    is never sent twice. ``held`` deliveries wait
    for the daily digest, which marks them ``digested`` with its ``digest_key``.
    """

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=ChannelName.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    digest_key = models.CharField(_("digest key"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "channel"], name="notifications_delivery_once_per_channel"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notifications_delivery_due")
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.notice_id}: {self.status}"

    @property
    def dedupe_key(self) -> str:
        """Stable per (notice, user, channel): what the channel stamps on the message."""
        return f"hl-notice-{self.notice_id}-user-{self.notice.user_id}-{self.channel}"


class Preference(models.Model):
    """Which outbound channels a user wants for one kind of notice (in-app is always on).

    No row means the kind's default channels.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notice_preferences",
    )
    kind = models.CharField(_("kind"), max_length=60)
    channels = models.JSONField(_("channels"), default=list, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="notifications_preference_one_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {','.join(self.channels) or '-'}"
