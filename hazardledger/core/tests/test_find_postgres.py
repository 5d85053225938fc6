"""``make test`` under CI cannot pass without PostgreSQL (scripts/find_postgres.py, Makefile).

Locally, no reachable server means the PostgreSQL run is skipped with a message; under CI it
fails, so the PostgreSQL-only tests (append-only history, races) cannot silently go unrun. An
unreachable server is simulated with ``POSTGRES_URL`` on a port nothing listens on (and no local
cluster is configured for, so nothing is started).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "find_postgres.py"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def dead_url() -> str:
    return f"postgres://postgres:s3cret@127.0.0.1:{_free_port()}/hazardledger"


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"CI", "DATABASE_URL", "POSTGRES_URL"}}
    env.update(values)
    return env


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, str(SCRIPT), *args],
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_under_ci_an_unreachable_postgres_fails(dead_url: str) -> None:
    result = _run(CI="true", POSTGRES_URL=dead_url)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "is not reachable" in result.stderr
    assert "CI runs the suite on PostgreSQL" in result.stderr


@pytest.mark.parametrize("ci", ["", "false", "0", "FALSE"])
def test_locally_an_unreachable_postgres_is_skipped_with_a_message(dead_url: str, ci: str) -> None:
    result = _run(CI=ci, POSTGRES_URL=dead_url)
    assert result.returncode == 0
    assert result.stdout == ""
    assert "the PostgreSQL run is skipped" in result.stderr


def test_under_ci_an_explicit_database_url_is_checked(dead_url: str) -> None:
    assert _run(CI="1", DATABASE_URL=dead_url).returncode == 1
    # Locally an explicit URL is taken as given: the tests then fail on it, loudly.
    local = _run(DATABASE_URL=dead_url)
    assert (local.returncode, local.stdout.strip()) == (0, dead_url)


def test_the_message_hides_the_password(dead_url: str) -> None:
    result = _run(CI="true", POSTGRES_URL=dead_url)
    assert "s3cret" not in result.stderr
    assert "postgres:***@127.0.0.1" in result.stderr


def test_the_early_check_is_silent_locally_and_fails_under_ci(dead_url: str) -> None:
    local = _run("--ci-only", POSTGRES_URL=dead_url)
    assert (local.returncode, local.stdout, local.stderr) == (0, "", "")
    assert _run("--ci-only", CI="yes", POSTGRES_URL=dead_url).returncode == 1


def test_a_reachable_server_is_printed() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("the suite is not running on PostgreSQL")
    result = _run(CI="true", POSTGRES_URL=url)
    assert (result.returncode, result.stdout.strip()) == (0, url)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(("ci", "fails"), [("true", True), ("", False)])
def test_make_test_postgres_fails_under_ci_without_postgres(
    dead_url: str, ci: str, fails: bool
) -> None:
    # Should the script wrongly name a server, pytest only collects: this test must not start
    # a second test run. Its own session, so that a timeout stops make's children too.
    env = _env(CI=ci, POSTGRES_URL=dead_url, PYTEST_ADDOPTS="--collect-only -p no:xdist")
    make = subprocess.Popen(
        ["make", "--no-print-directory", "test-postgres"],  # noqa: S607
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = make.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(make.pid, signal.SIGKILL)
    assert (make.returncode != 0) is fails
    assert "Test suite on PostgreSQL" not in output
    if not fails:
        assert "PostgreSQL not reachable: skipped" in output
