"""Transactions (issue 9, items 3 and 7): the services compose inside a caller's transaction,
files are written only when it commits, and a failing outbox handler never undoes or fails a
saved action."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from hazardledger.core.models import OutboxEvent
from hazardledger.core.outbox import outbox_sweep, register_handler, unregister_handler
from hazardledger.hazards import services
from hazardledger.hazards.choices import HazardAction, HazardGrade, HazardStatus
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.models import Evidence, Hazard, QuickReport
from hazardledger.hazards.services import quick_report_create
from hazardledger.hazards.workflow import hazard_transition

from .factories import hazard_in_state, png_upload, record

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def _files(root: Path) -> list[Path]:
    return sorted(path for path in Path(root).rglob("*") if path.is_file())


@pytest.fixture
def rectifying(users, sites) -> Hazard:
    return hazard_in_state(
        status=HazardStatus.RECTIFYING,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
    )


def _submit(hazard: Hazard, actor) -> Hazard:
    return hazard_transition(
        hazard=hazard,
        action=HazardAction.SUBMIT,
        actor=actor,
        expected_version=hazard.version,
        comment="已整改",
        files=[png_upload()],
    )


def test_an_action_its_caller_rolls_back_leaves_no_file_and_no_trace(
    users, rectifying, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    events_before = OutboxEvent.objects.count()
    # As an inspection would: the hazard service inside the caller's transaction, which then
    # fails after the evidence was built and saved.
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        _submit(Hazard.objects.get(pk=rectifying.pk), users.officer_a)
        assert Evidence.objects.filter(hazard=rectifying).count() == 1
        raise Boom
    assert _files(settings.MEDIA_ROOT) == []
    assert not Evidence.objects.filter(hazard=rectifying).exists()
    fresh = Hazard.objects.get(pk=rectifying.pk)
    assert (fresh.status, fresh.version) == (HazardStatus.RECTIFYING, rectifying.version)
    assert OutboxEvent.objects.count() == events_before

    # The same action, committed, stores the photo and its thumbnail.
    with django_capture_on_commit_callbacks(execute=True):
        _submit(Hazard.objects.get(pk=rectifying.pk), users.officer_a)
    evidence = Evidence.objects.get(hazard=rectifying)
    assert [p.relative_to(settings.MEDIA_ROOT).as_posix() for p in _files(settings.MEDIA_ROOT)] == (
        sorted([evidence.file.name, evidence.thumbnail.name])
    )


def test_a_service_that_fails_after_building_evidence_leaves_no_file(
    users, sites, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"

    def failing_audit(**kwargs):
        raise Boom

    monkeypatch.setattr(services, "audit_record", failing_audit)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Boom):
        quick_report_create(
            actor=users.officer_a,
            site_id=sites.plant_a.pk,
            description="3号泵漏油",
            files=[png_upload()],
        )
    assert _files(settings.MEDIA_ROOT) == []
    assert not QuickReport.objects.exists() and not Evidence.objects.exists()


def test_a_failing_handler_leaves_the_action_saved_and_is_handled_on_retry(
    client, users, sites, django_capture_on_commit_callbacks
):
    calls: list[int] = []

    def flaky(event: OutboxEvent) -> None:
        calls.append(event.pk)
        if len(calls) == 1:
            raise RuntimeError("the notification service is down")

    hazard = record(sites.plant_a, users.officer_a)
    register_handler(name="test.flaky", topics=["hazards.hazard.plan"], func=flaky)
    try:
        client.force_login(users.officer_a)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("hazards:hazard-act", args=[hazard.pk, "plan"]),
                {
                    "plan-version": hazard.version,
                    "plan-responsible_person": "张工",
                    "plan-measures": "更换报警器",
                    "plan-funds": "5000",
                    "plan-deadline": (local_today() + timedelta(days=20)).isoformat(),
                },
            )
        # The user's action is saved and answered as usual.
        assert response.status_code == 302
        assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.RECTIFYING
        event = OutboxEvent.objects.get(topic="hazards.hazard.plan")
        assert event.done_at is None and event.attempts == 1
        assert "the notification service is down" in event.last_error
        assert "test.flaky" not in event.handled

        # The periodic sweep retries it once its delay has passed.
        with time_machine.travel(timezone.now() + timedelta(minutes=5)):
            outbox_sweep.call()
        event.refresh_from_db()
        assert event.done_at is not None and "test.flaky" in event.handled
        assert calls == [event.pk, event.pk]
    finally:
        unregister_handler("test.flaky")
