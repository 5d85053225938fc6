"""Worker processes for a job that splits its work across cores (the ledger's verification,
the escalation tick).

The processes are *spawned*: each is a fresh interpreter that sets Django up from the
parent's settings module, on the parent's databases (their names included, so that a test
run's workers use the test database). Forking the parent instead would copy whatever its other
threads held at that moment (a web or task worker's threads, a test run's live server and
browser driver); a lock held there stays held in the child forever, and the child hangs.

An in-memory SQLite database cannot be reached from another process: ``processes_possible``
says so, and the callers then do the same work in their own process.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any


def processes_possible() -> bool:
    """Whether worker processes can open the databases this process uses."""
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        # Only SQLite's wrapper has is_in_memory_db.
        if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
            return False
    return True


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes with Django set up on this process's
    databases (each opens its own connections; none of this process's is shared)."""
    from django.db import connections

    names = {alias: connections[alias].settings_dict["NAME"] for alias in connections}
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=_setup,
        initargs=(os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"), names),
    )


def _setup(settings_module: str, names: dict[str, Any]) -> None:
    """A worker process's initializer: the parent's settings, on the parent's databases."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django
    from django.conf import settings

    for alias, name in names.items():
        settings.DATABASES[alias]["NAME"] = name
    django.setup()
