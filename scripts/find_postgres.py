"""Print the PostgreSQL DATABASE_URL for the test run, or nothing when there is none to use.

Which server: an explicit postgres ``DATABASE_URL``; else ``POSTGRES_URL``; else
postgres://postgres@127.0.0.1:5432/hazardledger (a local server trusting user postgres). When
that server is down and a local Debian cluster is installed on its port (``pg_lsclusters``), the
cluster is started (``pg_ctlcluster``) and waited for.

Locally, no server means the PostgreSQL run is skipped: nothing on stdout, the reason on stderr,
exit 0. Under CI (``CI`` set and not "false" or "0") it is an error: the reason on stderr and
exit 1, so that ``make test`` fails rather than pass without the PostgreSQL-only tests (the
append-only history trigger, the races). Under CI an explicit ``DATABASE_URL`` is checked too.

``--ci-only`` checks only under CI and is silent otherwise (``make test`` runs it first, so CI
fails before the long SQLite run, not after it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from urllib.parse import SplitResult, urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hazardledger"
SCHEMES = ("postgres://", "postgresql://")
LOCAL_HOSTS = {"", "127.0.0.1", "localhost", "::1"}
# A cluster that was just started gets this long to accept connections.
START_WAIT_SECONDS = 10


def under_ci() -> bool:
    """True when the ``CI`` variable is set to anything but "", "false" or "0"."""
    return os.environ.get("CI", "").strip().lower() not in {"", "false", "0"}


def redacted(url: str) -> str:
    """``url`` without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    user = f"{parts.username}:***@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=user + netloc))


def _port(parts: SplitResult) -> int:
    try:
        return parts.port or 5432
    except ValueError:
        return 5432


def connect_error(url: str) -> str | None:
    """Why the server of ``url`` cannot be reached (its maintenance database ``postgres``, as
    the test database may not exist yet), or None when it answers."""
    import psycopg

    conninfo = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    try:
        with psycopg.connect(conninfo, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        lines = str(exc).strip().splitlines()
        return lines[0] if lines else type(exc).__name__


def start_local_cluster(url: str) -> bool:
    """Start the local Debian clusters that are down and listen on ``url``'s port; True when
    one was started (and is worth waiting for)."""
    parts = urlsplit(url)
    if (parts.hostname or "") not in LOCAL_HOSTS:
        return False
    if not (shutil.which("pg_lsclusters") and shutil.which("pg_ctlcluster")):
        return False
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"],  # noqa: S607
        check=False,
        capture_output=True,
        text=True,
    )
    started = False
    for line in listing.stdout.splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[2] != str(_port(parts)) or fields[3] != "down":
            continue
        version, cluster = fields[0], fields[1]
        print(f"Starting PostgreSQL cluster {version}/{cluster}", file=sys.stderr)
        result = subprocess.run(  # noqa: S603
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "start"],  # noqa: S607
            check=False,
            capture_output=True,
            text=True,
        )
        if result.returncode == 0:
            started = True
        else:
            print(result.stderr.strip(), file=sys.stderr)
    return started


def main(argv: list[str]) -> int:
    ci = under_ci()
    if "--ci-only" in argv[1:] and not ci:
        return 0
    explicit = os.environ.get("DATABASE_URL", "")
    if explicit.startswith(SCHEMES):
        if not ci:
            print(explicit)
            return 0
        url = explicit
    else:
        url = os.environ.get("POSTGRES_URL", "") or DEFAULT_URL
        if not url.startswith(SCHEMES):
            print(f"POSTGRES_URL must be a postgres:// URL, not {url!r}", file=sys.stderr)
            return 2
    error = connect_error(url)
    if error is not None and start_local_cluster(url):
        deadline = time.monotonic() + START_WAIT_SECONDS
        while error is not None and time.monotonic() < deadline:
            time.sleep(0.5)
            error = connect_error(url)
    if error is None:
        print(url)
        return 0
    if ci:
        print(
            f"PostgreSQL at {redacted(url)} is not reachable ({error}), and CI runs the suite on "
            "PostgreSQL too. Start a server there, install a local Debian cluster on that port "
            "(it is started for you), or point DATABASE_URL or POSTGRES_URL at one.",
            file=sys.stderr,
        )
        return 1
    print(
        f"PostgreSQL at {redacted(url)} is not reachable ({error}): the PostgreSQL run is "
        "skipped (under CI=true it fails instead).",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
