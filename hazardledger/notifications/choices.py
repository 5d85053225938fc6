"""Delivery states and outbound channel names of notifications."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    HELD = "held", _("Held for the daily digest")
    DIGESTED = "digested", _("Sent in a digest")


class ChannelName(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
