"""Benchmark: signed checkpoints and ``verify_history`` over 1,000,000 history events on
PostgreSQL; prints seconds, sizes and peak memory.

    .venv/bin/python bench/verify_history.py                  # 250,000 hazards, 1,000,000 events
    .venv/bin/python bench/verify_history.py --hazards 20000  # a quick run
    .venv/bin/python bench/verify_history.py --keep           # keep the database afterwards

Builds a scratch database (``hl_bench10``, or ``BENCH_DATABASE_URL``), migrates it, creates 2,000
sites, then hazards with four events each (recorded, plan filed, submitted with a photo, accepted)
built through ``history.chain_event`` like the demo: every event with its changes and its audit
entry (the hash), every plan row and evidence row as the workflow writes them, so that the
ledger verifies. The loading is timed but is not the point. Then, timed:

1. the first checkpoint (every hazard listed, the whole audit trail sealed);
2. ``verify_history`` (chains, checkpoint heads, audit chain and cross-check, state replay, plans,
   evidence, extension requests) with its peak memory;
3. 100 hazards acted on (a system event each), then the next checkpoint (only those 100), the
   size of its signed file and of a full one.

The database is dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hl_bench10"
EVENTS_PER_HAZARD = 4


def configure() -> tuple[str, str]:
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    import psycopg

    admin, name = url.rsplit("/", 1)
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from hazardledger.integrity.keys import generate_key

    os.environ["INTEGRITY_SIGNING_KEY"] = generate_key()[0].decode()
    os.environ["INTEGRITY_INSTANCE"] = "bench"
    import django

    django.setup()
    return admin, name


def drop(admin: str, name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load(hazards: int, sites: int = 2_000, batch: int = 5_000) -> None:
    """Sites, then the hazards in batches: rows, events, audit entries, plans, evidence."""
    import hashlib
    import random
    from datetime import timedelta
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone

    from hazardledger.accounts.choices import OrganisationKind
    from hazardledger.accounts.models import Organisation
    from hazardledger.audit.models import AuditEvent
    from hazardledger.hazards.choices import (
        EvidenceKind,
        EvidenceStage,
        HazardAction,
        HazardCategory,
        HazardGrade,
        HazardSource,
        HazardStatus,
    )
    from hazardledger.hazards.history import chain_event, hazard_state, json_value, state_changes
    from hazardledger.hazards.models import Evidence, Hazard, HazardEvent, RectificationPlan
    from hazardledger.regions.choices import RegionLevel
    from hazardledger.regions.models import Region, Sector
    from hazardledger.registry.models import Site

    call_command("migrate", verbosity=0)
    rng = random.Random(10)
    townships = list(
        Region.objects.filter(level=RegionLevel.TOWNSHIP).values_list("code", flat=True)[:500]
    )
    ents = Organisation.objects.bulk_create(
        Organisation(name=f"基准企业{n}", kind=OrganisationKind.ENTERPRISE, region_id=t)
        for n, t in enumerate(townships[:200])
    )
    sectors = list(Sector.objects.values_list("code", flat=True))
    site_rows = Site.objects.bulk_create(
        Site(
            name=f"基准场所{n}",
            kind="factory",
            sector_id=rng.choice(sectors),
            region_id=rng.choice(townships),
            address=f"测试路{n}号",
            organisation=rng.choice(ents),
        )
        for n in range(sites)
    )
    photo_sha = hashlib.sha256(b"bench photo").hexdigest()
    now = timezone.now()
    started = time.perf_counter()
    made = 0
    while made < hazards:
        count = min(batch, hazards - made)
        built = []
        for n in range(count):
            site = site_rows[(made + n) * 7919 % len(site_rows)]
            found = now - timedelta(days=rng.randint(30, 700))
            hazard = Hazard(
                site=site,
                region_id=site.region_id,
                sector_id=site.sector_id,
                organisation_id=site.organisation_id,
                location="部位",
                description=f"基准隐患描述 {made + n}",
                category=HazardCategory.EQUIPMENT,
                grade=HazardGrade.GENERAL,
                source=HazardSource.SELF_INSPECTION,
                found_by_name="检查员",
                found_on=found.date(),
                status=HazardStatus.RECORDED,
                deadline=found.date() + timedelta(days=30),
            )
            built.append((hazard, found))
        Hazard.objects.bulk_create([h for h, _f in built], batch_size=batch)
        events, audits, plans, files = [], [], [], []
        for hazard, found in built:
            state = hazard_state(hazard)
            plan_fields = {
                "responsible_unit": "设备部",
                "responsible_person": "张工",
                "responsible_user_id": None,
                "measures": "更换并校验",
                "funds": str(Decimal("12000.00")),
                "deadline": json_value(hazard.deadline),
                "contingency_plan": "",
                "governance_programme": "",
            }
            times = [found + timedelta(days=d) for d in (0, 1, 10, 12)]
            steps: list[tuple[str, str, str, dict[str, Any], dict[str, Any]]] = [
                (HazardAction.RECORD, "", HazardStatus.RECORDED, {}, {}),
                (
                    HazardAction.PLAN,
                    HazardStatus.RECORDED,
                    HazardStatus.RECTIFYING,
                    {"plan": plan_fields},
                    {},
                ),
                (
                    HazardAction.SUBMIT,
                    HazardStatus.RECTIFYING,
                    HazardStatus.SUBMITTED,
                    {
                        "files": [
                            {
                                "name": "整改后.jpg",
                                "type": "image/jpeg",
                                "size": 11,
                                "sha256": photo_sha,
                                "original_sha256": photo_sha,
                            }
                        ]
                    },
                    {"completed_at": json_value(times[2])},
                ),
                (
                    HazardAction.ACCEPT,
                    HazardStatus.SUBMITTED,
                    HazardStatus.CLOSED,
                    {},
                    {"closed_at": json_value(times[3]), "accepted_by_name": "负责人"},
                ),
            ]
            for index, (action, source, target, data, updates) in enumerate(steps):
                if index == 0:
                    changes = {name: [None, value] for name, value in state.items()}
                else:
                    after = {**state, **updates, "status": target}
                    changes = state_changes(state, after)
                    state = after
                event = chain_event(
                    hazard=hazard,
                    action=action,
                    from_status=source,
                    to_status=target,
                    actor=None,
                    at=times[index],
                    data=data,
                    changes=changes,
                    actor_name="基准用户",
                )
                events.append(event)
                audits.append(
                    AuditEvent(
                        created_at=times[index],
                        action=f"hazards.hazard.{action}",
                        actor_name="基准用户",
                        object_type="hazards.hazard",
                        object_id=str(hazard.pk),
                        object_repr=str(hazard)[:200],
                        before={"status": source} if source else None,
                        after={"status": target},
                        data={"event": event.seq, "hash": event.hash, "reason": ""},
                    )
                )
            hazard.status = HazardStatus.CLOSED
            hazard.completed_at, hazard.closed_at = times[2], times[3]
            hazard.accepted_by_name = "负责人"
            plans.append(
                RectificationPlan(
                    hazard=hazard,
                    region_id=hazard.region_id,
                    responsible_unit="设备部",
                    responsible_person="张工",
                    measures="更换并校验",
                    funds=Decimal("12000.00"),
                    deadline=found.date() + timedelta(days=30),
                    created_at=times[1],
                    closed_at=times[3],
                )
            )
        HazardEvent.objects.bulk_create(events, batch_size=batch)
        AuditEvent.objects.bulk_create(audits, batch_size=batch)
        RectificationPlan.objects.bulk_create(plans, batch_size=batch)
        Hazard.objects.bulk_update(
            [h for h, _f in built],
            [
                "status",
                "completed_at",
                "closed_at",
                "accepted_by_name",
                "history_seq",
                "history_head",
            ],
            batch_size=batch,
        )
        for event in events:
            if event.action == HazardAction.SUBMIT:
                files.append(
                    Evidence(
                        hazard_id=event.hazard_id,
                        event=event,
                        region_id=event.region_id,
                        stage=EvidenceStage.FIX,
                        kind=EvidenceKind.PHOTO,
                        file="hazards/evidence/bench.jpg",
                        original_name="整改后.jpg",
                        content_type="image/jpeg",
                        size=11,
                        sha256=photo_sha,
                        original_sha256=photo_sha,
                        uploaded_at=event.created_at,
                    )
                )
        Evidence.objects.bulk_create(files, batch_size=batch)
        made += count
        print(f"  {made:,} hazards, {made * EVENTS_PER_HAZARD:,} events", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"loaded in {time.perf_counter() - started:.0f} s")


def act_on(n: int) -> None:
    """``n`` hazards get one more event (a system event, as the workflow appends it)."""
    from django.db import transaction
    from django.utils import timezone

    from hazardledger.hazards.models import Hazard
    from hazardledger.hazards.workflow.effects import history_append

    with transaction.atomic():
        for hazard in Hazard.objects.order_by("?")[:n]:
            history_append(
                hazard=hazard,
                action="system_update",
                from_status=hazard.status,
                to_status=hazard.status,
                actor=None,
                at=timezone.now(),
                changes={},
            )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hazards", type=int, default=250_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    admin, name = configure()
    try:
        load(args.hazards)
        from django.db import transaction

        from hazardledger.hazards.models import HazardEvent
        from hazardledger.integrity.services import checkpoint_create, checkpoint_export
        from hazardledger.integrity.verify import verify_integrity

        events = HazardEvent.objects.count()
        print(f"machine shared with other work; {args.hazards:,} hazards, {events:,} events")
        started = time.perf_counter()
        with transaction.atomic():
            first = checkpoint_create().checkpoint
        print(
            f"first checkpoint: {time.perf_counter() - started:.1f} s "
            f"({first.document['hazards']['changed']:,} hazards listed, audit trail sealed to "
            f"{first.document['audit']['seq']:,}); stored list {len(first.entries):,} bytes"
        )
        before = peak_mb()
        started = time.perf_counter()
        report = verify_integrity()
        elapsed = time.perf_counter() - started
        print(
            f"verify_history: {elapsed:.1f} s for {report.ledger.events:,} events, "
            f"{report.audit.entries:,} audit entries; {len(report.problems)} problems; "
            f"peak memory {max(before, peak_mb()):.0f} MB"
        )
        act_on(100)
        started = time.perf_counter()
        with transaction.atomic():
            second = checkpoint_create().checkpoint
        print(
            f"next checkpoint after 100 hazards changed: {time.perf_counter() - started:.2f} s "
            f"({second.document['hazards']['changed']} listed)"
        )
        delta = checkpoint_export(checkpoint=second)
        started = time.perf_counter()
        full = checkpoint_export(checkpoint=second, full=True)
        print(
            f"signed file: {len(delta):,} bytes (delta); full list {len(full):,} bytes, "
            f"made in {time.perf_counter() - started:.1f} s"
        )
    finally:
        if not args.keep:
            drop(admin, name)


if __name__ == "__main__":
    main()
