"""Periodic jobs: registration, the lease, one enqueue per tick, and two real schedulers."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from hazardledger.core.models import PeriodicRun, SchedulerLease
from hazardledger.core.periodic import (
    PeriodicJob,
    Scheduler,
    cron_trigger,
    lease_acquire,
    periodic_jobs,
    register_periodic,
    tick_fire,
    unregister_periodic,
)
from hazardledger.core.tests.periodic_probe import probe

ROOT = Path(__file__).resolve().parents[3]
PROBE = PeriodicJob(name="tests.probe", task=probe, cron="* * * * * *")


@pytest.fixture
def database_tasks(settings):
    """Enqueue into the database, as production does (the suite runs tasks immediately)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_core_registers_its_pruning_job():
    assert "core.job_history_prune" in {job.name for job in periodic_jobs()}


def test_a_bad_schedule_is_refused_at_registration():
    with pytest.raises(ValueError, match="5 or 6 fields"):
        register_periodic(name="tests.bad", task=probe, cron="* *")
    with pytest.raises(ValueError):
        register_periodic(name="tests.bad", task=probe, cron="99 * * * *")
    assert "tests.bad" not in {job.name for job in periodic_jobs()}


def test_registering_and_unregistering():
    register_periodic(name="tests.probe", task=probe, cron="*/5 * * * *")
    try:
        assert PeriodicJob("tests.probe", probe, "*/5 * * * *") in periodic_jobs()
    finally:
        unregister_periodic("tests.probe")
    assert "tests.probe" not in {job.name for job in periodic_jobs()}


def test_cron_is_read_in_the_deployment_time_zone(settings):
    trigger = cron_trigger("0 8 * * *")  # 08:00 Asia/Shanghai is 00:00 UTC
    start = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, start).astimezone(UTC) == datetime(
        2026, 11, 30, 0, 0, tzinfo=UTC
    )


@pytest.mark.django_db
def test_one_holder_at_a_time_and_a_standby_takes_over_after_expiry():
    now = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    ttl = timedelta(seconds=30)
    assert lease_acquire(holder="a", ttl=ttl, now=now)
    assert not lease_acquire(holder="b", ttl=ttl, now=now + timedelta(seconds=10))
    assert lease_acquire(holder="a", ttl=ttl, now=now + timedelta(seconds=20))  # renewal
    assert not lease_acquire(holder="b", ttl=ttl, now=now + timedelta(seconds=45))
    assert lease_acquire(holder="b", ttl=ttl, now=now + timedelta(seconds=51))
    assert SchedulerLease.objects.get().holder == "b"


@pytest.mark.django_db
def test_a_tick_is_enqueued_once(database_tasks):
    tick = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    assert tick_fire(job=PROBE, tick=tick)
    assert not tick_fire(job=PROBE, tick=tick)
    run = PeriodicRun.objects.get()
    assert DBTaskResult.objects.filter(id=run.task_result_id).count() == 1
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_two_schedulers_in_one_database_enqueue_each_tick_once(database_tasks):
    """Passes of a leader and a standby interleave; the standby fires nothing until the
    leader's lease lapses, then catches up without repeating a tick."""
    start = datetime(2026, 11, 29, 8, 0, 0, 500_000, tzinfo=UTC)
    clock = {"now": start}

    def now() -> datetime:
        return clock["now"]

    first = Scheduler(jobs=[PROBE], clock=now, lease_ttl=timedelta(seconds=3))
    second = Scheduler(jobs=[PROBE], clock=now, lease_ttl=timedelta(seconds=3))
    for _ in range(5):
        first.run_pass()
        second.run_pass()
        clock["now"] += timedelta(seconds=1)
    assert not second.leader
    # The first stops without releasing (a crash); the second takes over when the lease ends.
    for _ in range(5):
        second.run_pass()
        clock["now"] += timedelta(seconds=1)
    assert second.leader
    ticks = list(PeriodicRun.objects.order_by("tick").values_list("tick", flat=True))
    assert len(ticks) == len(set(ticks))
    assert ticks[-1] == datetime(2026, 11, 29, 8, 0, 9, tzinfo=UTC)
    # Every second from the first pass's grace window to the last pass, each once.
    assert ticks == [ticks[0] + timedelta(seconds=i) for i in range(len(ticks))]
    assert DBTaskResult.objects.count() == len(ticks)


def test_list_shows_the_registered_jobs(capsys):
    call_command("run_scheduler", "--list")
    assert "core.job_history_prune\t17 3 * * *" in capsys.readouterr().out


_RUN_SCHEDULER = """
import django
django.setup()
from django.core.management import call_command
from hazardledger.core.periodic import register_periodic
from hazardledger.core.tests.periodic_probe import probe
register_periodic(name="tests.probe", task=probe, cron="* * * * * *")
call_command("run_scheduler", "--for-seconds", "5", "--poll", "0.2", "--lease-seconds", "5")
"""


# Its processes run on a throw-away SQLite file whatever the suite's database: run once, in the
# SQLite run of the suite.
@pytest.mark.skipif(connection.vendor != "sqlite", reason="runs on its own SQLite file")
def test_two_scheduler_processes_run_a_registered_task_once_per_tick(tmp_path):
    database = tmp_path / "periodic.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "test-only",
        "DEBUG": "0",
        "TASKS_BACKEND": "database",
    }

    def manage(*args: str) -> None:
        subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=120
        )

    manage("migrate", "-v0")
    schedulers = [
        subprocess.Popen(  # noqa: S603 - our own scheduler
            [sys.executable, "-c", _RUN_SCHEDULER],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=60) for process in schedulers]
    for process, (out, err) in zip(schedulers, outputs, strict=True):
        assert process.returncode == 0, err
        assert "periodic jobs" in out
    manage("db_worker", "--batch", "-v0")

    with sqlite3.connect(database) as db:
        ticks = [
            row[0]
            for row in db.execute(
                "SELECT tick FROM core_periodicrun WHERE job = 'tests.probe' ORDER BY tick"
            )
        ]
        statuses = [
            row[0]
            for row in db.execute(
                "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE ?",
                ("%periodic_probe.probe",),
            )
        ]
    assert len(ticks) >= 3  # five seconds of a once-a-second job, minus start-up
    assert len(ticks) == len(set(ticks))
    assert len(statuses) == len(ticks)
    assert set(statuses) == {"SUCCESSFUL"}
