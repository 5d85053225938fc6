"""The outbox: events written with their change, handled after commit, retried on failure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from hazardledger.core.models import OutboxEvent
from hazardledger.core.outbox import (
    handlers_for,
    outbox_dispatch,
    outbox_pending,
    outbox_sweep,
    outbox_write,
    register_handler,
    retry_delay,
    unregister_handler,
)
from hazardledger.regions.models import Sector

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls():
    """Two handlers on ``tests.*``: one records, one fails while ``calls['fail']`` is set."""
    seen: dict = {"ok": [], "fail": True, "flaky": []}

    def ok(event: OutboxEvent) -> None:
        seen["ok"].append(event.pk)

    def flaky(event: OutboxEvent) -> None:
        seen["flaky"].append(event.pk)
        Sector.objects.filter(code="mines").update(name_en="written by a failing handler")
        if seen["fail"]:
            raise RuntimeError("the notification service is down")

    register_handler(name="tests.ok", topics=["tests.*"], func=ok)
    register_handler(name="tests.flaky", topics=["tests.thing.changed"], func=flaky)
    yield seen
    unregister_handler("tests.ok")
    unregister_handler("tests.flaky")


def _write(topic: str = "tests.thing.changed") -> OutboxEvent:
    with transaction.atomic():
        return outbox_write(topic=topic, obj=Sector.objects.get(code="mines"), data={"a": 1})


def test_topics_match_by_pattern(calls):
    assert [h.name for h in handlers_for("tests.thing.changed")] == ["tests.flaky", "tests.ok"]
    assert [h.name for h in handlers_for("tests.other")] == ["tests.ok"]
    assert "tests.ok" not in [h.name for h in handlers_for("testsx.thing")]


def test_an_event_rolls_back_with_its_change(calls, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        outbox_write(topic="tests.thing.changed", obj=Sector.objects.get(code="mines"))
        1 / 0  # noqa: B018 - the change fails after the event was written
    assert not OutboxEvent.objects.exists()
    assert calls["ok"] == []


def test_handlers_run_after_commit_and_a_failure_is_kept_for_retry(
    calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = _write()
    event.refresh_from_db()
    assert calls["ok"] == [event.pk]
    assert event.handled == ["tests.ok"]
    assert event.done_at is None
    assert event.attempts == 1
    assert "the notification service is down" in event.last_error
    assert event.retry_at is not None
    # The failing handler's own writes rolled back with its savepoint.
    assert Sector.objects.get(code="mines").name_en != "written by a failing handler"

    # Not due yet: the sweep leaves it; once due, the retry runs only the handler that failed.
    assert outbox_sweep.call() == 0
    calls["fail"] = False
    assert outbox_dispatch(event_id=event.pk, now=event.retry_at + timedelta(seconds=1))
    event.refresh_from_db()
    assert event.done_at is not None
    assert event.handled == ["tests.ok", "tests.flaky"]
    assert calls["ok"] == [event.pk]  # not run twice
    assert len(calls["flaky"]) == 2
    assert Sector.objects.get(code="mines").name_en == "written by a failing handler"
    # Done events are not dispatched again.
    assert outbox_dispatch(event_id=event.pk)
    assert calls["ok"] == [event.pk]


def test_a_claimed_event_is_not_run_by_a_second_worker(calls):
    event = _write()  # not committed through on_commit here: nothing ran
    now = timezone.now()
    OutboxEvent.objects.filter(pk=event.pk).update(locked_until=now + timedelta(minutes=1))
    assert not outbox_dispatch(event_id=event.pk, now=now)
    assert calls["ok"] == []
    # A claim that lapsed (the worker died) is taken over.
    calls["fail"] = False
    assert outbox_dispatch(event_id=event.pk, now=now + timedelta(minutes=2))
    assert calls["ok"] == [event.pk]


def test_the_sweep_finds_events_whose_enqueue_was_lost(calls):
    calls["fail"] = False
    event = _write()
    assert event.pk not in set(outbox_pending().values_list("pk", flat=True))
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert event.pk in set(outbox_pending().values_list("pk", flat=True))
    assert outbox_sweep.call() == 1
    assert calls["ok"] == [event.pk]


def test_retry_delays_grow_and_stop_growing():
    assert [retry_delay(n) for n in (1, 2, 3)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert retry_delay(30) == timedelta(hours=6)


def test_an_event_records_its_object_scope_and_actor(users, sites):
    with transaction.atomic():
        event = outbox_write(
            topic="registry.site.update", obj=sites.plant_a, actor=users.manager_a, data={"x": 1}
        )
    assert (event.object_type, event.object_id) == ("registry.site", str(sites.plant_a.pk))
    assert event.region_code == "440112001"
    assert event.actor_id == users.manager_a.pk
