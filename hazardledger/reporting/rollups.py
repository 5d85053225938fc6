"""Keeping the rollups: incremental refresh from the ledger, and the rebuild.

**Incremental** (``hazards_refresh``, ``sites_refresh``): for each hazard, lock its state row,
compute the new state from the hazard as it now is (``hazard_state``), and apply the difference
between the new and the old state's contributions to the buckets (``hazard_contributions``):
one multi-row ``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` per bucket table. Since
the new state is read after the lock, whichever handler runs last counts the latest state, so
duplicate, late or reordered events never skew a figure.

**Rebuild** (``rollups_rebuild``): the same states and buckets from the ledger with set-based
SQL (``INSERT … SELECT … GROUP BY``), never a loop over hazards, so it scales to tens of
millions of rows. The property test (``tests/test_properties.py``) checks that both agree.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Case, DateField, F, Max, Q, Value, When
from django.db.models.functions import Substr, TruncDate

from hazardledger.hazards.choices import (
    OPEN_STATUSES,
    PARTY_MOVE_STATUSES,
    HazardStatus,
)
from hazardledger.hazards.deadlines import (
    is_overdue,
    is_review_overdue,
    local_today,
    overdue_q,
    review_overdue_q,
)
from hazardledger.hazards.figures import (
    DELIST_ACTION,
    ESCALATE_ACTION,
    ESCALATED_STEPS,
    LIST_ACTION,
    REPORTING_ACTIONS,
    escalation_events_q,
)
from hazardledger.hazards.models import Hazard, HazardEvent
from hazardledger.registry.models import Site

from .models import (
    CURRENT_METRICS,
    PERIOD_METRICS,
    CurrentCount,
    DailyTotal,
    HazardState,
    MonthlyTotal,
    RollupQueue,
    SiteCount,
    SiteState,
)

logger = logging.getLogger(__name__)

# Memory for the rebuild's sorts and hash tables (PostgreSQL; this transaction only).
REBUILD_WORK_MEM = "256MB"
# The division levels the rollups keep: province, city, county, township (code lengths).
DEPTHS = (2, 4, 6, 9)
# ``sector`` of the rows that sum every sector.
ALL_SECTORS = ""
CLOSED = str(HazardStatus.CLOSED)
VOIDED = str(HazardStatus.VOIDED)
SUBMITTED = str(HazardStatus.SUBMITTED)
OPEN = frozenset(str(status) for status in OPEN_STATUSES)
PARTY_MOVE = frozenset(str(status) for status in PARTY_MOVE_STATUSES)

# The hazard columns a state is computed from.
HAZARD_COLUMNS = (
    "id",
    "region_id",
    "sector_id",
    "organisation_id",
    "grade",
    "source",
    "status",
    "found_on",
    "closed_at",
    "past_overdue_days",
    "deadline",
    "review_due",
    "listing_level",
)
STATE_FIELDS = (
    "region",
    "sector",
    "organisation_id",
    "grade",
    "source",
    "status",
    "found_on",
    "closed_on",
    "on_time",
    "listed_on",
    "delisted_on",
    "escalated_ever",
    "overdue",
    "review_overdue",
    "listed",
    "changes_after",
)


def township_of(code: str) -> str:
    """The code the rollups count a row under: its region cut to township level (9 digits)."""
    return code[:9]


def parent_of(code: str) -> str:
    """The division one level up ("" for the province)."""
    shorter = [depth for depth in DEPTHS if depth < len(code)]
    return code[: shorter[-1]] if shorter else ""


def levels_of(code: str) -> list[str]:
    """The divisions a township-level code counts in: itself and its ancestors, province
    first (a county code has no township)."""
    return [code[:depth] for depth in DEPTHS if len(code) >= depth]


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# --- one hazard's state and what it contributes ---------------------------------------------


@dataclass(frozen=True)
class EventFacts:
    """What a hazard's history says that its columns do not."""

    listed_on: date | None = None
    delisted_on: date | None = None
    escalated_ever: bool = False


