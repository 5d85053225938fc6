"""Print a PostgreSQL DATABASE_URL for the test run, or nothing when no server is reachable.

Order: an explicit postgres DATABASE_URL; else 127.0.0.1:5432 as user postgres; if that is
down and a local cluster is installed (Debian's pg_ctlcluster), start it and try again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

LOCAL_URL = "postgres://postgres@127.0.0.1:5432/hazardledger"


def reachable(url: str) -> bool:
    import psycopg

    conninfo = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(conninfo, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def start_local_cluster() -> None:
    if not shutil.which("pg_ctlcluster") or not os.path.isdir("/etc/postgresql"):
        return
    for version in sorted(os.listdir("/etc/postgresql")):
        subprocess.run(  # noqa: S603
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],  # noqa: S607
            check=False,
            capture_output=True,
        )


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        print(url)
        return 0
    if not reachable(LOCAL_URL):
        start_local_cluster()
        for _ in range(10):
            if reachable(LOCAL_URL):
                break
            time.sleep(1)
        else:
            print("PostgreSQL not reachable: tests run on SQLite only", file=sys.stderr)
            return 0
    print(LOCAL_URL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
