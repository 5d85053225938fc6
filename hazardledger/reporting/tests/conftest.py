"""Shared helpers of the reporting tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import TestCase

from hazardledger.reporting.rollups import rollups_rebuild


def committed() -> Any:
    """Run what a commit would run (the outbox handlers that keep the rollups): a test's own
    transaction never commits."""
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def rebuilt(db: None) -> Any:
    """``rebuilt()``: recompute the rollups from the ledger (as ``rollups_rebuild`` does)."""
    return rollups_rebuild


HAZARD_TABLES = ("daily", "monthly", "current", "hazard_states")


def assert_agrees_with_rebuild(tables: tuple[str, ...] = HAZARD_TABLES) -> None:
    """The rollups as the handlers kept them equal a rebuild from the ledger (``tables``: the
    hazard tables by default; the site tables only agree once the test's sites, which the
    factories make without events, were counted by ``sites_reconcile``)."""
    from hazardledger.reporting.rollups import rollups_snapshot

    kept = rollups_snapshot()
    rollups_rebuild()
    rebuilt = rollups_snapshot()
    for table in tables:
        assert kept[table] == rebuilt[table], table