def hazard_state(row: Mapping[str, Any], facts: EventFacts, today: date) -> dict[str, Any]:
    """The state the rollups count for a hazard (``row``: its ``HAZARD_COLUMNS``) today.

    The same rules as the rebuild's SQL (``_STATE_SELECT``) and the ledger's filters
    (``hazards.figures``): closed on time is closed with no day ever overdue; overdue and
    review-overdue as ``hazards.deadlines`` says; ``changes_after`` the date after which one
    of those flags will turn without an event.
    """
    status = row["status"]
    closed = status == CLOSED
    overdue = is_overdue(status=status, deadline=row["deadline"], today=today)
    review_overdue = is_review_overdue(status=status, review_due=row["review_due"], today=today)
    changes_after = None
    if status in PARTY_MOVE and row["deadline"] is not None and not overdue:
        changes_after = row["deadline"]
    elif status == SUBMITTED and row["review_due"] is not None and not review_overdue:
        changes_after = row["review_due"]
    closed_at = row["closed_at"]
    return {
        "region": township_of(row["region_id"]),
        "sector": row["sector_id"],
        "organisation_id": row["organisation_id"],
        "grade": row["grade"],
        "source": row["source"],
        "status": status,
        "found_on": row["found_on"],
        "closed_on": closed_at.astimezone(_tz()).date() if closed and closed_at else None,
        "on_time": closed and row["past_overdue_days"] == 0,
        "listed_on": facts.listed_on,
        "delisted_on": facts.delisted_on,
        "escalated_ever": facts.escalated_ever,
        "overdue": overdue,
        "review_overdue": review_overdue,
        "listed": row["listing_level"] != "",
        "changes_after": changes_after,
    }


Buckets = dict[tuple[str, tuple[Any, ...]], list[int]]


def _add(buckets: Buckets, table: str, key: tuple[Any, ...], values: Sequence[int]) -> None:
    current = buckets.get((table, key))
    if current is None:
        buckets[(table, key)] = list(values)
    else:
        for index, value in enumerate(values):
            current[index] += value


def _period_rows(state: Mapping[str, Any]) -> list[tuple[date, list[int]]]:
    """The days a hazard counts on and what it counts there (``PERIOD_METRICS`` order)."""
    rows = []
    closed = state["status"] == CLOSED
    on_time = int(bool(state["on_time"]))
    if state["status"] != VOIDED:
        rows.append((state["found_on"], [1, int(closed), on_time if closed else 0, 0, 0, 0, 0]))
    if closed and state["closed_on"] is not None:
        rows.append((state["closed_on"], [0, 0, 0, 1, on_time, 0, 0]))
    if state["listed_on"] is not None:
        rows.append((state["listed_on"], [0, 0, 0, 0, 0, 1, 0]))
    if state["delisted_on"] is not None:
        rows.append((state["delisted_on"], [0, 0, 0, 0, 0, 0, 1]))
    return rows


def hazard_contributions(state: Mapping[str, Any] | None, sign: int = 1) -> Buckets:
    """What one hazard's state adds to each bucket (times ``sign``): keyed by table and the
    bucket's key, values in ``PERIOD_METRICS`` / ``CURRENT_METRICS`` order."""
    buckets: Buckets = {}
    if state is None:
        return buckets
    region, sector, grade = state["region"], state["sector"], state["grade"]
    source, status = state["source"], state["status"]
    levels = levels_of(region)
    for day, values in _period_rows(state):
        signed = [sign * value for value in values]
        _add(buckets, "daily", (region, sector, day, grade, source), signed)
        month = day.replace(day=1)
        for level in levels:
            for bucket_sector in (sector, ALL_SECTORS):
                _add(buckets, "monthly", (level, bucket_sector, month, grade, source), signed)
    current = [
        1,
        int(bool(state["overdue"])),
        int(bool(state["review_overdue"])),
        int(bool(state["listed"])),
        int(bool(state["escalated_ever"]) and status in OPEN),
    ]
    signed = [sign * value for value in current]
    for level in levels:
        for bucket_sector in (sector, ALL_SECTORS):
            _add(buckets, "current", (level, bucket_sector, grade, status), signed)
    return buckets


def _difference(
    pairs: Iterable[tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]],
) -> Buckets:
    """The sum over (old, new) state pairs of new minus old contributions, zeros dropped."""
    total: Buckets = {}
    for old, new in pairs:
        if old == new:
            continue
        for sign, state in ((-1, old), (1, new)):
            for (table, key), values in hazard_contributions(state, sign).items():
                _add(total, table, key, values)
    return {key: values for key, values in total.items() if any(values)}


# --- applying differences to the buckets ----------------------------------------------------


@dataclass(frozen=True)
class BucketTable:
    """A bucket table: its key columns (the unique constraint, in the key's order), any
    columns derived from the key (``parent``), and its metric columns."""

    model: Any
    keys: tuple[str, ...]
    metrics: tuple[str, ...]
    has_parent: bool

    @property
    def table(self) -> str:
        return str(self.model._meta.db_table)


