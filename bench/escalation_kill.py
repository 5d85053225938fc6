"""Kill test: a worker running the escalation job is killed with SIGKILL mid-run and started
again; no step is lost and none is repeated (issue 14's acceptance). PostgreSQL.

    .venv/bin/python bench/escalation_kill.py                 # 3,000 due among 20,000 hazards
    .venv/bin/python bench/escalation_kill.py --due 5000 --drop

Builds its database as bench/escalation.py does (``hl_bench14_kill``, or
``BENCH_KILL_DATABASE_URL``), then:

1. starts ``manage.py escalation_tick --batch 50`` in a child process (the worker) and, once
   some batches have committed, kills it with SIGKILL;
2. checks what the killed worker left: as many ``escalate`` events in the hazards' histories
   as recorded steps (a batch commits whole or not at all), fewer than due;
3. starts the worker again and lets it finish;
4. checks that every due hazard has its step exactly once — in the step records and in its
   history — and that the hazards' hash chains are intact.

Exits non-zero when a check fails.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hl_bench14_kill"


def counts() -> tuple[int, int]:
    from hazardledger.hazards.models import HazardEvent
    from hazardledger.responsibility.models import EscalationStep

    return (
        EscalationStep.objects.count(),
        HazardEvent.objects.filter(action="escalate").count(),
    )


def worker(url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TASKS_BACKEND": "database",
        "ESCALATION_WORKERS": "1",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "escalation_tick", "--batch", "50"],
        env=env,
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hazards", type=int, default=20_000)
    parser.add_argument("--due", type=int, default=3_000)
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args()
    os.environ["BENCH_DATABASE_URL"] = os.environ.get("BENCH_KILL_DATABASE_URL", DEFAULT_URL)
    import escalation as bench  # bench/escalation.py

    url = bench.configure(keep=False)
    bench.load(args.hazards, args.due)
    from django.db import connection

    from hazardledger.hazards.history import event_hash
    from hazardledger.hazards.models import Hazard, HazardEvent
    from hazardledger.responsibility.models import Escalation, EscalationStep

    due_ids = set(
        Escalation.objects.filter(next_due_on__lte=time.strftime("%Y-%m-%d")).values_list(
            "pk", flat=True
        )
    )
    failures = []

    # 1. Start the worker; kill it once some batches have committed.
    started = time.perf_counter()
    child = worker(url)
    while child.poll() is None and counts()[0] < len(due_ids) // 3:
        time.sleep(0.05)
    if child.poll() is not None:
        print("the worker finished before it could be killed: use a larger --due")
        return 2
    child.send_signal(signal.SIGKILL)
    child.wait()
    connection.close()
    steps, events = counts()
    print(
        f"killed the worker (exit {child.returncode}) after {time.perf_counter() - started:.1f}s: "
        f"{steps:,} steps recorded, {events:,} escalate events, of {len(due_ids):,} due"
    )
    if steps != events:
        failures.append(f"after the kill: {steps} steps but {events} events")
    if not 0 < steps < len(due_ids):
        failures.append(f"the kill was not mid-run: {steps} of {len(due_ids)}")

    # 2. Start it again and let it finish.
    child = worker(url)
    output, _ = child.communicate(timeout=3600)
    print("restarted worker:", output.decode().strip().splitlines()[-1])
    connection.close()

    # 3. Every due hazard has its step exactly once, in its records and its history.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM responsibility_escalationstep"
            " GROUP BY hazard_id, reason, basis_on, step HAVING count(*) > 1) repeated"
        )
        repeated = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM hazards_hazardevent WHERE action = 'escalate'"
            " GROUP BY hazard_id, data->>'step' HAVING count(*) > 1) repeated"
        )
        repeated_events = cursor.fetchone()[0]
    stepped = set(EscalationStep.objects.values_list("hazard_id", flat=True))
    evented = set(HazardEvent.objects.filter(action="escalate").values_list("hazard_id", flat=True))
    lost = due_ids - stepped
    steps, events = counts()
    print(
        f"after the restart: {steps:,} steps, {events:,} escalate events; "
        f"lost {len(lost)}, repeated {repeated} (records) / {repeated_events} (history)"
    )
    if lost or repeated or repeated_events or stepped != due_ids or evented != due_ids:
        failures.append("a step was lost or repeated")
    broken = 0
    for hazard in Hazard.objects.filter(pk__in=list(due_ids)[:500]):
        # The bench's hazards start with an anchor and no events (seq 1, the genesis hash):
        # the escalate events must follow it, each hashing to what it says.
        prev, seq = "0" * 64, 1
        for event in HazardEvent.objects.filter(hazard=hazard).order_by("seq"):
            seq += 1
            broken += event.seq != seq or event.prev_hash != prev or event_hash(event) != event.hash
            prev = event.hash
        broken += (hazard.history_seq, hazard.history_head) != (seq, prev)
    if broken:
        failures.append(f"{broken} hash chains broken")
    if args.drop:
        bench.drop(url)
    print("FAILED: " + "; ".join(failures) if failures else "OK: no step lost, none repeated")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
