"""A checkpoint held elsewhere proves a restored backup: export it, import it into a second
database restored from a backup (another instance that only trusts the public key), verify;
then tamper with that database and verify again.

The second database is a real one, used by separate ``manage.py`` processes: on SQLite a copy
of the database file (the backup API), on PostgreSQL the test database dumped with
``pg_dump`` and restored with ``pg_restore`` into a new database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection

from hazardledger.integrity.services import checkpoint_create, checkpoint_export

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [pytest.mark.usefixtures("signing_key")]


def _tool(name: str) -> str:
    """The path of one of PostgreSQL's client programs (the Debian package beside the server)."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed (Debian package postgresql-client)")
    return path


@pytest.fixture
def restored(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """A second database restored from a backup of the test database now: its
    ``DATABASE_URL`` and a function that runs SQL in it (as an insider)."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()

        def run_sql(sql: str, params: tuple[Any, ...] = ()) -> None:
            with sqlite3.connect(path) as db:
                db.execute(sql.replace("%s", "?"), params)

        yield f"sqlite:///{path}", run_sql
        return
    import psycopg

    name = connection.settings_dict["NAME"]
    copy = f"{name}_restored"
    admin = {
        k: v
        for k, v in {
            "host": connection.settings_dict["HOST"],
            "port": connection.settings_dict["PORT"],
            "user": connection.settings_dict["USER"],
            "password": connection.settings_dict["PASSWORD"],
        }.items()
        if v
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{copy}" TEMPLATE template0')
    # A backup as an operator takes one (pg_dump, while the application keeps its sessions
    # open: a template copy would need them all closed), restored into the new database.
    client = [f"--host={admin.get('host') or '127.0.0.1'}", f"--port={admin.get('port') or 5432}"]
    client += [f"--username={admin['user']}"] if admin.get("user") else []
    env = {**os.environ, **({"PGPASSWORD": admin["password"]} if admin.get("password") else {})}

    dump = subprocess.run(  # noqa: S603 - PostgreSQL's own client tools
        [_tool("pg_dump"), "--format=custom", *client, name],
        env=env,
        capture_output=True,
        check=True,
    )
    subprocess.run(  # noqa: S603
        [_tool("pg_restore"), "--no-owner", "--exit-on-error", *client, f"--dbname={copy}"],
        input=dump.stdout,
        env=env,
        capture_output=True,
        check=True,
    )

    def run_sql(sql: str, params: tuple[Any, ...] = ()) -> None:
        with psycopg.connect(dbname=copy, autocommit=True, **admin) as db:
            db.execute("ALTER TABLE hazards_hazardevent DISABLE TRIGGER USER")
            db.execute(sql, params)
            db.execute("ALTER TABLE hazards_hazardevent ENABLE TRIGGER USER")

    s = connection.settings_dict
    auth = f"{s['USER']}:{s['PASSWORD']}@" if s["PASSWORD"] else f"{s['USER']}@"
    try:
        yield f"postgres://{auth}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{copy}", run_sql
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def _manage(database_url: str, public_key: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``manage.py`` of the instance that holds the copy: it trusts the county's public key
    and has no signing key of its own."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "restored-instance",
        "INTEGRITY_SIGNING_KEY": "",
        "INTEGRITY_TRUSTED_KEYS": public_key,
        "INTEGRITY_INSTANCE": django_settings.INTEGRITY_INSTANCE,
        "INTEGRITY_REGION": django_settings.INTEGRITY_REGION,
        "LANGUAGE_CODE": "en",
    }
    env.pop("INTEGRITY_SIGNING_KEY_FILE", None)
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_checkpoint_imported_into_a_restored_backup_verifies_until_it_is_tampered_with(
    ledger, restored, signing_key, tmp_path
):
    database_url, run_sql = restored
    # The backup was taken before the checkpoint: the restored database holds no checkpoint and
    # its audit entries are not sealed.
    checkpoint = checkpoint_create().checkpoint
    exported = tmp_path / "checkpoint-1.json.gz"
    exported.write_bytes(checkpoint_export(checkpoint=checkpoint))

    imported = _manage(database_url, signing_key, "checkpoint_import", str(exported))
    assert imported.returncode == 0, imported.stderr
    assert "imported test-county #1" in imported.stdout

    passed = _manage(database_url, signing_key, "verify_history")
    assert passed.returncode == 0, passed.stderr
    assert "0 problem(s)" in passed.stdout
    assert "Checkpoints #1–#1 (1 trusted)" in passed.stdout

    hazard = ledger.closed
    run_sql("UPDATE hazards_hazard SET status = 'rectifying' WHERE id = %s", (hazard.pk,))
    failed = _manage(database_url, signing_key, "verify_history")
    assert failed.returncode == 1
    assert (
        f"hazard {hazard.pk}: status is rectifying, but its history says closed (event 4)"
        in failed.stderr
    )
    assert "proof: checkpoint #1 of test-county" in failed.stderr


@pytest.mark.django_db(transaction=True)
def test_a_full_export_alone_proves_a_backup_and_shows_one_older_than_it(
    ledger, restored, signing_key, tmp_path
):
    """An office that starts holding copies late gets one file with every hazard's head: the
    verification needs no earlier checkpoint, and shows a database rolled back behind it."""
    database_url, _run_sql = restored
    first = checkpoint_create().checkpoint
    full_first = tmp_path / "checkpoint-1-full.json.gz"
    full_first.write_bytes(checkpoint_export(checkpoint=first, full=True))
    passed = _manage(database_url, signing_key, "verify_history", "--checkpoint", str(full_first))
    assert passed.returncode == 0, passed.stderr

    from hazardledger.hazards.choices import HazardAction
    from hazardledger.hazards.tests.factories import act

    act(ledger.major, HazardAction.SUBMIT, ledger.major.plans.get().created_by)
    second = checkpoint_create().checkpoint
    assert second.number == 2 and second.document["hazards"]["changed"] == 1
    full_second = tmp_path / "checkpoint-2-full.json.gz"
    full_second.write_bytes(checkpoint_export(checkpoint=second, full=True))
    # The backup predates the submission: the copy's major hazard is one event behind.
    failed = _manage(database_url, signing_key, "verify_history", "--checkpoint", str(full_second))
    assert failed.returncode == 1
    assert (
        f"hazard {ledger.major.pk} event 4: missing: the history ends at event 3, but the "
        "checkpoint holds 4 events" in failed.stderr
    )
