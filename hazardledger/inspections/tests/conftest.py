"""Fixtures for the inspections tests: media in a temporary directory, the shipped checklists
loaded, a phone-sized browser, and helpers that build sync documents and commit."""

from __future__ import annotations

import base64
import io
import uuid
from datetime import date
from typing import Any

import pytest
from django.test import TestCase
from PIL import Image

from hazardledger.hazards.choices import HazardGrade
from hazardledger.hazards.services import hazard_record
from hazardledger.hazards.tests.factories import hazard_data, png_upload
from hazardledger.hazards.workflow import hazard_transition
from hazardledger.inspections.checklists import checklists_load_shipped
from hazardledger.inspections.models import Checklist
from hazardledger.inspections.selectors import checklist_items_for_site


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def checklists(db: None) -> dict[str, Checklist]:
    """The shipped checklists, loaded as they are by ``manage.py load_checklists``."""
    checklists_load_shipped()
    return {c.code: c for c in Checklist.objects.filter(is_current=True)}


def committed() -> Any:
    """``with committed(): …``: run what the block registers on commit when it ends, as the
    commit of an entry point's transaction would (uploaded files are written, outbox events
    dispatched). A test's own transaction never commits, so without this nothing would be."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def png_data_url(colour: str = "black", size: tuple[int, int] = (40, 20)) -> str:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def sync_document(
    inspection: Any, *, fail: dict[str, str] | None = None, **overrides: Any
) -> dict[str, Any]:
    """A complete, valid submission: every item passes except those in ``fail`` (code: note)."""
    fail = fail or {}
    results = []
    for item in checklist_items_for_site(checklist=inspection.checklist, site=inspection.site):
        outcome = "fail" if item.code in fail else "pass"
        results.append(
            {
                "uuid": str(uuid.uuid4()),
                "item": item.pk,
                "outcome": outcome,
                "note": fail.get(item.code, ""),
                "photos": [png_data_url("red")] if outcome == "fail" else [],
            }
        )
    document = {
        "inspection": str(inspection.uuid),
        "submission": str(uuid.uuid4()),
        "finished_at": "2026-03-06T10:00:00+08:00",
        "position": {"latitude": 23.1, "longitude": 113.3, "accuracy": 12},
        "note": "",
        "signatures": {
            "inspector": png_data_url(),
            "site": png_data_url(),
            "site_representative": "张三",
        },
        "results": results,
    }
    document.update(overrides)
    return document


def submitted_major_hazard(users: Any, sites: Any) -> Any:
    """A major hazard at plant A whose rectification enterprise A has submitted for
    acceptance (what a re-check decides on), moved through the ledger's own services."""
    hazard = hazard_record(
        actor=users.officer_a, site_id=sites.plant_a.pk, data=hazard_data(HazardGrade.MAJOR)
    )
    plan = {
        "responsible_person": "李四",
        "measures": "更换报警器",
        "funds": "5000",
        "deadline": date.today(),
        "contingency_plan": "停产撤人",
        "governance_programme": "方案",
    }
    hazard = hazard_transition(
        hazard=hazard,
        action="plan",
        actor=users.officer_a,
        expected_version=hazard.version,
        data=plan,
    )
    # A major hazard's plan is approved by the enterprise's principal first (issue 12).
    hazard = hazard_transition(
        hazard=hazard,
        action="approve_plan",
        actor=users.principal_a,
        expected_version=hazard.version,
    )
    return hazard_transition(
        hazard=hazard,
        action="submit",
        actor=users.officer_a,
        expected_version=hazard.version,
        comment="已整改",
        files=[png_upload()],
    )


@pytest.fixture
def phone(browser, live_server):  # type: ignore[no-untyped-def]
    """A fresh phone-sized browser context (touch, GPS allowed) in Chinese."""
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        permissions=["geolocation"],
        geolocation={"latitude": 23.1066, "longitude": 113.4590, "accuracy": 10},
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.base_url = live_server.url  # type: ignore[attr-defined]
    yield tab
    context.close()
