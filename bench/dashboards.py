"""Benchmark: dashboards from rollups against the old overview, the ledger's heaviest filters,
and the rollup handlers' cost on a hazard transition, on a large PostgreSQL ledger.

    .venv/bin/python bench/dashboards.py --sites 100000 --hazards 1000000     # build, then time
    .venv/bin/python bench/dashboards.py --sites 1000000 --hazards 10000000
    .venv/bin/python bench/dashboards.py --keep                               # time again only

Builds the ledger with ``bench/ledger_build.py`` (sites, hazards with valid history chains and
their audit entries, by COPY; users for the province, Guangzhou, Tianhe district and
Guangzhou's emergency management bureau), verifies a sample of chains with the app's
verification, rebuilds the rollups with ``manage.py rollups_rebuild``, then times, through
Django's test Client (session, middleware, scope, queries, template), ``--repeat`` requests
after a warm-up each, and prints p50 and p95 in milliseconds:

1. the old overview (``bench/old_overview.py``: HEAD's page before issue 15, served at a
   bench-only URL) and the new dashboard with its charts endpoint, for the four users;
2. the ledger page filtered to overdue, review-overdue, status and grade, for the city and the
   district;
3. a hazard transition (plan, fix on the spot) by an enterprise officer, then the two rollup
   handlers on its outbox event, timed apart (``--transitions`` of each).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT))

import ledger_build  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def timed(func: Callable[[], Any], repeat: int) -> tuple[float, float, float]:
    """(p50, p95, worst) of ``repeat`` calls after one warm-up, in milliseconds."""
    func()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs), percentile(runs, 0.95), max(runs)


def row(label: str, figures: tuple[float, float, float], note: str = "") -> None:
    p50, p95, worst = figures
    print(f"  {label:<64} {p50:8.1f} {p95:8.1f} {worst:8.1f}  {note}", flush=True)


def time_pages(users: dict[str, Any], repeat: int) -> None:
    from django.conf import settings
    from django.test import Client
    from django.urls import clear_url_caches

    from hazardledger.reporting.selectors import scope_for_user

    settings.ROOT_URLCONF = "old_overview"
    clear_url_caches()
    print(f"\nPages ({repeat} requests after a warm-up; ms)   {'p50':>8} {'p95':>8} {'worst':>8}")
    for key in ("province", "city", "district", "sector"):
        user = users[key]
        client = Client()
        client.force_login(user)
        region = scope_for_user(user).region

        def get(url: str, client: Client = client) -> Callable[[], Any]:
            def fetch() -> None:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            return fetch

        row(f"{key}: old overview (before issue 15)", timed(get("/bench/old-overview/"), repeat))
        row(f"{key}: new dashboard /", timed(get("/"), repeat))
        row(
            f"{key}: new dashboard charts.json",
            timed(get(f"/dashboard/{region}/charts.json"), repeat),
        )
        row(f"{key}: new dashboard map.json", timed(get(f"/dashboard/{region}/map.json"), repeat))


LEDGER_FILTERS = (
    "?overdue=1",
    "?review_overdue=1",
    "?status=rectifying&overdue=1",
    "?grade=major&status=open",
    "?status=submitted&grade=major",
    "?status=rectifying&grade=general",
)


def time_ledger(users: dict[str, Any], repeat: int) -> None:
    from django.test import Client

    print(
        f"\nLedger page /hazards/ ({repeat} requests; ms)       {'p50':>8} {'p95':>8} {'worst':>8}"
    )
    for key in ("city", "district"):
        client = Client()
        client.force_login(users[key])
        for query in LEDGER_FILTERS:
            url = f"/hazards/{query}"

            def fetch(url: str = url, client: Client = client) -> None:
                response = client.get(url)
                assert response.status_code == 200

            capped = b'data-capped="1"' in client.get(url).content
            row(f"{key}: {query}", timed(fetch, repeat), "(count capped)" if capped else "")


def time_transitions(count: int) -> None:
    """Each transition as a page makes it (one durable transaction: the hazard, its event, the
    audit entry, the outbox event, its dispatch enqueued for the worker), then what the rollups
    add in the worker: their two handlers on that event and the flush of the queued hazard —
    once per event (the worst case, no batching), and once for all ``count`` events (a burst,
    as ``flush_soon`` batches them)."""
    from django.db import transaction

    from hazardledger.accounts.choices import Role
    from hazardledger.accounts.models import Organisation, User
    from hazardledger.core.models import OutboxEvent
    from hazardledger.hazards.choices import HazardAction
    from hazardledger.hazards.deadlines import local_today
    from hazardledger.hazards.services import hazard_record
    from hazardledger.hazards.tests.factories import hazard_data, plan_data, png_upload
    from hazardledger.hazards.workflow import hazard_transition
    from hazardledger.regions.selectors import under_region
    from hazardledger.registry.models import Site
    from hazardledger.reporting import rollups
    from hazardledger.reporting.handlers import hazard_rollups, site_rollups

    flush: Callable[[], Any] = getattr(rollups, "rollups_flush", lambda: None)
    site = Site.objects.filter(under_region("region", "4401"), organisation__isnull=False).first()
    assert site is not None and site.organisation_id is not None
    enterprise = Organisation.objects.get(pk=site.organisation_id)
    officer, _ = User.objects.get_or_create(
        username="bench-officer",
        defaults={"role": Role.ENTERPRISE_OFFICER, "organisation": enterprise},
    )

    def handle(events: list[Any]) -> None:
        # As the dispatcher runs them: each handler in its own transaction.
        for event in events:
            for handler in (hazard_rollups, site_rollups):
                with transaction.atomic(durable=True):
                    handler(event)

    print(f"\nA hazard transition, then the rollups' work on its event ({count} each; ms)")
    for action in (HazardAction.PLAN, HazardAction.FIX):
        hazards = []
        for _ in range(2 * count):
            with transaction.atomic(durable=True):
                hazards.append(
                    hazard_record(
                        actor=officer, site_id=site.pk, data=hazard_data(found_on=local_today())
                    )
                )
        flush()
        transition_ms, handler_ms, flush_ms, burst_events = [], [], [], []
        for index, hazard in enumerate(hazards):
            kwargs: dict[str, Any] = (
                {"data": plan_data()} if action == HazardAction.PLAN else {"files": [png_upload()]}
            )
            last = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            started = time.perf_counter()
            with transaction.atomic(durable=True):
                hazard_transition(
                    hazard=hazard,
                    action=action,
                    actor=officer,
                    expected_version=hazard.version,
                    comment="基准",
                    **kwargs,
                )
            if index < count:
                transition_ms.append((time.perf_counter() - started) * 1000)
            events = list(OutboxEvent.objects.filter(pk__gt=last).order_by("pk"))
            if index < count:
                started = time.perf_counter()
                handle(events)
                handled = time.perf_counter()
                flush()
                handler_ms.append((handled - started) * 1000)
                flush_ms.append((time.perf_counter() - handled) * 1000)
            else:
                burst_events += events
        started = time.perf_counter()
        handle(burst_events)
        handled = time.perf_counter()
        flush()
        burst_handlers = (handled - started) * 1000 / count
        burst_flush = (time.perf_counter() - handled) * 1000 / count
        t50, h50, f50 = (statistics.median(v) for v in (transition_ms, handler_ms, flush_ms))
        print(
            f"  {action:<6} transition p50 {t50:5.1f} p95 {percentile(transition_ms, 0.95):5.1f}"
            f" | handlers p50 {h50:4.1f} ({h50 / t50 * 100:4.1f} %)"
            f", then a flush of that one hazard p50 {f50:4.1f} ({f50 / t50 * 100:4.1f} %)"
            f" | a burst of {count}, per event: handlers {burst_handlers:4.2f}"
            f" + flush {burst_flush:4.2f} ({(burst_handlers + burst_flush) / t50 * 100:4.1f} %)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--transitions", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="time an already built database")
    parser.add_argument(
        "--no-audit", action="store_true", help="leave out the events' audit entries (disk)"
    )
    parser.add_argument("--rebuild", action="store_true", help="with --keep: rebuild the rollups")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["pages", "ledger", "transitions"],
        default=["pages", "ledger", "transitions"],
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", ledger_build.DEFAULT_URL)
    # Enqueued tasks go to the database, as in production (the worker is not running).
    os.environ["TASKS_BACKEND"] = "database"
    if not args.keep:
        ledger_build.disk_check(hazards=args.hazards, audit=not args.no_audit)
    ledger_build.configure(url=url, fresh=not args.keep)
    from django.core.management import call_command

    if not args.keep:
        started = time.perf_counter()
        timings = ledger_build.load(
            url=url,
            sites=args.sites,
            hazards=args.hazards,
            workers=args.workers,
            audit=not args.no_audit,
        )
        print(f"Built {args.sites:,} sites and {args.hazards:,} hazards:")
        for name, seconds in timings.items():
            print(f"  {name:<28} {seconds:8.1f} s")
        print(f"  {'total':<28} {time.perf_counter() - started:8.1f} s", flush=True)
        n_hazards, n_events, problems = ledger_build.verify_sample(audit=not args.no_audit)
        print(f"Verified {n_hazards:,} hazards ({n_events:,} events): {len(problems)} problems")
        for problem in problems[:5]:
            print(f"  {problem}")
    if args.keep:
        call_command("migrate", verbosity=0)  # migrations added since the database was built
    if not args.keep or args.rebuild:
        started = time.perf_counter()
        call_command("rollups_rebuild")
        print(f"Rollups rebuilt in {time.perf_counter() - started:.1f} s", flush=True)
    users = ledger_build.bench_users()
    # What a web process does before it serves (config/wsgi.py): without it, a full pass of
    # the garbage collector over everything loaded lands on every few requests.
    from hazardledger.core.startup import freeze_loaded_objects

    freeze_loaded_objects()
    if "pages" in args.only:
        time_pages(users, args.repeat)
    if "ledger" in args.only:
        time_ledger(users, args.repeat)
    if "transitions" in args.only:
        time_transitions(args.transitions)


if __name__ == "__main__":
    main()
