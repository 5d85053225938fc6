"""Delivery: each notice goes out at most once per channel, failures retry with backoff and are
visible to administrators, an interrupted send is never repeated, preferences choose channels."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

import pytest
from django.core import mail
from django.utils import timezone

from hazardledger.core.errors import Invalid
from hazardledger.hazards.tests.factories import record
from hazardledger.notifications.channels import Undeliverable
from hazardledger.notifications.choices import DeliveryStatus
from hazardledger.notifications.constants import INTERRUPTED, MAX_ATTEMPTS
from hazardledger.notifications.models import Delivery
from hazardledger.notifications.services import (
    deliveries_sweep,
    delivery_attempt,
    preference_set,
)

pytestmark = pytest.mark.django_db

HERE = "hazardledger.notifications.tests.test_delivery"


class Crash(BaseException):
    """A worker dying mid-send (not an error the service could catch)."""


class ScriptedChannel:
    """Records what it sends; ``mode`` says whether the next send works, fails or crashes."""

    name = "email"
    mode: ClassVar[str] = "ok"
    sent: ClassVar[list[str]] = []
    calls: ClassVar[int] = 0

    def send(self, *, user: Any, subject: str, text: str, url: str, dedupe_key: str) -> None:
        if not user.email:
            raise Undeliverable("no email address")
        type(self).calls += 1
        if self.mode == "fail":
            raise ConnectionError("the mail server is down")
        if self.mode == "crash":
            raise Crash
        type(self).sent.append(dedupe_key)


@pytest.fixture
def scripted(settings):  # type: ignore[no-untyped-def]
    settings.NOTIFICATION_CHANNELS = {
        **settings.NOTIFICATION_CHANNELS,
        "email": f"{HERE}.ScriptedChannel",
    }
    ScriptedChannel.mode, ScriptedChannel.sent, ScriptedChannel.calls = "ok", [], 0
    return ScriptedChannel


@pytest.fixture
def officer_email(users):  # type: ignore[no-untyped-def]
    users.officer_a.email = "officer@ent-a.example"
    users.officer_a.save(update_fields=["email"])
    return users.officer_a


def _officers_delivery(officer: Any) -> Delivery:
    return Delivery.objects.get(notice__user=officer, channel="email")


def test_a_notice_is_emailed_once_with_its_link(users, sites, officer_email, run):
    hazard = run(record, sites.plant_a, users.inspector_a)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["officer@ent-a.example"]
    assert f"http://127.0.0.1:8000/hazards/{hazard.pk}/" in message.body
    delivery = _officers_delivery(officer_email)
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at is not None
    # Sending it again finds it claimed already: nothing more goes out.
    assert delivery_attempt(delivery_id=delivery.pk) is False
    assert deliveries_sweep(now=timezone.now() + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1


def test_a_user_without_an_email_address_fails_with_the_reason(users, sites, run):
    run(record, sites.plant_a, users.inspector_a)
    delivery = Delivery.objects.get(notice__user=users.principal_a, channel="email")
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "no email address"
    assert mail.outbox == []


def test_a_failed_send_is_retried_later_and_sent_once(users, sites, officer_email, scripted, run):
    scripted.mode = "fail"
    run(record, sites.plant_a, users.inspector_a)
    delivery = _officers_delivery(officer_email)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1 and "the mail server is down" in delivery.last_error
    assert delivery.next_attempt_at is not None
    scripted.mode = "ok"
    # Not due yet: the sweep leaves it.
    assert deliveries_sweep(now=delivery.next_attempt_at - timedelta(seconds=1)) == 0
    assert deliveries_sweep(now=delivery.next_attempt_at + timedelta(seconds=1)) == 1
    assert deliveries_sweep(now=delivery.next_attempt_at + timedelta(hours=7)) == 0
    assert scripted.sent == [delivery.dedupe_key]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_a_send_interrupted_by_a_crash_is_never_sent_again(
    users, sites, officer_email, scripted, run
):
    scripted.mode = "crash"
    run(record, sites.plant_a, users.inspector_a)
    delivery = _officers_delivery(officer_email)
    assert delivery.status == DeliveryStatus.SENDING
    scripted.mode = "ok"
    # While the claim is young it may still be sending: the sweep leaves it alone.
    assert deliveries_sweep(now=timezone.now() + timedelta(minutes=5)) == 0
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENDING
    # Later it was interrupted: failed, with the reason, and not sent again.
    assert deliveries_sweep(now=timezone.now() + timedelta(minutes=11)) == 0
    assert (
        delivery_attempt(delivery_id=delivery.pk, now=timezone.now() + timedelta(hours=1)) is False
    )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == INTERRUPTED
    assert scripted.sent == [] and scripted.calls == 1


def test_a_delivery_that_keeps_failing_is_given_up_and_shown_in_the_admin(
    users, sites, officer_email, scripted, run, client
):
    scripted.mode = "fail"
    run(record, sites.plant_a, users.inspector_a)
    later = timezone.now()
    for _ in range(MAX_ATTEMPTS + 3):
        later += timedelta(hours=7)
        deliveries_sweep(now=later)
    delivery = _officers_delivery(officer_email)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == MAX_ATTEMPTS == scripted.calls

    client.force_login(users.admin)
    response = client.get("/admin/notifications/delivery/", {"status__exact": "failed"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "the mail server is down" in page
    assert (
        f'value="{delivery.pk}"' in page or f"/admin/notifications/delivery/{delivery.pk}/" in page
    )


def test_a_preference_chooses_the_channels(users, sites, run, caplog):
    users.officer_a.phone = "13800138000"
    users.officer_a.save(update_fields=["phone"])
    preference_set(user=users.officer_a, kind="hazards.recorded_by_inspection", channels=["sms"])
    preference_set(user=users.principal_a, kind="hazards.recorded_by_inspection", channels=[])
    with caplog.at_level("INFO", logger="hazardledger.notifications.channels"):
        run(record, sites.plant_a, users.inspector_a)
    officer = Delivery.objects.get(notice__user=users.officer_a)
    assert officer.channel == "sms" and officer.status == DeliveryStatus.SENT
    assert "SMS to *******8000" in caplog.text
    assert not Delivery.objects.filter(notice__user=users.principal_a).exists()
    # In-app is always on.
    assert users.principal_a.notices.count() == 1


def test_an_sms_to_a_user_without_a_phone_fails_with_the_reason(users, sites, run):
    preference_set(user=users.officer_a, kind="hazards.recorded_by_inspection", channels=["sms"])
    run(record, sites.plant_a, users.inspector_a)
    delivery = Delivery.objects.get(notice__user=users.officer_a)
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, "no phone number")


@pytest.mark.parametrize(
    ("kind", "channels"),
    [
        ("hazards.no_such_kind", ["email"]),
        ("", ["email"]),
        ("hazards.recorded_by_inspection", ["pigeon"]),
        ("hazards.recorded_by_inspection", ["email", "<script>"]),
    ],
)
def test_preferences_refuse_unknown_kinds_and_channels(users, kind, channels):
    with pytest.raises(Invalid):
        preference_set(user=users.officer_a, kind=kind, channels=channels)
    assert not users.officer_a.notice_preferences.exists()
