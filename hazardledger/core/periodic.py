"""Periodic jobs: apps register Django tasks with a cron schedule; one scheduler enqueues them.

An app registers its jobs in its ``AppConfig.ready()``::

    register_periodic(name="hazards.deadline_sweep", task=deadline_sweep, cron="5 0 * * *")

``manage.py run_scheduler`` (one process per deployment, more for fail-over) computes each
job's fire times with APScheduler's ``CronTrigger`` and, at each tick, enqueues the task; the
database worker (``manage.py db_worker``) runs it. Two guards make "once per tick" hold even
with several scheduler processes running:

1. a **lease** row (``SchedulerLease``): only the process holding it fires jobs; it renews the
   lease on every pass, and a standby takes over once the lease has expired;
2. a **claim** per tick (``PeriodicRun``, unique on job and tick): the tick is claimed and the
   task enqueued in one transaction, so a second process that fires the same tick (during a
   hand-over, or with a clock skewed past the lease) inserts nothing and enqueues nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import PeriodicRun, SchedulerLease

logger = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
# A tick missed by at most this much (a hand-over, a slow pass) is still fired once.
MISFIRE_GRACE = timedelta(seconds=60)


@dataclass(frozen=True)
class PeriodicJob:
    """One registered job: a stable ``name``, the Django ``task`` it enqueues (with no
    arguments) and its ``cron`` schedule ("m h dom mon dow", or six fields with seconds first),
    evaluated in the deployment's time zone."""

    name: str
    task: Any
    cron: str

    def trigger(self) -> CronTrigger:
        return cron_trigger(self.cron)


_REGISTRY: dict[str, PeriodicJob] = {}


def cron_trigger(expression: str) -> CronTrigger:
    """A ``CronTrigger`` for a 5-field crontab or a 6-field one whose first field is seconds.

    Raises ``ValueError`` on anything else, so a bad schedule fails at registration.
    """
    fields = expression.split()
    tz = timezone.get_current_timezone()
    if len(fields) == 5:
        return CronTrigger.from_crontab(expression, timezone=tz)
    if len(fields) == 6:
        second, minute, hour, day, month, day_of_week = fields
        return CronTrigger(
            second=second,
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=day_of_week,
            timezone=tz,
        )
    raise ValueError(f"A cron schedule has 5 or 6 fields, got {expression!r}")


def register_periodic(*, name: str, task: Any, cron: str) -> PeriodicJob:
    """Register ``task`` to be enqueued on the ``cron`` schedule under ``name``.

    Registering the same name again replaces the job (apps' ``ready()`` may run twice in
    tests). Raises ``ValueError`` for a malformed schedule.
    """
    cron_trigger(cron)
    job = PeriodicJob(name=name, task=task, cron=cron)
    _REGISTRY[name] = job
    return job


def unregister_periodic(name: str) -> None:
    """Forget a job (tests that register their own)."""
    _REGISTRY.pop(name, None)


def periodic_jobs() -> list[PeriodicJob]:
    """The registered jobs, by name."""
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def lease_acquire(*, holder: str, ttl: timedelta, now: datetime | None = None) -> bool:
    """Take or renew the scheduler lease for ``holder``; True when it holds it now.

    A conditional update (healthchecks' pattern): the row changes only when it is free,
    expired, or already ours, and the caller acts only when exactly one row changed.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            SchedulerLease.objects.get_or_create(
                name=LEASE_NAME, defaults={"holder": "", "expires_at": now}
            )
    except IntegrityError:  # another process created it first: fine, compete below
        pass
    changed = (
        SchedulerLease.objects.filter(name=LEASE_NAME)
        .filter(Q(holder=holder) | Q(expires_at__lte=now) | Q(holder=""))
        .update(holder=holder, expires_at=now + ttl)
    )
    return changed == 1


def lease_release(*, holder: str) -> None:
    """Give the lease up at shutdown so that a standby takes over at once."""
    SchedulerLease.objects.filter(name=LEASE_NAME, holder=holder).update(
        holder="", expires_at=timezone.now()
    )


def tick_fire(*, job: PeriodicJob, tick: datetime) -> bool:
    """Claim ``tick`` of ``job`` and enqueue its task, atomically; False if already claimed.

    The task result's id is kept on the claim, so an operator can follow a tick to its run.
    """
    try:
        with transaction.atomic():
            run = PeriodicRun.objects.create(job=job.name, tick=tick)
            result = job.task.enqueue()
            run.task_result_id = str(result.id)
            run.save(update_fields=["task_result_id"])
    except IntegrityError:
        return False
    logger.info("periodic job %s enqueued for %s", job.name, tick.isoformat())
    return True


class Scheduler:
    """The loop behind ``run_scheduler``: fire due ticks while holding the lease.

    ``clock`` and ``sleep`` are injectable so that tests can run passes without waiting.
    """

    def __init__(
        self,
        *,
        jobs: list[PeriodicJob] | None = None,
        lease_ttl: timedelta = timedelta(seconds=30),
        poll: float = 1.0,
        clock: Callable[[], datetime] = timezone.now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.jobs = periodic_jobs() if jobs is None else jobs
        self.triggers = {job.name: job.trigger() for job in self.jobs}
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease_ttl = lease_ttl
        self.poll = poll
        self.clock = clock
        self.sleep = sleep
        self.next_fire: dict[str, datetime | None] = {}
        self.leader = False

    def _plan_from(self, start: datetime) -> None:
        for job in self.jobs:
            self.next_fire[job.name] = self.triggers[job.name].get_next_fire_time(None, start)

    def run_pass(self) -> int:
        """One pass: renew or take the lease, then fire every tick that is due. Returns how
        many ticks this process enqueued."""
        now = self.clock()
        leader = lease_acquire(holder=self.holder, ttl=self.lease_ttl, now=now)
        if leader and not self.leader:
            # Just became the leader: catch up on ticks missed within the grace period.
            self._plan_from(now - MISFIRE_GRACE)
        self.leader = leader
        if not leader:
            return 0
        fired = 0
        for job in self.jobs:
            trigger = self.triggers[job.name]
            due = self.next_fire.get(job.name)
            while due is not None and due <= now:
                if due >= now - MISFIRE_GRACE and tick_fire(job=job, tick=due):
                    fired += 1
                due = trigger.get_next_fire_time(due, due + timedelta(microseconds=1))
            self.next_fire[job.name] = due
        return fired

    def run(self, *, until: datetime | None = None) -> None:
        """Loop until ``until`` (for tests and ``--for-seconds``) or forever; release the
        lease on the way out."""
        try:
            while until is None or self.clock() < until:
                self.run_pass()
                self.sleep(self.poll)
        finally:
            if self.leader:
                lease_release(holder=self.holder)
