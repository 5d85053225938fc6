"""Outbound channels: how a notice leaves the application (email, SMS).

A channel is a class with a ``name`` and ``send(*, user, subject, text, url, dedupe_key)``
that raises on failure (the delivery is retried with backoff) or raises ``Undeliverable``
when retrying cannot help (no address: the delivery fails at once with the reason).
``settings.NOTIFICATION_CHANNELS`` maps each channel name to the dotted path of its class, so
an SMS gateway plugs in by setting ``NOTIFICATION_SMS_CHANNEL`` (docs/notifications.md).
"""

from __future__ import annotations

import logging
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class Undeliverable(Exception):
    """The message cannot be sent to this user on this channel, however often it is tried."""


class Channel(Protocol):
    """What a channel provides; ``send`` raises on failure."""

    name: str

    def send(self, *, user: Any, subject: str, text: str, url: str, dedupe_key: str) -> None: ...


def absolute_url(path: str) -> str:
    """The link to ``path`` from outside the application (``settings.SITE_URL``)."""
    if not path:
        return ""
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


class EmailChannel:
    """Email through Django's email backend, to ``user.email``, with the object's absolute
    link. The message carries the delivery's dedupe key (``Message-ID`` and
    ``X-Hazard-Ledger-Dedupe``), so a mail system can recognise a resend."""

    name = "email"

    def send(self, *, user: Any, subject: str, text: str, url: str, dedupe_key: str) -> None:
        if not getattr(user, "email", ""):
            raise Undeliverable("no email address")
        body = text if not url else f"{text}\n\n{absolute_url(url)}\n"
        domain = urlsplit(settings.SITE_URL).hostname or "localhost"
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
            headers={
                "Message-ID": f"<{dedupe_key}@{domain}>",
                "X-Hazard-Ledger-Dedupe": dedupe_key,
            },
        )
        message.send(fail_silently=False)


class LoggingSmsChannel:
    """The default SMS channel: writes the text message to the log instead of a gateway."""

    name = "sms"

    def send(self, *, user: Any, subject: str, text: str, url: str, dedupe_key: str) -> None:
        phone = getattr(user, "phone", "")
        if not phone:
            raise Undeliverable("no phone number")
        logger.info(
            "SMS to %s (%s): %s %s", phone[-4:].rjust(len(phone), "*"), dedupe_key, text, url
        )


def channel_for(name: str) -> Channel:
    """An instance of the channel configured for ``name``; ``LookupError`` when none is."""
    try:
        path = settings.NOTIFICATION_CHANNELS[name]
    except KeyError:
        raise LookupError(f"No notification channel is configured as {name!r}") from None
    channel: Channel = import_string(path)()
    return channel