TABLES = {
    "daily": BucketTable(
        DailyTotal, ("region", "sector", "day", "grade", "source"), PERIOD_METRICS, False
    ),
    "monthly": BucketTable(
        MonthlyTotal, ("region", "sector", "month", "grade", "source"), PERIOD_METRICS, True
    ),
    "current": BucketTable(
        CurrentCount, ("region", "sector", "grade", "status"), CURRENT_METRICS, True
    ),
    "sites": BucketTable(SiteCount, ("region", "sector", "risk_level"), ("sites",), True),
}
# Rows per statement (well under SQLite's limit on parameters).
UPSERT_BATCH = 200


def buckets_apply(differences: Buckets) -> int:
    """Add ``differences`` to the bucket tables, one multi-row upsert per table and batch, in
    key order (so two transactions lock shared rows in the same order). Returns the rows
    written."""
    by_table: dict[str, list[tuple[tuple[Any, ...], list[int]]]] = defaultdict(list)
    for (table, key), values in differences.items():
        by_table[table].append((key, values))
    written = 0
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name, rows in by_table.items():
            spec = TABLES[name]
            rows.sort(key=lambda row: tuple(str(part) for part in row[0]))
            columns = [*spec.keys, *(("parent",) if spec.has_parent else ()), *spec.metrics]
            placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
            table = quote(spec.table)
            updates = ", ".join(
                f"{quote(metric)} = {table}.{quote(metric)} + excluded.{quote(metric)}"
                for metric in spec.metrics
            )
            for start in range(0, len(rows), UPSERT_BATCH):
                batch = rows[start : start + UPSERT_BATCH]
                params: list[Any] = []
                for key, values in batch:
                    params.extend(key)
                    if spec.has_parent:
                        params.append(parent_of(key[0]))
                    params.extend(values)
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 - constant identifiers; values are parameters
                    f"VALUES {', '.join([placeholder] * len(batch))} "
                    f"ON CONFLICT ({', '.join(quote(k) for k in spec.keys)}) "
                    f"DO UPDATE SET {updates}",
                    params,
                )
                written += len(batch)
    return written


# --- incremental: hazards -------------------------------------------------------------------


def event_facts(hazard_ids: Iterable[int]) -> dict[int, EventFacts]:
    """``EventFacts`` of the hazards from their list, delist and escalate events (one query on
    the partial index of those actions)."""
    facts: dict[int, dict[str, Any]] = defaultdict(dict)
    tz = _tz()
    events = HazardEvent.objects.filter(
        hazard_id__in=list(hazard_ids), action__in=REPORTING_ACTIONS
    ).values_list("hazard_id", "action", "created_at", "data")
    for hazard_id, action, created_at, data in events:
        fact = facts[hazard_id]
        day = created_at.astimezone(tz).date()
        if action == LIST_ACTION:
            fact["listed_on"] = max(day, fact.get("listed_on") or day)
        elif action == DELIST_ACTION:
            fact["delisted_on"] = max(day, fact.get("delisted_on") or day)
        elif action == ESCALATE_ACTION and (data or {}).get("step") in ESCALATED_STEPS:
            fact["escalated_ever"] = True
    return {hazard_id: EventFacts(**values) for hazard_id, values in facts.items()}


def _state_dict(state: HazardState) -> dict[str, Any]:
    return {field: getattr(state, field) for field in STATE_FIELDS}


def _facts_of(state: Mapping[str, Any]) -> EventFacts:
    return EventFacts(
        listed_on=state["listed_on"],
        delisted_on=state["delisted_on"],
        escalated_ever=bool(state["escalated_ever"]),
    )


