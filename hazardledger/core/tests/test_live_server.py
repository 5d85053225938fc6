"""The browser tests' live server on the in-memory SQLite database serves one user of the
database at a time (hazardledger/core/tests/live_server.py): two at once on the shared
connection could freeze the whole test process, as it once froze CI for 90 minutes."""

from __future__ import annotations

import subprocess
import sys
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from hazardledger.core.tests.live_server import LOCK, OneRequestAtATime
from hazardledger.hazards.tests.factories import record
from hazardledger.registry.models import Site
from hazardledger.reporting.tests.conftest import committed

ROOT = Path(__file__).resolve().parents[3]
PROBE = "hazardledger.core.tests.sqlite_threads_probe"


def _probe(mode: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our interpreter, our module
        [sys.executable, "-m", PROBE, mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the probe runs on its own SQLite database: once"
)
def test_threads_sharing_the_connection_no_longer_freeze():
    result = _probe("locked", timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    # The same threads on Django's own connection: Python's sqlite3 freezes for good.
    try:
        result = _probe("plain", timeout=10)
    except subprocess.TimeoutExpired:
        return
    pytest.skip(f"this Python's sqlite3 does not freeze here ({result.stdout.strip()!r})")


def test_a_request_waits_until_the_one_before_has_closed_its_response():
    entered = []

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        entered.append(environ["PATH_INFO"])
        return [b"body"]

    server_app = OneRequestAtATime(app)
    first = server_app({"PATH_INFO": "/first"}, None)
    second_done = threading.Event()

    def second_request() -> None:
        body = server_app({"PATH_INFO": "/second"}, None)
        assert list(body) == [b"body"]
        body.close()
        second_done.set()

    thread = threading.Thread(target=second_request)
    thread.start()
    # The first response has been sent but not closed: the second request has not come in.
    assert list(first) == [b"body"]
    assert not second_done.wait(0.3)
    assert entered == ["/first"]
    first.close()
    assert second_done.wait(5)
    thread.join(5)
    assert entered == ["/first", "/second"]


def test_a_request_that_fails_lets_the_next_one_in():
    def app(environ, start_response):  # type: ignore[no-untyped-def]
        if environ["PATH_INFO"] == "/boom":
            raise RuntimeError("boom")
        return [b"ok"]

    server_app = OneRequestAtATime(app)
    with pytest.raises(RuntimeError):
        server_app({"PATH_INFO": "/boom"}, None)
    body = server_app({"PATH_INFO": "/fine"}, None)
    assert list(body) == [b"ok"]
    body.close()
    assert LOCK.acquire(blocking=False)
    LOCK.release()


def test_pages_loading_side_by_side_all_answer(live_server, users, sites):
    """Requests four at a time, of the charts (whose SQL calls Django's Python date functions)
    and the bell, while the test itself queries the database: every one answers."""
    for _ in range(5):
        with committed():
            record(sites.plant_a, users.officer_a)
    client = Client()
    client.force_login(users.officer_a)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    urls = [
        live_server.url + reverse("reporting:enterprise-charts"),
        live_server.url + reverse("notifications:notice-bell"),
    ]

    def fetch(index: int) -> int:
        request = urllib.request.Request(  # noqa: S310 - our server's http URLs
            urls[index % 2], headers={"Cookie": cookie}
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our server
            return int(response.status)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = pool.map(fetch, range(24))
        assert Site.objects.filter(organisation=users.officer_a.organisation).count() == 1
        assert list(answers) == [200] * 24
    if connection.vendor == "sqlite":
        assert LOCK.acquire(blocking=False)  # no request kept the database to itself
        LOCK.release()
