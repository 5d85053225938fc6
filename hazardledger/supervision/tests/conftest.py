"""Fixtures for the supervision tests: media in a temporary directory, and a regulatory
inspection of plant A that found a major and a general hazard, confirmed in the ledger, by an
inspector whose bureau numbers its orders."""

from __future__ import annotations

import base64
import io
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import TestCase
from PIL import Image

from hazardledger.hazards.choices import InterimMeasure
from hazardledger.inspections.checklists import checklists_load_shipped
from hazardledger.inspections.models import Checklist, HazardDraft
from hazardledger.inspections.services import hazard_draft_confirm, inspection_plan
from hazardledger.inspections.sync import inspection_sync
from hazardledger.inspections.tests.conftest import sync_document

FAIL = {"hc-12": "2号罐区可燃气体报警器缺失", "hc-g01": "罐区入口警示标志褪色"}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def committed() -> Any:
    """Run what the block registers on commit when it ends (files written, events sent)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def png_bytes(size: tuple[int, int] = (120, 40), colour: str = "black") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def png_data_url(size: tuple[int, int] = (120, 40)) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(size)).decode()


def found_by_inspection(actor: Any, site: Any, checklist: Checklist) -> SimpleNamespace:
    """A submitted routine inspection of ``site`` whose two failed items are confirmed as a
    major and a general hazard."""
    inspection = inspection_plan(
        actor=actor,
        site=site,
        kind="routine",
        checklist=checklist,
        planned_on=date.today(),
        start=True,
    )
    with committed():
        inspection_sync(
            actor=actor, inspection=inspection, document=sync_document(inspection, fail=FAIL)
        )
    inspection.refresh_from_db()
    drafts = {
        d.result.item.code: d
        for d in HazardDraft.objects.filter(inspection=inspection).select_related("result__item")
    }
    with committed():
        major = hazard_draft_confirm(
            actor=actor,
            draft=drafts["hc-12"],
            data={"interim_measures": [InterimMeasure.PEOPLE_WITHDRAWN]},
        )
        general = hazard_draft_confirm(actor=actor, draft=drafts["hc-g01"], data={})
    return SimpleNamespace(inspection=inspection, major=major, general=general)


@pytest.fixture
def world(orgs, users, sites) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    """Guangzhou's bureau with its order prefix, its inspector with an enforcement ID, and an
    inspection of plant A with two hazards to order."""
    checklists_load_shipped()
    orgs.gz_em.order_prefix = "穗应急责改"
    orgs.gz_em.save(update_fields=["order_prefix"])
    users.inspector_a.enforcement_id = "44010120260017"
    users.inspector_a.save(update_fields=["enforcement_id"])
    checklist = Checklist.objects.get(code="hazardous_chemicals", is_current=True)
    found = found_by_inspection(users.inspector_a, sites.plant_a, checklist)
    return SimpleNamespace(site=sites.plant_a, **vars(found))