def hazards_refresh(
    hazard_ids: Iterable[int], *, today: date | None = None, reread_history: Iterable[int] = ()
) -> int:
    """Bring the rollups of these hazards up to date; return how many states changed.

    ``reread_history`` names the hazards whose history changed in a way the state keeps
    (a list, delist or escalate event): their ``EventFacts`` are read again; the others keep
    the stored ones (a hazard without a state row yet is always read). Must run inside a
    transaction (the handler's savepoint, the sweep's batch).

    Steps:
    1. lock the existing state rows (in id order);
    2. read the hazards and, where needed, their history facts;
    3. insert the states of hazards seen for the first time (a concurrent first insert makes
       this raise ``IntegrityError``: the handler is retried and then finds the row);
    4. apply the difference of contributions to the buckets;
    5. save the changed states (a hazard no longer in the ledger loses its state).
    """
    ids = sorted(set(hazard_ids))
    if not ids:
        return 0
    today = today or local_today()
    states = {
        state.pk: state
        for state in HazardState.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    rows = {row["id"]: row for row in Hazard.objects.filter(pk__in=ids).values(*HAZARD_COLUMNS)}
    reread = (set(reread_history) | (set(rows) - set(states))) & set(rows)
    facts = event_facts(reread) if reread else {}
    pairs: list[tuple[dict[str, Any] | None, dict[str, Any] | None]] = []
    created: list[HazardState] = []
    changed: list[HazardState] = []
    gone: list[int] = []
    for hazard_id in ids:
        state = states.get(hazard_id)
        old = _state_dict(state) if state is not None else None
        row = rows.get(hazard_id)
        if row is None:
            if state is not None:
                pairs.append((old, None))
                gone.append(hazard_id)
            continue
        known = facts.get(hazard_id, EventFacts())
        if hazard_id not in reread and old is not None:
            known = _facts_of(old)
        new = hazard_state(row, known, today)
        if new == old:
            continue
        pairs.append((old, new))
        if state is None:
            created.append(HazardState(hazard_id=hazard_id, **new))
        else:
            for field, value in new.items():
                setattr(state, field, value)
            changed.append(state)
    if created:
        HazardState.objects.bulk_create(created)
    buckets_apply(_difference(pairs))
    if changed:
        HazardState.objects.bulk_update(changed, list(STATE_FIELDS))
    if gone:
        HazardState.objects.filter(pk__in=gone).delete()
    return len(created) + len(changed) + len(gone)


# --- the queue: what the handlers leave for the flush ---------------------------------------

FLUSH_BATCH = 500


def rollups_enqueue(hazard_ids: Iterable[int], *, reread: bool = False) -> None:
    """Queue hazards for ``rollups_flush`` (one statement; a hazard already queued keeps one
    row, and needs its history read again if either asked)."""
    ids = sorted(set(hazard_ids))
    if not ids:
        return
    table = connection.ops.quote_name(RollupQueue._meta.db_table)
    placeholders = ", ".join(["(%s, %s)"] * len(ids))
    params: list[Any] = []
    for hazard_id in ids:
        params += [hazard_id, reread]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (hazard_id, reread) VALUES {placeholders} "  # noqa: S608 - constant identifiers
            f"ON CONFLICT (hazard_id) DO UPDATE SET reread = {table}.reread OR excluded.reread",
            params,
        )


def _take_batch(cursor: Any, size: int) -> list[tuple[int, bool]]:
    """Remove up to ``size`` queued hazards and return them (on PostgreSQL skipping rows
    another flush holds). A hazard queued again meanwhile waits for this transaction, then is
    queued anew, so its later change is never lost."""
    table = connection.ops.quote_name(RollupQueue._meta.db_table)
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    cursor.execute(
        f"DELETE FROM {table} WHERE hazard_id IN ("  # noqa: S608 - constant identifiers
        f"SELECT hazard_id FROM {table} ORDER BY hazard_id LIMIT %s{lock}) "
        "RETURNING hazard_id, reread",
        [size],
    )
    return [(int(hazard_id), bool(reread)) for hazard_id, reread in cursor.fetchall()]


