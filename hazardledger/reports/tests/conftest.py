"""Shared data of the reports tests: a small ledger built through the real services, at fixed
dates (time-machine), with the rollups kept by their outbox handlers as in production.

``gz_ledger`` builds, for Guangzhou (enterprise A's tank farm in Huangpu, enterprise B's
factory in Panyu) and Shenzhen (enterprise C), hazards found in October and November 2026 in
several states; the test then stands on 20 November 2026 (``TODAY``).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import TestCase
from PIL import Image

from hazardledger.accounts.choices import Role
from hazardledger.accounts.tests.factories import UserFactory
from hazardledger.core.env import env_bool
from hazardledger.hazards.choices import HazardAction, HazardGrade, HazardSource, HazardStatus
from hazardledger.hazards.tests.factories import act, plan_approved, record
from hazardledger.reporting.rollups import rollups_time_sweep, sites_reconcile

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 20)


def at(day: date, hour: int = 10) -> Any:
    """Travel to ``day`` at ``hour`` local time (time-machine), the clock standing still."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=TZ), tick=False)


def committed() -> Any:
    """Run what a commit runs (outbox handlers keeping the rollups, tasks, files)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def png_data_url(colour: str = "black") -> str:
    import base64

    out = io.BytesIO()
    Image.new("RGB", (120, 40), colour).save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def pdf_text(data: bytes) -> str:
    """The text of a PDF, as poppler's ``pdftotext -layout`` reads it (pypdf is not a
    dependency). Missing poppler fails under CI, skips locally."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        if env_bool("CI", False):
            pytest.fail("pdftotext (poppler-utils) is not installed")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(  # noqa: S603 - a fixed program reading our own bytes
        [pdftotext, "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def officer_c(orgs: SimpleNamespace) -> Any:
    return UserFactory(username="officer_c", role=Role.ENTERPRISE_OFFICER, organisation=orgs.ent_c)


@pytest.fixture
def gz_ledger(users: SimpleNamespace, sites: SimpleNamespace, officer_c: Any) -> SimpleNamespace:
    """The ledger described in the module docstring; returns the hazards by name."""
    a, b = users.officer_a, users.officer_b
    inspector = users.inspector_a
    made: dict[str, Any] = {}
    with at(date(2026, 10, 8)), committed():
        made["oct_closed"] = record(sites.plant_a, a, found_on=date(2026, 10, 6))
        act(made["oct_closed"], HazardAction.FIX, a)
        act(made["oct_closed"], HazardAction.CONFIRM, a)
        made["oct_open"] = record(sites.factory_b, b, found_on=date(2026, 10, 7))
        made["oct_major"] = record(
            sites.plant_a,
            inspector,
            HazardGrade.MAJOR,
            found_on=date(2026, 10, 8),
            source=HazardSource.REGULATORY_INSPECTION,
        )
        plan_approved(made["oct_major"], a)
        made["sz_oct"] = record(sites.shenzhen_c, officer_c, found_on=date(2026, 10, 8))
    with at(date(2026, 11, 5)), committed():
        made["nov_fixed"] = record(sites.plant_a, a, found_on=date(2026, 11, 3))
        act(made["nov_fixed"], HazardAction.FIX, a)
        act(made["nov_fixed"], HazardAction.CONFIRM, a)
        made["nov_b_fixed"] = record(sites.factory_b, b, found_on=date(2026, 11, 4))
        act(made["nov_b_fixed"], HazardAction.FIX, b)
        act(made["nov_b_fixed"], HazardAction.CONFIRM, b)
        made["nov_rectifying"] = record(sites.factory_b, b, found_on=date(2026, 11, 5))
        plan_approved(made["nov_rectifying"], b)
        made["nov_major"] = record(
            sites.plant_a,
            inspector,
            HazardGrade.MAJOR,
            found_on=date(2026, 11, 5),
            source=HazardSource.REGULATORY_INSPECTION,
        )
        made["nov_void"] = record(sites.plant_a, a, found_on=date(2026, 11, 5))
        act(made["nov_void"], HazardAction.VOID, inspector)
        made["sz_nov"] = record(sites.shenzhen_c, officer_c, found_on=date(2026, 11, 5))
    with at(date(2026, 11, 18)), committed():
        # Closed in November, found in October: counts as closed in the month, not found.
        act(made["oct_open"], HazardAction.FIX, b)
        act(made["oct_open"], HazardAction.CONFIRM, b)
    with at(TODAY), committed():
        # The hourly sweep the scheduler runs: it turns overdue the hazards whose deadline
        # passed, and counts the sites made by the factories (without the registry's events).
        rollups_time_sweep()
        sites_reconcile()
    for name, hazard in made.items():
        hazard.refresh_from_db()
        made[name] = hazard
    assert made["nov_void"].status == HazardStatus.VOIDED
    return SimpleNamespace(**made)
