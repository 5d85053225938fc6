"""The rollups follow the ledger: handlers on every change, the hourly sweep at midnight, the
rebuild command, and the site counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from hazardledger.core.models import OutboxEvent
from hazardledger.core.outbox import outbox_dispatch
from hazardledger.hazards.choices import HazardAction as A
from hazardledger.hazards.choices import HazardGrade, HazardSource
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.tests.factories import act, plan_approved, plan_data, record
from hazardledger.registry.services import site_update
from hazardledger.reporting.models import CurrentCount, DailyTotal, HazardState, MonthlyTotal
from hazardledger.reporting.rollups import (
    rollups_snapshot,
    rollups_time_sweep,
    sites_reconcile,
)
from hazardledger.reporting.selectors import Scope, current_counts, period_totals
from hazardledger.reporting.tasks import rollups_time_sweep_task

from .conftest import HAZARD_TABLES, assert_agrees_with_rebuild, committed

ALL_TABLES = (*HAZARD_TABLES, "sites", "site_states")

pytestmark = pytest.mark.django_db

GZ = Scope(region="4401")
NOON = datetime(2026, 5, 20, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _now(scope: Scope = GZ) -> dict:
    return current_counts(scope)[0]


def test_handlers_count_a_hazard_through_its_life(users, sites):
    with time_machine.travel(NOON, tick=False):
        with committed():
            hazard = record(sites.plant_a, users.officer_a, grade=HazardGrade.MAJOR)
        today = local_today()
        assert _now()["open"] == 1 and _now()["major_open"] == 1
        assert period_totals(GZ, today, today)[0]["found"] == 1
        with committed():
            hazard = plan_approved(hazard, users.officer_a)
        with committed():
            hazard = act(hazard, A.SUBMIT, users.officer_a)
        with committed():
            act(hazard, A.ACCEPT, users.inspector_a)
        totals = period_totals(GZ, today, today)[0]
        assert totals["found"] == 1
        assert totals["rectified"] == totals["rectified_on_time"] == 1
        assert totals["closed"] == totals["closed_on_time"] == 1
        assert _now()["open"] == 0 and _now()["closed_now"] == 1
        # The township, the county, the city and the province, each sector and all sectors.
        regions = set(CurrentCount.objects.filter(hazards__gt=0).values_list("region", flat=True))
        assert regions == {"44", "4401", "440112", "440112001"}
        assert set(DailyTotal.objects.values_list("region", flat=True)) == {"440112001"}
        assert MonthlyTotal.objects.filter(region="4401", sector="").count() == 1


def test_a_hazard_turns_overdue_at_midnight_without_an_event(users, sites):
    sites_reconcile()  # the sites counted already: the job below has only the hazard to do
    with time_machine.travel(NOON, tick=False) as clock:
        with committed():
            hazard = record(sites.plant_a, users.officer_a)
        with committed():
            act(hazard, A.PLAN, users.officer_a, data=plan_data(deadline=local_today()))
        state = HazardState.objects.get(pk=hazard.pk)
        assert state.changes_after == local_today() and not state.overdue
        clock.move_to(NOON + timedelta(hours=11, minutes=59))  # 23:59 the same day
        assert rollups_time_sweep() == 0
        clock.move_to(NOON + timedelta(hours=12, minutes=1))  # 00:01 the next day
        assert _now()["overdue"] == 0  # nothing has run yet
        assert rollups_time_sweep_task.call() == 1  # the hourly job
        assert _now()["overdue"] == 1
        assert Hazard.objects.filter(pk=hazard.pk).get().is_overdue
        assert HazardState.objects.get(pk=hazard.pk).changes_after is None
        assert rollups_time_sweep() == 0  # the next hour finds nothing


def test_a_review_turns_overdue_too(users, sites):
    with time_machine.travel(NOON, tick=False) as clock:
        with committed():
            hazard = plan_approved(
                record(sites.plant_a, users.officer_a, grade=HazardGrade.MAJOR), users.officer_a
            )
        with committed():
            hazard = act(hazard, A.SUBMIT, users.officer_a)
        clock.shift(timedelta(days=11))
        rollups_time_sweep()
        assert _now()["review_overdue"] == 1
        assert_agrees_with_rebuild()


def test_handling_an_event_twice_changes_nothing(users, sites):
    with committed():
        hazard = record(sites.plant_a, users.officer_a)
    with committed():
        act(hazard, A.PLAN, users.officer_a)
    before = rollups_snapshot()
    for event in OutboxEvent.objects.filter(object_id=str(hazard.pk)):
        OutboxEvent.objects.filter(pk=event.pk).update(done_at=None, handled=[])
        assert outbox_dispatch(event_id=event.pk)
    assert rollups_snapshot() == before


def test_escalation_counts_from_the_county_step(users, sites):
    with committed():
        hazard = record(sites.plant_a, users.officer_a)
    step = {"reason": "overdue", "region_code": "440112", "days": 1}
    with committed():
        act(hazard, A.ESCALATE, users.admin, data={**step, "step": "due"})
    assert _now()["escalated"] == 0
    with committed():
        act(hazard, A.ESCALATE, users.admin, data={**step, "step": "county"})
    assert _now()["escalated"] == 1
    with committed():
        act(hazard, A.VOID, users.inspector_a, data={"void_reason": "error"})
    assert _now()["escalated"] == 0  # only while open
    assert_agrees_with_rebuild()


def test_a_site_moving_takes_its_hazards_along(users, sites):
    sites_reconcile()
    with committed():
        record(sites.factory_b, users.officer_b, source=HazardSource.SELF_INSPECTION)
    panyu, huangpu = Scope(region="440113"), Scope(region="440112")
    assert _now(panyu)["open"] == 1 and _now(huangpu)["open"] == 0
    site = sites.factory_b
    with committed():
        site_update(
            actor=users.admin,
            site=site,
            data={"region": "440112001"},
            expected_version=site.version,
        )
    assert _now(panyu)["open"] == 0 and _now(huangpu)["open"] == 1
    assert_agrees_with_rebuild(ALL_TABLES)


def test_site_counts_follow_the_risk_level_a_major_hazard_sets(users, sites):
    sites_reconcile()
    assert _counts("4401")["not_assessed"] == 3
    with committed():
        record(sites.plant_a, users.officer_a, grade=HazardGrade.MAJOR)
    counts = _counts("4401")
    assert counts["major"] == 1 and counts["not_assessed"] == 2
    assert_agrees_with_rebuild(ALL_TABLES)


def _counts(region: str) -> dict:
    from hazardledger.reporting.selectors import risk_level_counts

    return risk_level_counts(Scope(region=region))[0]


def test_the_command_rebuilds_and_checks(users, sites):
    with committed():
        record(sites.plant_a, users.officer_a)
    sites_reconcile()
    out = StringIO()
    call_command("rollups_rebuild", "--check", stdout=out)
    assert "agree" in out.getvalue()
    CurrentCount.objects.filter(region="4401", sector="").update(hazards=7)
    with pytest.raises(CommandError, match="differ"):
        call_command("rollups_rebuild", "--check", stdout=(out := StringIO()))
    assert "should be" in out.getvalue()
    assert CurrentCount.objects.get(region="4401", sector="").hazards == 7  # --check kept it
    call_command("rollups_rebuild", stdout=(out := StringIO()))
    assert "1 hazards" in out.getvalue()
    assert CurrentCount.objects.get(region="4401", sector="").hazards == 1


def test_the_demo_ends_with_the_rollups():
    from hazardledger.core.extensions import demo_steps

    steps = demo_steps()
    assert steps[-1].name == "reporting" and steps[-1].clear is not None


def test_where_tasks_can_wait_the_handler_only_queues(users, sites, monkeypatch):
    """With the task worker (not the test suite's immediate tasks), an event costs one queue
    row; a flush scheduled a second later refreshes every queued hazard at once."""
    from types import SimpleNamespace

    from hazardledger.reporting import handlers, tasks
    from hazardledger.reporting.models import RollupQueue

    scheduled = []

    class FakeTask:
        def using(self, **options):
            scheduled.append(options["run_after"])
            return SimpleNamespace(enqueue=lambda: None)

    monkeypatch.setattr(handlers, "default_task_backend", SimpleNamespace(supports_defer=True))
    monkeypatch.setattr(tasks, "rollups_flush_task", FakeTask())
    monkeypatch.setattr(handlers, "_flush_scheduled_until", 0.0)
    with committed():
        first = record(sites.plant_a, users.officer_a)
        second = record(sites.factory_b, users.officer_b)
    with committed():
        act(first, A.PLAN, users.officer_a)
    assert set(RollupQueue.objects.values_list("hazard_id", flat=True)) == {first.pk, second.pk}
    assert len(scheduled) == 1  # one flush for the burst
    assert _now()["open"] == 0  # not yet counted
    from hazardledger.reporting.rollups import rollups_flush

    assert rollups_flush() == 2
    assert _now()["open"] == 2 and not RollupQueue.objects.exists()
    assert_agrees_with_rebuild()


def test_a_flush_takes_full_batches_until_a_short_one_empties_the_queue(users, sites, monkeypatch):
    """Five queued hazards, batches of two: three takes (2, 2, 1), every hazard counted, and
    no fourth ask of an empty queue."""
    from types import SimpleNamespace

    from hazardledger.reporting import handlers, rollups, tasks
    from hazardledger.reporting.models import RollupQueue

    monkeypatch.setattr(handlers, "default_task_backend", SimpleNamespace(supports_defer=True))
    monkeypatch.setattr(
        tasks,
        "rollups_flush_task",
        SimpleNamespace(using=lambda **_: SimpleNamespace(enqueue=lambda: None)),
    )
    monkeypatch.setattr(handlers, "_flush_scheduled_until", 0.0)
    with committed():
        for _ in range(5):
            record(sites.plant_a, users.officer_a)
    assert RollupQueue.objects.count() == 5
    takes = []
    take = rollups._take_batch

    def counted(cursor, size):  # type: ignore[no-untyped-def]
        taken = take(cursor, size)
        takes.append(len(taken))
        return taken

    monkeypatch.setattr(rollups, "_take_batch", counted)
    assert rollups.rollups_flush(batch=2) == 5
    assert takes == [2, 2, 1]
    assert _now()["open"] == 5 and not RollupQueue.objects.exists()
    assert_agrees_with_rebuild()
