"""Benchmark: the progress page of a province campaign with 1,000,000 sites in scope, on
PostgreSQL. Prints milliseconds per page (the issue's target: under 200 ms).

    .venv/bin/python bench/campaign_progress.py                  # 1,000,000 sites
    .venv/bin/python bench/campaign_progress.py --sites 20000    # a quick run while developing
    .venv/bin/python bench/campaign_progress.py --keep           # re-time a loaded database
    .venv/bin/python bench/campaign_progress.py --drop           # drop the database at the end

Builds a scratch database (``hl_bench16``, or ``BENCH_DATABASE_URL``), migrates it, creates the
provincial office and every city's and county's office and emergency management bureau, then
inserts the sites with one ``INSERT … SELECT generate_series`` over every township of the
province, in the six sectors of the pre-flood "three preventions" campaign (self-built houses,
construction, mines, hazardous chemicals, tourist facilities, crowded places). The office then
issues the campaign for the whole province through ``campaign_issue``, and its tasks are made
by ``campaign_tasks_build`` (timed: the job the worker runs once the campaign is committed).
A share of the sites is marked inspected and self-inspected, 100,000 hazards are linked to the
campaign (a fifth major, some closed, some overdue, some listed), and the counters are made by
``counters_recompute`` (timed). Loading the sites is not timed.

Timed: the campaign's page (``/campaigns/<pk>/``, the whole request through Django's test
Client: session, middleware, scope, the grouped counter and overdue queries, the template) for
the province office at the province, at a city (``?at=4401``) and at a district
(``?at=440106``), and for Guangzhou's office (its scope is the city); 7 runs after a warm-up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hl_bench16"

# (site kind, sector) pairs the sites cycle through, mines both open-pit and underground.
KINDS = (
    ("self_built_house", "self_built_houses"),
    ("self_built_house", "self_built_houses"),
    ("construction_project", "building_construction"),
    ("chemical_plant", "hazardous_chemicals"),
    ("chemical_store", "hazardous_chemicals"),
    ("coal_mine", "mines"),
    ("metal_mine", "mines"),
    ("tourist_facility", "tourist_facilities"),
    ("venue", "crowded_places"),
    ("venue", "crowded_places"),
)
SECTORS = sorted({sector for _kind, sector in KINDS})


def configure(keep: bool) -> str:
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("TASKS_BACKEND", "database")
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


def drop(url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    admin, name = url.rsplit("/", 1)
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    print(f"dropped {name}")


def load(sites: int, hazards: int) -> None:
    """Bodies, sites, the campaign and its tasks, inspections and hazards, the counters."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection, transaction

    from hazardledger.accounts.choices import OrganisationKind, Role
    from hazardledger.accounts.models import Organisation, User
    from hazardledger.campaigns.models import Campaign, CampaignHazard, Task
    from hazardledger.campaigns.progress import counters_recompute, township
    from hazardledger.campaigns.seasonal import TEMPLATES, template_plan
    from hazardledger.campaigns.services import CampaignInput, campaign_issue, campaign_tasks_build
    from hazardledger.hazards.choices import HazardGrade, HazardSource, HazardStatus
    from hazardledger.hazards.deadlines import local_today
    from hazardledger.hazards.models import Hazard
    from hazardledger.regions.choices import DepartmentKind, RegionLevel
    from hazardledger.regions.models import Region, Sector

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_checklists", verbosity=0)
    for region in Region.objects.filter(
        level__in=[RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY]
    ):
        office = Organisation.objects.create(
            name=f"{region.name}安委办",
            kind=OrganisationKind.OFFICE,
            region_id=region.code,
            all_sectors=True,
        )
        Organisation.objects.create(
            name=f"{region.name}应急管理局",
            kind=OrganisationKind.DEPARTMENT,
            department_kind=DepartmentKind.EMERGENCY_MANAGEMENT,
            region_id=region.code,
            all_sectors=False,
        ).sectors.set(Sector.objects.filter(code__in=SECTORS))
        if region.code in ("44", "4401"):
            User.objects.create_user(
                username=f"office-{region.code}", password="pw", role=Role.OFFICE,
                organisation=office,
            )  # fmt: skip
    townships = list(
        Region.objects.filter(level=RegionLevel.TOWNSHIP)
        .order_by("code")
        .values_list("code", flat=True)
    )
    kinds = "ARRAY[" + ",".join(f"'{kind}'" for kind, _s in KINDS) + "]"
    sectors = "ARRAY[" + ",".join(f"'{sector}'" for _k, sector in KINDS) + "]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO registry_site (
                created_at, updated_at, name, kind, mine_type, sector_id, region_code, address,
                contact_person, contact_phone, status, risk_level, attributes, version
            )
            SELECT now(), now(), '基准场所' || g, k.kind,
                   CASE WHEN k.kind IN ('coal_mine', 'metal_mine')
                        THEN (ARRAY['open_pit','underground'])[1 + g %% 2] ELSE '' END,
                   k.sector, t.codes[1 + (g::bigint * 7919) %% %s], '测试路' || g || '号',
                   '', '', 'operating', '', '{{}}'::jsonb, 1
            FROM generate_series(1, %s) AS g
            CROSS JOIN LATERAL (SELECT ({kinds})[1 + g %% {len(KINDS)}] AS kind,
                                       ({sectors})[1 + g %% {len(KINDS)}] AS sector) k
            CROSS JOIN (SELECT %s::text[] AS codes) t
            """,
            [len(townships), sites, townships],
        )
        cursor.execute("ANALYZE registry_site")
    print(f"{sites:,} sites loaded in {time.perf_counter() - started:.1f}s (not timed)")

    office_user = User.objects.get(username="office-44")
    today = local_today()
    plan = template_plan(
        template=TEMPLATES["pre_flood"], starts_on=today - timedelta(days=20), area="全省"
    )
    with transaction.atomic():
        campaign = campaign_issue(actor=office_user, data=CampaignInput(regions=["44"], **plan))
    started = time.perf_counter()
    made = campaign_tasks_build(campaign_id=campaign.pk)
    print(f"campaign_tasks_build: {made:,} tasks in {time.perf_counter() - started:.1f}s")

    with connection.cursor() as cursor:
        # What the handlers would have recorded: a third inspected, a fifth self-inspected.
        cursor.execute(
            "UPDATE campaigns_task SET inspected_on = current_date - (id %% 15)::int "
            "WHERE root_id = %s AND id %% 3 = 0",
            [campaign.pk],
        )
        cursor.execute(
            "UPDATE campaigns_task SET self_inspected_on = current_date - (id %% 9)::int "
            "WHERE root_id = %s AND id %% 5 = 0",
            [campaign.pk],
        )
    started = time.perf_counter()
    step = max(sites // hazards, 1)
    rows = (
        Task.objects.filter(root=campaign)
        .order_by("pk")
        .values_list("site_id", "region_id", "sector_id", "site_kind")[: hazards * step : step]
    )
    statuses = [
        HazardStatus.RECTIFYING,
        HazardStatus.CLOSED,
        HazardStatus.CLOSED,
        HazardStatus.RECORDED,
    ]
    made_hazards = Hazard.objects.bulk_create(
        (
            Hazard(
                site_id=site,
                region_id=region,
                sector_id=sector,
                location="部位",
                description=f"基准隐患{n}",
                category="equipment",
                grade=HazardGrade.MAJOR if n % 5 == 0 else HazardGrade.GENERAL,
                grade_basis="判定标准" if n % 5 == 0 else "",
                source=HazardSource.CAMPAIGN,
                found_by_name="检查员",
                found_on=today - timedelta(days=n % 18),
                status=statuses[n % 4],
                deadline=today + timedelta(days=(n % 40) - 10),
                regulator_found=n % 2 == 0,
                listing_level="city" if n % 50 == 0 else "",
            )
            for n, (site, region, sector, _kind) in enumerate(rows)
        ),
        batch_size=5000,
    )
    kinds_by_site = {site: kind for site, _r, _s, kind in rows}
    CampaignHazard.objects.bulk_create(
        (
            CampaignHazard(
                campaign=campaign,
                hazard=hazard,
                region_id=township(hazard.region_id),
                sector_id=hazard.sector_id,
                site_kind=kinds_by_site[hazard.site_id],
                counted=True,
                grade=hazard.grade,
                regulator_found=hazard.regulator_found,
                status=hazard.status,
                listed=bool(hazard.listing_level),
                overdue_from=hazard.deadline if hazard.status != HazardStatus.CLOSED else None,
            )
            for hazard in made_hazards
        ),
        batch_size=5000,
    )
    print(f"{len(made_hazards):,} hazards linked in {time.perf_counter() - started:.1f}s")
    started = time.perf_counter()
    totals = counters_recompute(root_id=campaign.pk)
    print(f"counters_recompute: {time.perf_counter() - started:.1f}s, totals {totals}")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT count(*) FROM campaigns_progress")
        print(f"{cursor.fetchone()[0]:,} counter rows")
    assert Campaign.objects.count() == 1


def timed(client: object, url: str, runs: int = 7) -> list[float]:
    client.get(url)  # type: ignore[attr-defined]  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=1_000_000)
    parser.add_argument("--hazards", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="reuse an already loaded database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args()
    url = configure(args.keep)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from hazardledger.accounts.models import User
    from hazardledger.campaigns.models import Campaign

    if not (args.keep and Campaign.objects.exists()):
        load(args.sites, min(args.hazards, args.sites))
    campaign = Campaign.objects.get()
    cases = [
        ("province office", "office-44", ""),
        ("province office", "office-44", "?at=4401"),
        ("province office", "office-44", "?at=440106"),
        ("province office", "office-44", "?sector=self_built_houses"),
        ("Guangzhou office", "office-4401", ""),
    ]
    print("| user | page | median | best | worst | queries |")
    print("|---|---|---|---|---|---|")
    for label, username, query in cases:
        client = Client()
        client.force_login(User.objects.get(username=username))
        path = f"/campaigns/{campaign.pk}/{query}"
        times = timed(client, path)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        print(
            f"| {label} | `{query or '(province)'}` | {statistics.median(times):.1f} ms | "
            f"{min(times):.1f} | {max(times):.1f} | {len(queries)} |"
        )
    if args.drop:
        drop(url)


if __name__ == "__main__":
    main()