def commit_without_waiting() -> None:
    """On PostgreSQL, let the current transaction commit without waiting for its WAL to reach
    the disk, when it is the rollups' own (a handler's or a flush's), never a caller's.

    Safe because the rollups are re-driven and a transaction lost in a crash is lost whole. A
    handler's queue row: the dispatcher marks the event handled afterwards with an ordinary
    commit, and the log is written in order, so once that mark is durable the row is too; a
    crash before it loses both, and the event is handled again. A flush takes its hazards off
    the queue in the transaction that writes their figures: lost, both are, and the hazards
    are still queued for the next flush (the hourly sweep flushes too)."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    if connection.savepoint_ids:  # inside someone else's transaction
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


def rollups_flush(*, batch: int = FLUSH_BATCH, today: date | None = None) -> int:
    """Refresh the queued hazards, ``batch`` at a time, each batch in its own transaction
    (``hazards_refresh``: one query for the states, one for the hazards, one upsert per
    bucket table); return how many states changed. Safe to run in several workers at once.

    A batch short of ``batch`` emptied the queue (but for rows another flush holds): the flush
    ends there rather than asking again. A hazard queued after that has its own flush coming
    (``handlers.flush_soon`` schedules one to start after the enqueue), as it would had it
    been queued a moment after an empty answer."""
    changed = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            commit_without_waiting()
            taken = _take_batch(cursor, batch)
            if taken:
                changed += hazards_refresh(
                    [hazard_id for hazard_id, _ in taken],
                    today=today,
                    reread_history=[hazard_id for hazard_id, reread in taken if reread],
                )
        if len(taken) < batch:
            return changed


# --- incremental: sites ---------------------------------------------------------------------


def site_contributions(state: Mapping[str, Any] | None, sign: int = 1) -> Buckets:
    """What one site adds to ``SiteCount``: one per division level and sector (and all)."""
    buckets: Buckets = {}
    if state is None:
        return buckets
    for level in levels_of(state["region"]):
        for sector in (state["sector"], ALL_SECTORS):
            _add(buckets, "sites", (level, sector, state["risk_level"]), [sign])
    return buckets


def sites_refresh(site_ids: Iterable[int]) -> int:
    """Bring the site counts of these sites up to date (the same steps as
    ``hazards_refresh``); return how many states changed."""
    ids = sorted(set(site_ids))
    if not ids:
        return 0
    states = {
        state.pk: state
        for state in SiteState.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    rows = {
        pk: {"region": township_of(region), "sector": sector, "risk_level": risk}
        for pk, region, sector, risk in Site.objects.filter(pk__in=ids).values_list(
            "id", "region_id", "sector_id", "risk_level"
        )
    }
    total: Buckets = {}
    created, changed, gone = [], [], []
    for site_id in ids:
        state = states.get(site_id)
        old = (
            {"region": state.region, "sector": state.sector, "risk_level": state.risk_level}
            if state is not None
            else None
        )
        new = rows.get(site_id)
        if old == new:
            continue
        for sign, value in ((-1, old), (1, new)):
            for key, values in site_contributions(value, sign).items():
                _add(total, key[0], key[1], values)
        if new is None:
            gone.append(site_id)
        elif state is None:
            created.append(SiteState(site_id=site_id, **new))
        else:
            for field, field_value in new.items():
                setattr(state, field, field_value)
            changed.append(state)
    if created:
        SiteState.objects.bulk_create(created)
    buckets_apply({key: values for key, values in total.items() if any(values)})
    if changed:
        SiteState.objects.bulk_update(changed, ["region", "sector", "risk_level"])
    if gone:
        SiteState.objects.filter(pk__in=gone).delete()
    return len(created) + len(changed) + len(gone)


# --- the passing of time --------------------------------------------------------------------

SWEEP_BATCH = 500


def rollups_time_sweep(*, today: date | None = None) -> int:
    """Refresh the hazards whose overdue or review-overdue flag has turned since their last
    refresh with no event (``changes_after`` before today), in batches of ``SWEEP_BATCH``, each
    in its own transaction; return how many states changed."""
    today = today or local_today()
    changed = 0
    last = 0
    while True:
        ids = list(
            HazardState.objects.filter(changes_after__lt=today, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        if not ids:
            return changed
        with transaction.atomic():
            changed += hazards_refresh(ids, today=today)
        last = ids[-1]


def sites_reconcile() -> int:
    """Refresh the sites whose counted risk level, region or sector differs from the
    registry's (a risk level that changed while no event reached the rollups, e.g. the risks
    handler was retried after ours ran); return how many states changed."""
    changed = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.id FROM registry_site s LEFT JOIN reporting_sitestate r ON r.site_id = s.id "
            "WHERE r.site_id IS NULL OR r.risk_level <> s.risk_level OR r.sector <> s.sector_id "
            "OR r.region <> SUBSTR(s.region_code, 1, 9) "
            "UNION ALL SELECT r.site_id FROM reporting_sitestate r "
            "LEFT JOIN registry_site s ON s.id = r.site_id WHERE s.id IS NULL"
        )
        ids = [row[0] for row in cursor.fetchall()]
    for start in range(0, len(ids), SWEEP_BATCH):
        with transaction.atomic():
            changed += sites_refresh(ids[start : start + SWEEP_BATCH])
    return changed


# --- the rebuild ----------------------------------------------------------------------------


def _month_sql(column: str) -> str:
    """The first day of the month of a date column, in this database's dialect."""
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _parent_sql(depth: int) -> str:
    shorter = [d for d in DEPTHS if d < depth]
    return f"SUBSTR(region, 1, {shorter[-1]})" if shorter else "''"


