"""Benchmark: the hazard ledger page with 1,000,000 hazards on PostgreSQL; prints milliseconds.

    .venv/bin/python bench/hazards_ledger.py                      # 1,000,000 hazards
    .venv/bin/python bench/hazards_ledger.py --hazards 200000 --repeat 5
    .venv/bin/python bench/hazards_ledger.py --keep               # reuse the loaded database

Builds a scratch database (``hazardledger_bench_hazards``, or ``BENCH_DATABASE_URL``), migrates
it, creates 20,000 sites spread over every township of the province and 2,000 enterprises, then
inserts the hazards in one ``INSERT … SELECT generate_series`` (statuses, grades, dates and
deadlines drawn from the row number, so about one in ten lies in Guangzhou), and runs
``VACUUM ANALYZE``. The loading is not timed. Then it renders the ledger page through Django's
test Client, as the users below, ``--repeat`` times each after one warm-up, and prints the
median, best and worst. No history events are generated: the ledger page does not read them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hazardledger.accounts.models import User

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hazardledger_bench_hazards"


def configure(keep: bool) -> str:
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["ALLOWED_HOSTS"] = "testserver"
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


def load(hazards: int, sites: int = 20_000, enterprises: int = 2_000) -> dict[str, User]:
    """Create the users, sites and hazards (not timed). Returns the users by name."""
    import random

    from django.core.management import call_command
    from django.db import connection

    from hazardledger.accounts.choices import OrganisationKind, Role
    from hazardledger.accounts.models import Organisation, User
    from hazardledger.regions.choices import DepartmentKind, RegionLevel
    from hazardledger.regions.models import Region, Sector
    from hazardledger.registry.models import Site

    call_command("migrate", verbosity=0)
    rng = random.Random(11)
    gd = Organisation.objects.create(
        name="广东省安委办", kind=OrganisationKind.OFFICE, region_id="44", all_sectors=True
    )
    gz = Organisation.objects.create(
        name="广州市安委办", kind=OrganisationKind.OFFICE, region_id="4401", all_sectors=True
    )
    em = Organisation.objects.create(
        name="广州市应急管理局",
        kind=OrganisationKind.DEPARTMENT,
        department_kind=DepartmentKind.EMERGENCY_MANAGEMENT,
        region_id="4401",
    )
    # By primary key, which for sectors is the code; django-stubs assumes integer keys.
    em.sectors.set(["hazardous_chemicals", "industry_trade"])  # type: ignore[list-item]
    townships = list(
        Region.objects.filter(level=RegionLevel.TOWNSHIP).values_list("code", flat=True)
    )
    ents = Organisation.objects.bulk_create(
        Organisation(
            name=f"基准企业{n}",
            kind=OrganisationKind.ENTERPRISE,
            region_id=rng.choice(townships),
        )
        for n in range(enterprises)
    )
    sectors = list(Sector.objects.values_list("code", flat=True))
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
    users = {
        "gd-office (province, filtered to Guangzhou)": User.objects.create(
            username="gd", role=Role.OFFICE, organisation=gd
        ),
        "gz-office (Guangzhou, all sectors)": User.objects.create(
            username="gz", role=Role.OFFICE, organisation=gz
        ),
        "gz-inspector (Guangzhou, 2 sectors)": User.objects.create(
            username="gzi", role=Role.INSPECTOR, organisation=em
        ),
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), count(*) FROM registry_site")
        first, count = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO hazards_hazard (
                created_at, updated_at, site_id, region_code, sector_id, organisation_id,
                location, description, category, grade, grade_basis, source, found_by_name,
                found_on, status, interim_measures, interim_note, deadline, accepted_by_name,
                version, history_seq, history_head, completed_at, closed_at, reported_at
            )
            SELECT now(), now(), s.id, s.region_code, s.sector_id, s.organisation_id,
                   '部位' || (g %% 50), '基准隐患描述 ' || g,
                   (ARRAY['equipment','process','electrical','fire','management',
                          'environment','other'])[1 + g %% 7],
                   CASE WHEN g %% 20 = 0 THEN 'major' ELSE 'general' END,
                   CASE WHEN g %% 20 = 0 THEN '判定标准条款' ELSE '' END,
                   (ARRAY['self_inspection','regulatory_inspection','campaign',
                          'public_report','other'])[1 + g %% 5],
                   '检查员', current_date - (g %% 730),
                   st.status, '[]'::jsonb, '',
                   CASE WHEN st.status IN ('rectifying','submitted','closed')
                        THEN current_date - (g %% 730) + 30 END,
                   '', 1, 1, repeat('0', 64), NULL,
                   CASE WHEN st.status = 'closed' THEN now() END,
                   CASE WHEN g %% 20 = 0 THEN now() END
            FROM generate_series(1, %s) AS g
            JOIN registry_site s ON s.id = %s + (g::bigint * 7919) %% %s
            CROSS JOIN LATERAL (SELECT (ARRAY['closed','closed','closed','closed','closed',
                   'rectifying','rectifying','submitted','recorded','voided','fixed',
                   'reopened'])[1 + g %% 12] AS status) st
            """,
            [hazards, first, count],
        )
        cursor.execute("VACUUM ANALYZE hazards_hazard")
        cursor.execute(
            "SELECT count(*) FROM hazards_hazard"
            " WHERE region_code BETWEEN '4401' AND '440199999999'"
        )
        in_gz = cursor.fetchone()[0]
    print(
        f"loaded {hazards:,} hazards ({in_gz:,} in Guangzhou) "
        f"in {time.perf_counter() - started:.1f}s"
    )
    return users


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="reuse an already loaded database")
    args = parser.parse_args()
    configure(args.keep)

    from django.test import Client

    from hazardledger.accounts.models import User
    from hazardledger.hazards.models import Hazard

    if args.keep and Hazard.objects.exists():
        names = {
            "gd": "gd-office (province, filtered to Guangzhou)",
            "gz": "gz-office (Guangzhou, all sectors)",
            "gzi": "gz-inspector (Guangzhou, 2 sectors)",
        }
        users = {names[u.username]: u for u in User.objects.filter(username__in=names)}
    else:
        users = load(args.hazards)
    total = Hazard.objects.count()
    cases = [
        ("gd-office (province, filtered to Guangzhou)", "?region=4401"),
        ("gd-office (province, filtered to Guangzhou)", "?region=4401&page=3"),
        ("gd-office (province, filtered to Guangzhou)", "?region=4401&status=rectifying&overdue=1"),
        ("gd-office (province, filtered to Guangzhou)", "?region=4401&grade=major&status=open"),
        ("gd-office (province, filtered to Guangzhou)", "?region=4401&sort=deadline"),
        ("gd-office (province, filtered to Guangzhou)", "?region=440106"),
        ("gd-office (province, filtered to Guangzhou)", ""),
        ("gz-office (Guangzhou, all sectors)", ""),
        ("gz-inspector (Guangzhou, 2 sectors)", ""),
    ]
    print(f"{total:,} hazards; ledger page /hazards/, {args.repeat} runs after a warm-up (ms)")
    print(f"{'user':<46} {'query':<45} {'median':>7} {'best':>7} {'worst':>7}")
    for who, query in cases:
        client = Client()
        client.force_login(users[who])
        url = f"/hazards/{query}"
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        capped = " (count capped at 10,000)" if b'data-capped="1"' in response.content else ""
        print(
            f"{who:<46} {query or '(no filter)':<45} {statistics.median(timings):7.1f} "
            f"{min(timings):7.1f} {max(timings):7.1f}{capped}"
        )


if __name__ == "__main__":
    main()
