"""``make demo`` runs the web server, the task worker and the scheduler as one unit
(scripts/serve_demo.py): Ctrl+C, or the web server exiting, stops all three and leaves no
process behind.

The supervisor runs for real on a throw-away SQLite database, in its own session as a terminal
would run it; every process it starts carries a marker in its environment, so that the test
finds them all in /proc (runserver's and db_worker's reloader children included).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "serve_demo.py"
PROC = Path("/proc")

pytestmark = [
    pytest.mark.skipif(not PROC.is_dir(), reason="finds processes through /proc"),
    # The demo runs on its own SQLite file whatever the suite's database: once, in the SQLite
    # run of the suite.
    pytest.mark.skipif(connection.vendor != "sqlite", reason="runs on its own SQLite file"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _marked(marker: str) -> dict[int, str]:
    """The live processes whose environment holds ``marker``: pid -> command line."""
    found = {}
    needle = marker.encode()
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            status = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # gone meanwhile, or not ours
            continue
        if status != "Z":
            found[int(entry.name)] = command
    return found


def _wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our server
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite database for the demo's processes (not the test database)."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    url = f"sqlite:///{path}"
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        timeout=300,
    )
    return url


@pytest.fixture
def demo(database: str, tmp_path: Path) -> Iterator[dict[str, object]]:
    """The supervisor, started in its own session with a marker; whatever the test does, every
    marked process is killed at the end."""
    marker = f"HL_SERVE_DEMO_TEST={uuid.uuid4().hex}"
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "DEBUG": "1",
        # The test run sets the immediate backend; the demo's worker uses the database.
        "TASKS_BACKEND": "database",
        marker.split("=")[0]: marker.split("=")[1],
    }
    log = (tmp_path / "serve.log").open("w")
    supervisor = subprocess.Popen(  # noqa: S603
        [sys.executable, str(SCRIPT), f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/accounts/login/"
        _wait_for(lambda: _answers(url), 60, "the web server")
        commands = " | ".join(_marked(marker).values())
        assert "db_worker" in commands and "run_scheduler" in commands, commands
        yield {"supervisor": supervisor, "marker": marker, "log": tmp_path / "serve.log"}
    finally:
        for pid in [supervisor.pid, *_marked(marker)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            supervisor.wait(timeout=10)
        log.close()


def test_ctrl_c_stops_the_web_server_the_worker_and_the_scheduler(demo):  # type: ignore[no-untyped-def]
    supervisor, marker = demo["supervisor"], demo["marker"]
    # Ctrl+C: the terminal sends SIGINT to its foreground process group (make and the
    # supervisor); the children run in their own sessions and hear it from the supervisor.
    os.killpg(supervisor.pid, signal.SIGINT)
    assert supervisor.wait(timeout=30) == 0
    _wait_for(lambda: not _marked(marker), 10, "every demo process to stop")


def test_the_web_server_exiting_stops_the_worker_and_the_scheduler(demo):  # type: ignore[no-untyped-def]
    supervisor, marker = demo["supervisor"], demo["marker"]
    web = [
        pid
        for pid, command in _marked(marker).items()
        if "runserver" in command and os.getpgid(pid) == pid
    ]
    assert len(web) == 1
    os.kill(web[0], signal.SIGKILL)
    assert supervisor.wait(timeout=30) == 128 + signal.SIGKILL
    _wait_for(lambda: not _marked(marker), 10, "every demo process to stop")
    assert "web exited" in demo["log"].read_text()