def _state_select(today: date) -> tuple[str, Sequence[Any]]:
    """The SELECT of every hazard's state without its history facts (the ORM writes it, so the
    local-date conversions are each database's own), columns in ``STATE_FIELDS`` order after
    the hazard id."""
    tz = _tz()
    rows = Hazard.objects.order_by().annotate(
        r_region=Substr("region_id", 1, 9),
        r_closed_on=Case(
            When(status=CLOSED, closed_at__isnull=False, then=TruncDate("closed_at", tzinfo=tz)),
            default=Value(None, output_field=DateField()),
            output_field=DateField(),
        ),
        r_on_time=Case(
            When(status=CLOSED, past_overdue_days=0, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        r_listed_on=Value(None, output_field=DateField()),
        r_delisted_on=Value(None, output_field=DateField()),
        r_escalated_ever=Value(False, output_field=BooleanField()),
        r_overdue=Case(
            When(overdue_q(today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        r_review_overdue=Case(
            When(review_overdue_q(today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        r_listed=Case(
            When(~Q(listing_level=""), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        r_changes_after=Case(
            When(status__in=PARTY_MOVE, deadline__gte=today, then=F("deadline")),
            When(status=SUBMITTED, review_due__gte=today, then=F("review_due")),
            default=Value(None, output_field=DateField()),
            output_field=DateField(),
        ),
    )
    columns = [
        "id",
        "r_region",
        "sector_id",
        "organisation_id",
        "grade",
        "source",
        "status",
        "found_on",
        "r_closed_on",
        "r_on_time",
        "r_listed_on",
        "r_delisted_on",
        "r_escalated_ever",
        "r_overdue",
        "r_review_overdue",
        "r_listed",
        "r_changes_after",
    ]
    sql, params = rows.values_list(*columns).query.sql_with_params()
    return sql, params


def _facts_select() -> tuple[str, Sequence[Any]]:
    """The SELECT of the history facts per hazard that has any (``hazard_id``, ``l``, ``d``,
    ``e``)."""
    tz = _tz()
    facts = (
        HazardEvent.objects.filter(action__in=REPORTING_ACTIONS)
        .order_by()
        .values("hazard_id")
        .annotate(
            l=Max(
                Case(
                    When(action=LIST_ACTION, then=TruncDate("created_at", tzinfo=tz)),
                    output_field=DateField(),
                )
            ),
            d=Max(
                Case(
                    When(action=DELIST_ACTION, then=TruncDate("created_at", tzinfo=tz)),
                    output_field=DateField(),
                )
            ),
            e=Max(Case(When(escalation_events_q(), then=Value(1)), default=Value(0))),
        )
    )
    sql, params = facts.query.sql_with_params()
    return sql, params


def _period_union() -> str:
    """Every hazard state's contributions to the period buckets, as rows (the rebuild's form of
    ``_period_rows``)."""
    keys = "region, sector, grade, source"
    on_time = "CASE WHEN on_time THEN 1 ELSE 0 END"
    closed = f"CASE WHEN status = '{CLOSED}' THEN 1 ELSE 0 END"
    return (
        f"SELECT found_on AS day, {keys}, 1 AS found, {closed} AS rectified, "  # noqa: S608 - constant identifiers; values are parameters
        f"CASE WHEN status = '{CLOSED}' AND on_time THEN 1 ELSE 0 END AS rectified_on_time, "
        f"0 AS closed, 0 AS closed_on_time, 0 AS listed, 0 AS delisted "
        f"FROM reporting_hazardstate WHERE status <> '{VOIDED}' "
        f"UNION ALL SELECT closed_on, {keys}, 0, 0, 0, 1, {on_time}, 0, 0 "
        f"FROM reporting_hazardstate WHERE status = '{CLOSED}' AND closed_on IS NOT NULL "
        f"UNION ALL SELECT listed_on, {keys}, 0, 0, 0, 0, 0, 1, 0 "
        f"FROM reporting_hazardstate WHERE listed_on IS NOT NULL "
        f"UNION ALL SELECT delisted_on, {keys}, 0, 0, 0, 0, 0, 0, 1 "
        f"FROM reporting_hazardstate WHERE delisted_on IS NOT NULL"
    )


def _pyramid(
    cursor: Any, *, target: str, source: str, keys: Sequence[str], metrics: Sequence[str]
) -> None:
    """Fill ``target`` from ``source`` (rows at their own township-level region) at every
    division level, for each sector and for all sectors together."""
    sums = ", ".join(f"SUM({metric})" for metric in metrics)
    other = [key for key in keys if key not in ("region", "sector")]
    other_sql = ", ".join(other)
    for depth in DEPTHS:
        level = f"SUBSTR(region, 1, {depth})"
        for sector in ("sector", "''"):
            parent = _parent_sql(depth)
            order = ", ".join([level, *(["sector"] if sector == "sector" else []), *other])
            group = ", ".join(
                [
                    level,
                    *([parent] if depth > DEPTHS[0] else []),
                    *(["sector"] if sector == "sector" else []),
                    *other,
                ]
            )
            cursor.execute(
                f"INSERT INTO {target} (region, parent, sector, {other_sql}, "  # noqa: S608 - constant identifiers; values are parameters
                f"{', '.join(metrics)}) "
                f"SELECT {level}, {parent}, {sector}, {other_sql}, {sums} "
                f"FROM {source} WHERE LENGTH(region) >= {depth} GROUP BY {group} "
                f"ORDER BY {order}"
            )


def rollups_clear() -> None:
    """Empty every rollup table (before a rebuild; the demo's clear)."""
    for model in (
        DailyTotal,
        MonthlyTotal,
        CurrentCount,
        SiteCount,
        HazardState,
        SiteState,
        RollupQueue,
    ):
        model.objects.all().delete()


@dataclass
class RebuildResult:
    hazards: int
    sites: int


def rollups_rebuild(
    *, today: date | None = None, report: Callable[[str, float], None] | None = None
) -> RebuildResult:
    """Recompute every rollup from the ledger and the registry with set-based SQL, in one
    transaction (handlers that run meanwhile wait for its locks, then apply their changes to
    the rebuilt rows). ``report(step, seconds)`` hears how long each step took.

    Steps:
    1. empty the tables (on PostgreSQL, lock the state tables first, and give the sorts and
       hash tables of this transaction more memory);
    2. the hazard states from ``hazards_hazard`` (``_state_select``) joined with their history
       facts (``_facts_select``: the list, delist and escalate events), one INSERT … SELECT;
    3. ``DailyTotal`` from the states' contributions (``_period_union``, one GROUP BY);
    4. ``MonthlyTotal`` and ``CurrentCount`` at every level through a temporary table of sums
       per own region;
    5. the site states and ``SiteCount`` the same way;
    6. on PostgreSQL, ANALYZE the tables (after the commit).
    """
    today = today or local_today()
    clock = time.monotonic()

    def done(step: str) -> None:
        nonlocal clock
        now = time.monotonic()
        if report is not None:
            report(step, now - clock)
        clock = now

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Handlers lock state rows first: they wait here, then apply their changes to the
            # rebuilt rows. TRUNCATE is much faster than DELETE at millions of rows.
            cursor.execute(
                "LOCK TABLE reporting_hazardstate, reporting_sitestate, reporting_rollupqueue "
                "IN EXCLUSIVE MODE"
            )
            cursor.execute(
                "TRUNCATE reporting_dailytotal, reporting_monthlytotal, reporting_currentcount, "
                "reporting_sitecount, reporting_hazardstate, reporting_sitestate, "
                "reporting_rollupqueue"
            )
            cursor.execute(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'")
        else:
            rollups_clear()
        done("clear")
        _insert_states(cursor, today)
        done("hazard states")
        metrics = ", ".join(PERIOD_METRICS)
        sums = ", ".join(f"SUM({metric})" for metric in PERIOD_METRICS)
        cursor.execute(
            f"INSERT INTO reporting_dailytotal (day, region, sector, grade, source, {metrics}) "  # noqa: S608 - constant identifiers
            f"SELECT day, region, sector, grade, source, {sums} FROM ({_period_union()}) AS c "
            "GROUP BY day, region, sector, grade, source "
            # In the unique index's order: its pages fill one after another.
            "ORDER BY region, sector, day, grade, source"
        )
        done("daily totals")
        cursor.execute("DROP TABLE IF EXISTS reporting_rebuild_sums")
        cursor.execute(
            "CREATE TEMPORARY TABLE reporting_rebuild_sums AS "  # noqa: S608 - constant identifiers
            f"SELECT {_month_sql('day')} AS month, region, sector, grade, source, "
            + ", ".join(f"SUM({metric}) AS {metric}" for metric in PERIOD_METRICS)
            + " FROM reporting_dailytotal GROUP BY "
            f"{_month_sql('day')}, region, sector, grade, source"
        )
        _pyramid(
            cursor,
            target="reporting_monthlytotal",
            source="reporting_rebuild_sums",
            keys=("region", "sector", "month", "grade", "source"),
            metrics=PERIOD_METRICS,
        )
        cursor.execute("DROP TABLE reporting_rebuild_sums")
        done("monthly totals")
        cursor.execute(
            "CREATE TEMPORARY TABLE reporting_rebuild_sums AS "
            "SELECT region, sector, grade, status, COUNT(*) AS hazards, "
            "SUM(CASE WHEN overdue THEN 1 ELSE 0 END) AS overdue, "
            "SUM(CASE WHEN review_overdue THEN 1 ELSE 0 END) AS review_overdue, "
            "SUM(CASE WHEN listed THEN 1 ELSE 0 END) AS listed, "
            "SUM(CASE WHEN escalated_ever AND status IN ("
            + ", ".join(f"'{status}'" for status in sorted(OPEN))
            + ") THEN 1 ELSE 0 END) AS escalated "
            "FROM reporting_hazardstate GROUP BY region, sector, grade, status"
        )
        _pyramid(
            cursor,
            target="reporting_currentcount",
            source="reporting_rebuild_sums",
            keys=("region", "sector", "grade", "status"),
            metrics=CURRENT_METRICS,
        )
        cursor.execute("DROP TABLE reporting_rebuild_sums")
        done("current counts")
        cursor.execute(
            "INSERT INTO reporting_sitestate (site_id, region, sector, risk_level) "
            "SELECT id, SUBSTR(region_code, 1, 9), sector_id, risk_level FROM registry_site"
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE reporting_rebuild_sums AS "
            "SELECT region, sector, risk_level, COUNT(*) AS sites "
            "FROM reporting_sitestate GROUP BY region, sector, risk_level"
        )
        _pyramid(
            cursor,
            target="reporting_sitecount",
            source="reporting_rebuild_sums",
            keys=("region", "sector", "risk_level"),
            metrics=("sites",),
        )
        cursor.execute("DROP TABLE reporting_rebuild_sums")
        done("sites")
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner guesses on tables that were just emptied and filled.
        with connection.cursor() as cursor:
            for model in (
                DailyTotal,
                MonthlyTotal,
                CurrentCount,
                SiteCount,
                HazardState,
                SiteState,
            ):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
        done("analyze")
    return RebuildResult(hazards=HazardState.objects.count(), sites=SiteState.objects.count())


def _insert_states(cursor: Any, today: date) -> None:
    """Every hazard's state, its history facts joined in, in one INSERT … SELECT."""
    state_sql, state_params = _state_select(today)
    facts_sql, facts_params = _facts_select()
    names = ["hazard_id", *STATE_FIELDS]
    facts = {"listed_on": "f.l", "delisted_on": "f.d"}
    select = [facts.get(name, f"s.{name}") for name in names if name != "escalated_ever"]
    escalated = "CASE WHEN f.e = 1 THEN 1 ELSE 0 END"
    if connection.vendor == "postgresql":
        escalated = "COALESCE(f.e = 1, FALSE)"
    columns = [name for name in names if name != "escalated_ever"] + ["escalated_ever"]
    cursor.execute(
        f"WITH s({', '.join(names)}) AS ({state_sql}), f(hazard_id, l, d, e) AS ({facts_sql}) "  # noqa: S608 - constant identifiers
        f"INSERT INTO reporting_hazardstate ({', '.join(columns)}) "
        f"SELECT {', '.join(select)}, {escalated} "
        "FROM s LEFT JOIN f ON f.hazard_id = s.hazard_id ORDER BY s.hazard_id",
        [*state_params, *facts_params],
    )


def rollups_snapshot() -> dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]:
    """Every non-zero bucket and every state row, by table: what a rebuild and the incremental
    handlers must agree on (the property test; ``rollups_rebuild --check``)."""
    snapshot: dict[str, dict[tuple[Any, ...], tuple[Any, ...]]] = {}
    for name, spec in TABLES.items():
        rows = spec.model.objects.values_list(*spec.keys, *spec.metrics)
        width = len(spec.keys)
        snapshot[name] = {
            tuple(row[:width]): tuple(row[width:]) for row in rows if any(row[width:])
        }
    snapshot["hazard_states"] = {
        (pk,): tuple(values) for pk, *values in HazardState.objects.values_list("pk", *STATE_FIELDS)
    }
    snapshot["site_states"] = {
        (pk,): tuple(values)
        for pk, *values in SiteState.objects.values_list("pk", "region", "sector", "risk_level")
    }
    return snapshot
