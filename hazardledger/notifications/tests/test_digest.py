"""The daily digest: beyond the daily limit, emails wait and go out as one message."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from hazardledger.core.periodic import periodic_jobs
from hazardledger.hazards.tests.factories import record
from hazardledger.notifications.choices import DeliveryStatus
from hazardledger.notifications.models import Delivery
from hazardledger.notifications.services import digests_send

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_sixty_notices_in_a_day_are_ten_emails_and_one_digest_of_fifty(users, sites, run):
    users.officer_a.email = "officer@ent-a.example"
    users.officer_a.save(update_fields=["email"])
    with time_machine.travel(MORNING, tick=False):
        hazards = [run(record, sites.plant_a, users.inspector_a) for _ in range(60)]
    assert len(mail.outbox) == 10
    held = Delivery.objects.filter(notice__user=users.officer_a, status=DeliveryStatus.HELD)
    assert held.count() == 50

    with time_machine.travel(MORNING.replace(hour=18), tick=False):
        assert digests_send() == 1
        assert digests_send() == 0  # a rerun sends nothing again
    assert len(mail.outbox) == 11
    digest = mail.outbox[-1]
    assert digest.to == ["officer@ent-a.example"]
    assert "50" in digest.subject
    for hazard in hazards[10:]:
        assert f"/hazards/{hazard.pk}/\n" in digest.body + "\n"
    for hazard in hazards[:10]:
        assert f"/hazards/{hazard.pk}/\n" not in digest.body + "\n"
    digested = Delivery.objects.filter(notice__user=users.officer_a, status="digested")
    assert digested.count() == 50
    assert set(digested.values_list("digest_key", flat=True)) == {
        f"{users.officer_a.pk}-2026-06-01"
    }


def test_the_next_day_starts_with_single_emails_again(users, sites, run):
    users.officer_a.email = "officer@ent-a.example"
    users.officer_a.save(update_fields=["email"])
    with time_machine.travel(MORNING, tick=False):
        for _ in range(11):
            run(record, sites.plant_a, users.inspector_a)
    assert len(mail.outbox) == 10
    with time_machine.travel(MORNING.replace(day=2), tick=False):
        run(record, sites.plant_a, users.inspector_a)
    assert len(mail.outbox) == 11


def test_a_digest_that_fails_to_send_waits_for_the_next_run(users, sites, run, settings):
    users.officer_a.email = "officer@ent-a.example"
    users.officer_a.save(update_fields=["email"])
    with time_machine.travel(MORNING, tick=False):
        for _ in range(12):
            run(record, sites.plant_a, users.inspector_a)
    settings.EMAIL_BACKEND = "hazardledger.notifications.tests.test_digest.DownBackend"
    assert digests_send() == 0
    held = Delivery.objects.filter(notice__user=users.officer_a, status=DeliveryStatus.HELD)
    assert held.count() == 2
    assert {row.attempts for row in held} == {1}
    assert "the mail server is down" in held[0].last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digests_send() == 1
    assert len(mail.outbox) == 11


def test_the_sweep_and_the_digest_are_scheduled():
    jobs = {job.name: job.cron for job in periodic_jobs()}
    assert jobs["notifications.deliveries_sweep"] == "* * * * *"
    assert jobs["notifications.digest_send"] == "0 18 * * *"


class DownBackend(BaseEmailBackend):
    """An email backend whose server is down."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise ConnectionError("the mail server is down")
