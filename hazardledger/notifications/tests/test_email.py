"""Email goes through Django's SMTP backend to a real (local) SMTP server, with the object's
absolute link and the delivery's dedupe key."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from hazardledger.hazards.tests.factories import record

pytestmark = pytest.mark.django_db


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_inbox(settings):  # type: ignore[no-untyped-def]
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "", ""
    settings.SITE_URL = "https://hazards.example.gov.cn"
    yield inbox
    controller.stop()


def test_an_email_reaches_the_smtp_server_with_the_objects_link(users, sites, run, smtp_inbox):
    users.officer_a.email = "officer@ent-a.example"
    users.officer_a.save(update_fields=["email"])
    hazard = run(record, sites.plant_a, users.inspector_a)
    assert len(smtp_inbox.messages) == 1
    message = smtp_inbox.messages[0]
    assert message["To"] == "officer@ent-a.example"
    body = message.get_payload(decode=True).decode()
    assert f"https://hazards.example.gov.cn/hazards/{hazard.pk}/" in body
    assert message["X-Hazard-Ledger-Dedupe"].endswith(f"-user-{users.officer_a.pk}-email")
