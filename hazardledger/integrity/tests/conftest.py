"""Fixtures for the integrity tests: a signing key, a small ledger, and an insider with direct
database access."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from hazardledger.hazards.choices import HazardAction, HazardGrade, HazardStatus
from hazardledger.hazards.services import hazard_record
from hazardledger.hazards.tests.factories import act, hazard_data, hazard_in_state, png_upload
from hazardledger.integrity.keys import generate_key

# The append-only trigger of hazards migration 0002.
TRIGGER = "hazards_history_append_only"


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def key_pair() -> tuple[str, str]:
    pem, public = generate_key()
    return pem.decode(), public


@pytest.fixture
def signing_key(settings: Any, key_pair: tuple[str, str]) -> str:
    """This instance signs with a test key; returns its public key."""
    settings.INTEGRITY_SIGNING_KEY = key_pair[0]
    settings.INTEGRITY_TRUSTED_KEYS = []
    settings.INTEGRITY_INSTANCE = "test-county"
    settings.INTEGRITY_REGION = "4401"
    return key_pair[1]


@contextlib.contextmanager
def insider() -> Iterator[Any]:
    """A cursor of someone with direct database access. On PostgreSQL that is a superuser who
    first switches the history's append-only trigger off (and back on afterwards), as an
    insider with those rights would."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            # The test's transaction has deferred foreign-key checks pending: run them first,
            # ALTER TABLE refuses to run with them pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE hazards_hazardevent DISABLE TRIGGER {TRIGGER}")
        try:
            yield cursor
        finally:
            if postgres:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"ALTER TABLE hazards_hazardevent ENABLE TRIGGER {TRIGGER}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def verify(*args: str) -> tuple[bool, str, str]:
    """Run ``verify_history``: (passed, stdout, stderr)."""
    import io

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_history", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue() + str(exc), err.getvalue()
    return True, out.getvalue(), err.getvalue()


@pytest.fixture
def ledger(users: Any, sites: Any) -> SimpleNamespace:
    """A closed general hazard (recorded with a photo, planned, submitted with a photo,
    accepted: four events) and a major hazard in rectification (recorded, planned, plan
    approved: three events), both at enterprise A's plant."""
    closed = hazard_record(
        actor=users.officer_a,
        site_id=sites.plant_a.pk,
        data=hazard_data(),
        files=[png_upload("found.png")],
    )
    closed = act(closed, HazardAction.PLAN, users.officer_a)
    closed = act(closed, HazardAction.SUBMIT, users.officer_a, files=[png_upload("after.png")])
    closed = act(closed, HazardAction.ACCEPT, users.principal_a)
    major = hazard_in_state(
        status=HazardStatus.RECTIFYING,
        grade=HazardGrade.MAJOR,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
    )
    return SimpleNamespace(closed=closed, major=major)
