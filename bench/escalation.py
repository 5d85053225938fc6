"""Benchmark: one tick of the escalation job over 1,000,000 hazards on PostgreSQL, 50,000 of
them due for a step; then a tick with nothing due. Prints seconds.

    .venv/bin/python bench/escalation.py                       # 1,000,000 hazards, 50,000 due
    .venv/bin/python bench/escalation.py --hazards 20000 --due 1000
    .venv/bin/python bench/escalation.py --load-only           # build the database only
    .venv/bin/python bench/escalation.py --keep --reset        # time again on it
    .venv/bin/python bench/escalation.py --keep --drop         # … and drop it at the end

Builds a scratch database (``hl_bench14``, or ``BENCH_DATABASE_URL``), migrates it, creates
the bodies of the province (an office and an emergency management bureau per city), a
responsibility list (every city and county, every sector, three officials each), 20,000
sites over every township and 2,000 enterprises, then inserts the hazards with one
``INSERT … SELECT generate_series``: ``--due`` of them general hazards 7 days past their
deadline whose escalation row says the county step is due today; the others closed, or open
with a deadline weeks away (their next step, the reminder, falls due later). The escalation
rows are written with one ``INSERT … SELECT`` as ``escalation_rebuild`` would leave them after
the earlier steps. Loading is not timed.

Timed: ``escalation_tick()`` as the worker runs it (the database task backend, so each
step's outbox event is enqueued when its batch commits), then a second tick, which finds
nothing due. Checked afterwards: one ``EscalationStep`` and one ``escalate`` history event per
due hazard, none more.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hl_bench14"


def configure(keep: bool) -> str:
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    import psycopg

    admin, name = url.rsplit("/", 1)
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not (keep and exists):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    return url


def drop(url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    admin, name = url.rsplit("/", 1)
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    print(f"dropped {name}")


def load(hazards: int, due: int, sites: int = 20_000, enterprises: int = 2_000) -> None:
    """Create the bodies, the list, the sites, the hazards and their escalation rows."""
    import random

    from django.core.management import call_command
    from django.db import connection

    from hazardledger.accounts.choices import OrganisationKind
    from hazardledger.accounts.models import Organisation
    from hazardledger.regions.choices import DepartmentKind, RegionLevel
    from hazardledger.regions.models import Region, Sector
    from hazardledger.registry.models import Site
    from hazardledger.responsibility.models import ResponsibilityEntry, ResponsibleOfficial

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(14)
    sectors = list(Sector.objects.values_list("code", flat=True))
    divisions = list(
        Region.objects.filter(
            level__in=[RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY]
        )
    )
    bodies = {}
    for region in divisions:
        if region.level == RegionLevel.COUNTY:
            continue
        Organisation.objects.create(
            name=f"{region.name}安委办",
            kind=OrganisationKind.OFFICE,
            region_id=region.code,
            all_sectors=True,
        )
        em = Organisation.objects.create(
            name=f"{region.name}应急管理局",
            kind=OrganisationKind.DEPARTMENT,
            department_kind=DepartmentKind.EMERGENCY_MANAGEMENT,
            region_id=region.code,
            all_sectors=True,
        )
        bodies[region.code] = em
    entries = ResponsibilityEntry.objects.bulk_create(
        [
            ResponsibilityEntry(
                region_id=region.code,
                sector_id=sector,
                lead_department=bodies.get(region.code),
            )
            for region in divisions
            for sector in sectors
        ],
        batch_size=2000,
    )
    ResponsibleOfficial.objects.bulk_create(
        [
            ResponsibleOfficial(
                entry=entry, side=side, name=f"官员{n}", post=post, phone="020-80000000"
            )
            for n, entry in enumerate(entries)
            for side, post in (("party", "书记"), ("government", "副职"), ("department", "局长"))
        ],
        batch_size=5000,
    )
    townships = list(
        Region.objects.filter(level=RegionLevel.TOWNSHIP).values_list("code", flat=True)
    )
    ents = Organisation.objects.bulk_create(
        Organisation(
            name=f"基准企业{n}", kind=OrganisationKind.ENTERPRISE, region_id=rng.choice(townships)
        )
        for n in range(enterprises)
    )
    Site.objects.bulk_create(
        (
            Site(
                name=f"基准场所{n}",
                kind="factory",
                sector_id=rng.choice(sectors),
                region_id=rng.choice(townships),
                address=f"测试路{n}号",
                organisation=rng.choice(ents) if n % 5 else None,
            )
            for n in range(sites)
        ),
        batch_size=5000,
    )
    # One hazard in every ``step`` is due: the county step of a general hazard 7 days late.
    step = max(hazards // max(due, 1), 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), count(*) FROM registry_site")
        first, count = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO hazards_hazard (
                created_at, updated_at, site_id, region_code, sector_id, organisation_id,
                location, description, category, grade, grade_basis, source, found_by_name,
                found_on, status, interim_measures, interim_note, deadline, accepted_by_name,
                version, history_seq, history_head, completed_at, closed_at, reported_at,
                past_overdue_days, regulator_found, listing_level, production_stop
            )
            SELECT now(), now(), s.id, s.region_code, s.sector_id, s.organisation_id,
                   '部位', '基准隐患 ' || g, 'equipment', 'general', '', 'self_inspection',
                   '检查员', current_date - 40, st.status, '[]'::jsonb, '',
                   CASE WHEN g %% %s = 0 THEN current_date - 7 ELSE current_date + 30 END,
                   '', 1, 1, repeat('0', 64), NULL,
                   CASE WHEN st.status = 'closed' THEN now() END, NULL, 0, false, '', 'none'
            FROM generate_series(1, %s) AS g
            JOIN registry_site s ON s.id = %s + (g::bigint * 7919) %% %s
            CROSS JOIN LATERAL (SELECT CASE WHEN g %% %s = 0 THEN 'rectifying'
                   ELSE (ARRAY['closed','closed','rectifying','recorded'])[1 + g %% 4]
                   END AS status) st
            """,
            [step, hazards, first, count, step],
        )
        # The rows ``escalation_rebuild`` leaves, and the due hazards one step further on.
        cursor.execute(
            """
            INSERT INTO responsibility_escalation (
                hazard_id, grade, sector_id, reason, basis_on, next_step, next_due_on,
                last_step, last_region_code, claim_token, urged_by_name, urged_message,
                updated_at
            )
            SELECT h.id, h.grade, h.sector_id,
                   CASE WHEN h.status = 'closed' THEN '' ELSE 'overdue' END,
                   CASE WHEN h.status = 'closed' THEN NULL ELSE h.deadline END,
                   CASE WHEN h.status = 'closed' THEN ''
                        WHEN h.deadline < current_date THEN 'county' ELSE 'reminder' END,
                   CASE WHEN h.status = 'closed' THEN NULL
                        WHEN h.deadline < current_date THEN h.deadline + 7
                        ELSE h.deadline - 3 END,
                   '', '', '', '', '', now()
            FROM hazards_hazard h
            """
        )
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(
            "SELECT count(*) FROM responsibility_escalation WHERE next_due_on <= current_date"
        )
        print(f"{cursor.fetchone()[0]:,} rows due")
    print(f"loaded {hazards:,} hazards in {time.perf_counter() - started:.1f}s (not timed)")


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the tick's worker processes)."""
    import resource

    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="reuse an already loaded database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--load-only", action="store_true", help="load, do not time")
    parser.add_argument(
        "--reset",
        action="store_true",
        help="with --keep: make the due rows due again (forget their recorded steps) first",
    )
    args = parser.parse_args()
    url = configure(args.keep)

    from django.db import connection

    from hazardledger.hazards.models import Hazard, HazardEvent
    from hazardledger.responsibility.models import EscalationStep
    from hazardledger.responsibility.services.escalation import escalation_tick

    if not (args.keep and Hazard.objects.exists()):
        load(args.hazards, args.due)
    if args.load_only:
        return
    if args.reset:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE responsibility_escalationstep")
            cursor.execute(
                "UPDATE responsibility_escalation e SET next_step = 'county',"
                " next_due_on = h.deadline + 7 FROM hazards_hazard h"
                " WHERE h.id = e.hazard_id AND h.status <> 'closed' AND h.deadline < current_date"
            )
            cursor.execute("VACUUM ANALYZE responsibility_escalation")
    total = Hazard.objects.count()
    cpu = _cpu()
    started = time.perf_counter()
    report = escalation_tick()
    first = time.perf_counter() - started
    print(
        f"tick over {total:,} hazards: {report} in {first:.1f}s "
        f"(Python CPU {_cpu() - cpu:.1f}s in all workers; load average "
        f"{', '.join(f'{n:.1f}' for n in os.getloadavg())})"
    )
    started = time.perf_counter()
    again = escalation_tick()
    second = time.perf_counter() - started
    print(f"tick with nothing due: {again} in {second:.3f}s")
    steps = EscalationStep.objects.count()
    events = HazardEvent.objects.filter(action="escalate").count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT hazard_id FROM responsibility_escalationstep"
            " GROUP BY hazard_id, reason, basis_on, step HAVING count(*) > 1) d"
        )
        repeated = cursor.fetchone()[0]
    print(f"steps recorded {steps:,}, escalate events {events:,}, repeated {repeated}")
    if args.drop:
        drop(url)


if __name__ == "__main__":
    main()
