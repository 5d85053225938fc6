"""Three threads querying through one shared in-memory SQLite connection, as the live server's
request threads and a browser test do (run by test_live_server.py).

Each query calls Django's Python date function inside SQLite and binds a parameter: the
combination that freezes Python's ``sqlite3``. With the argument ``locked`` the threads use the
connection as ``hazardledger.core.tests.live_server`` serialises it, with ``plain`` as Django
leaves it. The script prints "ok" and exits after two seconds in which every thread has run
queries, or hangs for good.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import SimpleNamespace


def main(mode: str) -> None:
    import django
    from django.conf import settings

    settings.configure(
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": "file:probe?mode=memory&cache=shared",
            }
        },
        USE_TZ=True,
    )
    django.setup()
    from django.db import connections

    # The wrapper object itself (``django.db.connection`` would give each thread its own).
    connection = connections["default"]

    from hazardledger.core.tests.live_server import serialised

    connection.inc_thread_sharing()
    if mode == "locked":
        serialised(
            SimpleNamespace(
                connections_override={"default": connection}, static_handler=lambda app: app
            )
        )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE found (day TEXT)")
        cursor.executemany(
            "INSERT INTO found VALUES (%s)",
            [
                (f"{y}-{m:02}-{d:02}",)
                for y in range(2000, 2027)
                for m in range(1, 13)
                for d in range(1, 29)
            ],
        )
    counts = [0, 0, 0]

    def query(index: int) -> None:
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT django_date_trunc('month', day, NULL, NULL) FROM found WHERE day > %s",
                    [f"20{index:02}-01-01"],
                )
                cursor.fetchall()
            counts[index] += 1

    for index in range(3):
        threading.Thread(target=query, args=(index,), daemon=True).start()
    start = time.monotonic()
    while time.monotonic() - start < 2:
        time.sleep(0.1)
    assert all(counts), counts
    print("ok", flush=True)
    os._exit(0)  # the threads are still querying: no waiting for them at exit


if __name__ == "__main__":
    main(sys.argv[1])
