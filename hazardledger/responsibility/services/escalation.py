"""The escalation of late hazards up the chain of responsibility, exactly once per step.

Every hazard has one ``Escalation`` row saying which track it is on — its rectification is
late (``overdue``, counted from the deadline) or the regulator's review is (``review_overdue``,
from the review due date) — the next step and the local date it falls due. Outbox handlers
keep the row current (``escalation_sync``); ``escalation_rebuild`` rebuilds every row.

A tick of the job (``escalation_tick``) reads the rows due today by their index, and for each
claims the step with a conditional update of that row — ``UPDATE … SET next_step = <the one
after> WHERE hazard = ? AND next_step = <step> AND reason = … AND basis_on = …`` — then, in the
same transaction, records the step (``EscalationStep``, unique per hazard, track and step) and
applies the hazard workflow's ``escalate`` action (an event in the hazard's verified history,
an outbox event from which the notifications are made). A second worker's update finds the
row changed and does nothing; a worker killed mid-batch commits nothing, so the next tick
does the batch again. The hazard row is never used to claim.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.accounts.models import Organisation, User
from hazardledger.core.bulk import bulk_insert
from hazardledger.hazards.choices import (
    PARTY_MOVE_STATUSES,
    HazardAction,
    HazardStatus,
)
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.workflow import EscalateInput, hazard_transition_many

from ..chain import Chains
from ..choices import EscalationReason, EscalationStepName
from ..constants import STEPS, SYSTEM_FULL_NAME, SYSTEM_USERNAME, TICK_BATCH
from ..models import Escalation, EscalationStep
from ..schedule import step_offset

logger = logging.getLogger(__name__)

__all__ = [
    "TickReport",
    "escalation_rebuild",
    "escalation_sync",
    "escalation_tick",
    "hazard_track",
    "system_actor",
]

# The hazard fields a row depends on: an event changing one of them re-syncs the row.
TRACKED_FIELDS = frozenset({"status", "deadline", "review_due", "grade", "sector"})


def hazard_track(
    *, status: str, deadline: date | None, review_due: date | None
) -> tuple[str, date] | None:
    """The track a hazard is on: ``("overdue", deadline)`` while rectification is the party's
    move, ``("review_overdue", review_due)`` while a submitted hazard awaits a review with a
    due date, else None (closed, voided, fixed on the spot, or no date to count from)."""
    if status in PARTY_MOVE_STATUSES and deadline is not None:
        return EscalationReason.OVERDUE, deadline
    if status == HazardStatus.SUBMITTED and review_due is not None:
        return EscalationReason.REVIEW_OVERDUE, review_due
    return None


def next_step_after(step: str) -> str:
    """The step after ``step`` ("" after the province)."""
    index = STEPS.index(step) + 1
    return STEPS[index] if index < len(STEPS) else ""


def _due_on(*, step: str, basis: date | None, sector: str, grade: str) -> date | None:
    if not step or basis is None:
        return None
    return basis + timedelta(days=step_offset(step=step, sector=sector, grade=grade))


def _first_step_left(done: Iterable[str]) -> str:
    """The step after the last one taken on a track ("reminder" when none was)."""
    taken = [STEPS.index(step) for step in done if step in STEPS]
    if not taken:
        return STEPS[0]
    return STEPS[max(taken) + 1] if max(taken) + 1 < len(STEPS) else ""


def _row_fields(
    *, hazard: dict[str, Any], row: Escalation | None, done: Iterable[str]
) -> dict[str, Any]:
    """The row's columns for the hazard as it is: the same track keeps its next step (only
    the due date follows a new grade or schedule); a new track starts after the last step
    already taken on it (``done``), so that no step is ever taken twice."""
    track = hazard_track(
        status=hazard["status"], deadline=hazard["deadline"], review_due=hazard["review_due"]
    )
    fields: dict[str, Any] = {"grade": hazard["grade"], "sector_id": hazard["sector_id"]}
    if track is None:
        return {**fields, "reason": "", "basis_on": None, "next_step": "", "next_due_on": None}
    reason, basis = track
    done = list(done)
    if row is not None and (row.reason, row.basis_on) == (reason, basis):
        # The same track keeps its place, unless the row points at a step already taken (a
        # row reset by hand): then it goes on after the last one taken.
        step = row.next_step if row.next_step not in done else _first_step_left(done)
    else:
        step = _first_step_left(done)
    due = _due_on(step=step, basis=basis, sector=hazard["sector_id"], grade=hazard["grade"])
    return {**fields, "reason": reason, "basis_on": basis, "next_step": step, "next_due_on": due}


_HAZARD_COLUMNS = ("pk", "status", "deadline", "review_due", "grade", "sector_id")


def escalation_sync(*, hazard_id: int) -> Escalation | None:
    """Bring one hazard's row up to date with the hazard (the outbox handler; the job when it
    finds a row behind its hazard). Locks the row, so that it never overwrites a step a
    worker is claiming; deletes the row of a hazard that no longer exists. Returns the row."""
    with transaction.atomic():
        hazard = Hazard.objects.filter(pk=hazard_id).values(*_HAZARD_COLUMNS).first()
        row = Escalation.objects.select_for_update().filter(pk=hazard_id).first()
        if hazard is None:
            if row is not None:
                row.delete()
            return None
        track = hazard_track(
            status=hazard["status"], deadline=hazard["deadline"], review_due=hazard["review_due"]
        )
        done: list[str] = []
        if track is not None:
            done = list(
                EscalationStep.objects.filter(
                    hazard_id=hazard_id, reason=track[0], basis_on=track[1]
                ).values_list("step", flat=True)
            )
        fields = _row_fields(hazard=hazard, row=row, done=done)
        if row is None:
            row = Escalation(hazard_id=hazard_id, **fields)
            row.save(force_insert=True)
            return row
        changed = [name for name, value in fields.items() if getattr(row, name) != value]
        if changed:
            for name in changed:
                setattr(row, name, fields[name])
            row.save(update_fields=[*changed, "updated_at"])
        return row


def escalation_rebuild(*, batch: int = 5000, hazard_ids: Iterable[int] | None = None) -> int:
    """Create or correct the row of every hazard (or of ``hazard_ids``), in batches by id;
    return how many rows were written. For a new deployment, after a restore, or after the
    schedule changed; safe while the job runs (a step is still taken once: the step record
    is unique, and a track resumes after its last step)."""
    written = 0
    hazards = Hazard.objects.order_by("pk")
    if hazard_ids is not None:
        hazards = hazards.filter(pk__in=list(hazard_ids))
    last = 0
    while True:
        chunk = list(hazards.filter(pk__gt=last).values(*_HAZARD_COLUMNS)[:batch])
        if not chunk:
            return written
        last = chunk[-1]["pk"]
        ids = [h["pk"] for h in chunk]
        with transaction.atomic():
            rows = {r.pk: r for r in Escalation.objects.select_for_update().filter(pk__in=ids)}
            done: dict[tuple[int, str, date], list[str]] = {}
            steps = EscalationStep.objects.filter(hazard_id__in=ids).values_list(
                "hazard_id", "reason", "basis_on", "step"
            )
            for hazard_id, reason, basis, step in steps:
                done.setdefault((hazard_id, reason, basis), []).append(step)
            new, changed = [], []
            for hazard in chunk:
                row = rows.get(hazard["pk"])
                track = hazard_track(
                    status=hazard["status"],
                    deadline=hazard["deadline"],
                    review_due=hazard["review_due"],
                )
                taken = done.get((hazard["pk"], *track), []) if track else []
                fields = _row_fields(hazard=hazard, row=row, done=taken)
                if row is None:
                    new.append(Escalation(hazard_id=hazard["pk"], **fields))
                elif any(getattr(row, name) != value for name, value in fields.items()):
                    for name, value in fields.items():
                        setattr(row, name, value)
                    changed.append(row)
            Escalation.objects.bulk_create(new, batch_size=1000)
            Escalation.objects.bulk_update(
                changed,
                ["grade", "sector_id", "reason", "basis_on", "next_step", "next_due_on"],
                batch_size=1000,
            )
            written += len(new) + len(changed)


# --- the job ----------------------------------------------------------------------------------


def system_actor() -> User:
    """The user the escalation job acts as: inactive (nobody signs in as it), with the
    administrator's role, which the workflow's ``escalate`` needs; created on first use in the
    system organisation, if there is one."""
    user = User.objects.select_related("organisation").filter(username=SYSTEM_USERNAME).first()
    if user is not None:
        return user
    organisation = Organisation.objects.filter(kind=OrganisationKind.SYSTEM).order_by("pk").first()
    user, _created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "role": Role.ADMINISTRATOR,
            "full_name": SYSTEM_FULL_NAME,
            "is_active": False,
            "organisation": organisation,
            "password": "!",  # an unusable password: never signs in
        },
    )
    return user


@dataclass
class TickReport:
    """What one tick did: steps taken, reminders skipped (the deadline had passed when the
    job came to them), rows brought up to date, and rows another worker had claimed first."""

    taken: int = 0
    skipped: int = 0
    synced: int = 0
    lost: int = 0
    passes: int = 0
    by_step: dict[str, int] = field(default_factory=dict)

    def merge(self, other: TickReport) -> None:
        self.taken += other.taken
        self.skipped += other.skipped
        self.synced += other.synced
        self.lost += other.lost
        for step, n in other.by_step.items():
            self.by_step[step] = self.by_step.get(step, 0) + n

    def __str__(self) -> str:
        steps = ", ".join(f"{step} {n}" for step, n in sorted(self.by_step.items()))
        return (
            f"{self.taken} steps taken ({steps or 'none'}), {self.skipped} reminders skipped, "
            f"{self.synced} rows synced, {self.lost} claimed by another worker"
        )


@dataclass
class _Tick:
    today: date
    now: datetime
    actor: User
    chains: Chains
    report: TickReport


@dataclass
class _Plan:
    """The step one row is to take: the row's next step as read (``old``), the step acted on
    (``step``: the due step when the reminder came too late), what follows, and the level."""

    row: Escalation
    hazard: Hazard
    old: str
    step: str
    following: str
    following_due: date | None
    days: int
    level: Any
    skipped_reminder: bool


def escalation_tick(
    *,
    now: datetime | None = None,
    batch: int = TICK_BATCH,
    limit: int | None = None,
    workers: int | None = None,
    processes: bool | None = None,
) -> TickReport:
    """Take every escalation step due by today (the local date of ``now``), each exactly once.

    Steps, pass after pass until a pass takes nothing (a row late by several steps takes one
    per pass, in order):
    1. the ids of the rows due (``next_due_on <= today``: a range of the partial index; with
       nothing due a tick costs two queries);
    2. when there are more than ``batch`` of them, the ids are shared out between ``workers``
       (``settings.ESCALATION_WORKERS``; every n-th id to each, so no two share a hazard),
       each with its own database connection: processes (``processes``, default
       ``settings.ESCALATION_PROCESSES``: PostgreSQL; both cores work) or threads;
    3. each worker takes its ids batch by batch, one transaction per batch
       (``_tick_batch``): lock the hazards, read their rows, plan each row's step, claim the
       planned steps with one conditional update, then for the claimed rows apply the
       workflow's ``escalate`` to all at once (``hazard_transition_many``) and record the
       steps. A worker killed mid-batch commits nothing of it; a second worker's claim
       matches no row the first one claimed.

    ``limit`` stops after that many rows in one pass (the kill test). An entry point: it
    commits batch by batch. Called inside a transaction (the demo's load, a test), it works
    alone on the caller's connection: another connection would not see what that transaction
    has not committed.
    """
    now = now or timezone.now()
    if workers is None:
        workers = int(getattr(settings, "ESCALATION_WORKERS", 1) or 1)
    workers = 1 if connection.in_atomic_block else max(workers, 1)
    if processes is None:
        processes = bool(getattr(settings, "ESCALATION_PROCESSES", False))
    tick = _Tick(
        today=local_today(now),
        now=now,
        actor=system_actor(),
        chains=Chains(),
        report=TickReport(),
    )
    for _pass in range(len(STEPS) + 1):
        due = Escalation.objects.filter(next_due_on__lte=tick.today).order_by("pk")
        ids = list(due.values_list("pk", flat=True))
        if limit is not None:
            ids = ids[:limit]
        if not ids:
            break
        before = (tick.report.taken, tick.report.skipped, tick.report.synced)
        tick.report.passes += 1
        if workers == 1 or len(ids) <= batch:
            _tick_share(tick, ids, batch)
        else:
            shares = [ids[n::workers] for n in range(workers)]
            if processes:
                _tick_processes(tick, shares, batch)
            else:
                _tick_threads(tick, shares, batch)
        if (tick.report.taken, tick.report.skipped, tick.report.synced) == before or limit:
            break
    return tick.report


def _tick_share(tick: _Tick, ids: list[int], batch: int) -> None:
    for start in range(0, len(ids), batch):
        _tick_batch(tick, ids[start : start + batch])


def _tick_threads(tick: _Tick, shares: list[list[int]], batch: int) -> None:
    """Run the shares in threads, each with its own connection (and report, merged after)."""
    errors: list[BaseException] = []
    reports: list[TickReport] = []

    def run(share: list[int]) -> None:
        own = _Tick(tick.today, tick.now, tick.actor, Chains(), TickReport())
        try:
            _tick_share(own, share, batch)
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)
        finally:
            reports.append(own.report)
            connections.close_all()

    threads = [threading.Thread(target=run, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for report in reports:
        tick.report.merge(report)
    if errors:
        raise errors[0]


def _tick_processes(tick: _Tick, shares: list[list[int]], batch: int) -> None:
    """Run the shares in worker processes (``core.processes``: spawned, each with its own
    connection; ``workers.share``); their reports are merged. A process that fails raises
    here; what it committed stays committed, the rest is the next tick's. Where processes
    cannot reach the database (an in-memory SQLite database), threads do it."""
    from hazardledger.core.processes import process_pool, processes_possible

    from .. import workers

    if not processes_possible():
        _tick_threads(tick, shares, batch)
        return
    with process_pool(len(shares)) as pool:
        futures = [pool.submit(workers.share, share, tick.now, batch) for share in shares]
        for future in futures:
            tick.report.merge(future.result())


def _tick_batch(tick: _Tick, ids: list[int]) -> None:
    """One batch of due rows, in one transaction (see ``escalation_tick``)."""
    with transaction.atomic():
        # The hazards first, then their rows: every writer of both takes them in this order.
        hazards = {
            h.pk: h
            for h in Hazard.objects.select_for_update()
            .filter(pk__in=ids)
            .only(*_LOCKED_COLUMNS)
            .order_by("pk")
        }
        rows = list(
            Escalation.objects.filter(pk__in=ids, next_due_on__lte=tick.today)
            .only("pk", "grade", "sector", "reason", "basis_on", "next_step", "next_due_on")
            .order_by("pk")
        )
        tick.chains.load((h.region_id, h.sector_id) for h in hazards.values())
        done = _steps_taken(rows)
        plans: list[_Plan] = []
        for row in rows:
            hazard = hazards.get(row.pk)
            if hazard is None or _behind(row, hazard):
                escalation_sync(hazard_id=row.pk)
                tick.report.synced += 1
                continue
            plan = _plan(tick, row, hazard)
            if plan is None:
                continue
            if (row.pk, row.reason, row.basis_on, plan.step) in done:
                # Taken already (a row rebuilt behind its steps): move the row on instead.
                escalation_sync(hazard_id=row.pk)
                tick.report.synced += 1
                continue
            plans.append(plan)
        claimed = _claim(tick, plans)
        tick.report.lost += len(plans) - len(claimed)
        acting = [plan for plan in plans if plan.row.pk in claimed]
        _act(tick, acting)


# What planning a step reads of a hazard (the workflow reads the rest itself).
_LOCKED_COLUMNS = (
    "id",
    "status",
    "deadline",
    "review_due",
    "grade",
    "region",
    "sector",
    "organisation",
)


def _steps_taken(rows: list[Escalation]) -> set[tuple[int, str, date, str]]:
    """The steps already recorded on the rows' current tracks (one query)."""
    if not rows:
        return set()
    found = EscalationStep.objects.filter(hazard_id__in=[row.pk for row in rows]).values_list(
        "hazard_id", "reason", "basis_on", "step"
    )
    return set(found)


def _plan(tick: _Tick, row: Escalation, hazard: Hazard) -> _Plan | None:
    """The step ``row`` takes now, or None when nothing is due after all."""
    if not row.next_step or row.basis_on is None:
        return None
    days = (tick.today - row.basis_on).days
    step = row.next_step
    skipped = False
    if step == EscalationStepName.REMINDER and days > 0:
        # A reminder the job comes to after the deadline is moot: the due step (the first
        # day overdue, due already) goes instead.
        step, skipped = EscalationStepName.DUE, True
    following = next_step_after(step)
    due = _due_on(step=following, basis=row.basis_on, sector=row.sector_id, grade=row.grade)
    level = tick.chains.chain(hazard.region_id, hazard.sector_id).receiving(
        step=step, reason=row.reason
    )
    return _Plan(row, hazard, row.next_step, step, following, due, days, level, skipped)


def _claim(tick: _Tick, plans: list[_Plan]) -> set[int]:
    """Claim the planned steps with one conditional update: each row moves on only if it
    still says what the plan read (its next step, track and due date), and carries this
    batch's token; the rows that carry it afterwards are the ones claimed.

    ``UPDATE … SET next_step = <the one after>, … WHERE next_due_on <= today AND (hazard_id,
    next_step, reason, basis_on) = <as planned>`` for every row of the batch: the conditional
    update of healthchecks' ``sendalerts``, one statement for the batch.
    """
    if not plans:
        return set()
    token = uuid.uuid4().hex
    if connection.vendor == "postgresql":
        _claim_postgresql(tick, plans, token)
    else:
        _claim_portable(tick, plans, token)
    return set(
        Escalation.objects.filter(
            pk__in=[plan.row.pk for plan in plans], claim_token=token
        ).values_list("pk", flat=True)
    )


def _claim_postgresql(tick: _Tick, plans: list[_Plan], token: str) -> None:
    """The claim on PostgreSQL: the plans as parallel arrays (``unnest``), a handful of
    parameters however large the batch."""
    table = Escalation._meta.db_table
    sql = (
        f"UPDATE {table} AS e SET next_step = v.following,"  # noqa: S608
        " next_due_on = v.following_due, last_step = v.step, last_region_code = v.level,"
        " last_at = %s, claim_token = %s, updated_at = %s"
        " FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::date[], %s::text[],"
        " %s::date[], %s::text[], %s::text[])"
        " AS v(hazard_id, old, reason, basis_on, following, following_due, step, level)"
        " WHERE e.hazard_id = v.hazard_id AND e.next_step = v.old AND e.reason = v.reason"
        " AND e.basis_on = v.basis_on AND e.next_due_on <= %s"
    )
    params: list[Any] = [
        tick.now,
        token,
        tick.now,
        [p.row.pk for p in plans],
        [p.old for p in plans],
        [p.row.reason for p in plans],
        [p.row.basis_on for p in plans],
        [p.following for p in plans],
        [p.following_due for p in plans],
        [p.step for p in plans],
        [p.level.code for p in plans],
        tick.today,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _claim_portable(tick: _Tick, plans: list[_Plan], token: str) -> None:
    """The claim elsewhere (SQLite): ``CASE`` per column and row values in ``IN``."""
    date_param = "%s"
    params: list[Any] = []
    sets = []
    for column, value, placeholder in (
        ("next_step", lambda p: p.following, "%s"),
        ("next_due_on", lambda p: p.following_due, date_param),
        ("last_step", lambda p: p.step, "%s"),
        ("last_region_code", lambda p: p.level.code, "%s"),
    ):
        whens = " ".join(f"WHEN %s THEN {placeholder}" for _ in plans)
        sets.append(f"{column} = CASE hazard_id {whens} END")
        for plan in plans:
            params += [plan.row.pk, value(plan)]
    rows = ", ".join(f"(%s, %s, %s, {date_param})" for _ in plans)
    for plan in plans:
        params += [plan.row.pk, plan.old, plan.row.reason, plan.row.basis_on]
    table = Escalation._meta.db_table
    sql = (
        f"UPDATE {table} SET {', '.join(sets)}, last_at = %s, claim_token = %s,"  # noqa: S608
        f" updated_at = %s WHERE next_due_on <= {date_param}"
        f" AND (hazard_id, next_step, reason, basis_on) IN ({rows})"
    )
    params = [
        *params[: 8 * len(plans)],
        tick.now,
        token,
        tick.now,
        tick.today,
        *params[8 * len(plans) :],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _act(tick: _Tick, plans: list[_Plan]) -> None:
    """Apply ``escalate`` to the claimed rows' hazards and record their steps."""
    if not plans:
        return
    events = hazard_transition_many(
        action=HazardAction.ESCALATE,
        actor=tick.actor,
        inputs={
            plan.hazard.pk: EscalateInput(
                step=plan.step, reason=plan.row.reason, region_code=plan.level.code, days=plan.days
            )
            for plan in plans
        },
    )
    steps = []
    for plan in plans:
        event = events.get(plan.hazard.pk)
        if event is None:
            # The workflow refused it (a state the row did not know of): undo the claim.
            escalation_sync(hazard_id=plan.hazard.pk)
            tick.report.synced += 1
            continue
        department = plan.level.department
        hazard = plan.hazard
        assert plan.row.basis_on is not None  # a planned row is on a track
        steps.append(
            EscalationStep(
                hazard_id=hazard.pk,
                region_id=plan.level.code,
                sector_id=hazard.sector_id,
                organisation_id=hazard.organisation_id,
                hazard_region_code=hazard.region_id,
                grade=hazard.grade,
                reason=plan.row.reason,
                basis_on=plan.row.basis_on,
                step=plan.step,
                days=plan.days,
                at=tick.now,
                event_seq=event.seq,
                department=department,
                department_name=department.name[:200] if department is not None else "",
                officials=plan.level.snapshot(),
            )
        )
        tick.report.taken += 1
        tick.report.skipped += plan.skipped_reminder
        tick.report.by_step[plan.step] = tick.report.by_step.get(plan.step, 0) + 1
    bulk_insert(steps)


def _behind(row: Escalation, hazard: Hazard) -> bool:
    """True when the row no longer matches its hazard (an event not handled yet)."""
    track = hazard_track(
        status=hazard.status, deadline=hazard.deadline, review_due=hazard.review_due
    )
    if track is None:
        return True
    return (row.reason, row.basis_on, row.grade, row.sector_id) != (
        *track,
        hazard.grade,
        hazard.sector_id,
    )
