"""Helpers for the listing tests: take a major hazard through the workflow to closed."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hazardledger.hazards.choices import HazardAction, HazardStatus
from hazardledger.hazards.history import verify_chain
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.tests.factories import act, pdf_upload, png_upload


def close_major_hazard(hazard: Hazard, users: SimpleNamespace) -> Hazard:
    """Enterprise A plans, its principal approves the plan, its safety officer submits with a
    third-party evaluation report (the application to resume of a listed hazard), and the
    Guangzhou inspector accepts: the major path of the workflow, each step a real action."""
    hazard = act(hazard, HazardAction.PLAN, users.officer_a)
    hazard = act(hazard, HazardAction.APPROVE_PLAN, users.principal_a)
    hazard = act(
        hazard,
        HazardAction.SUBMIT,
        users.officer_a,
        data={"evaluator": "third_party", "evaluation_body": "广东安评技术服务有限公司"},
        files=[png_upload(), pdf_upload("安全评价报告.pdf")],
    )
    hazard = act(hazard, HazardAction.ACCEPT, users.inspector_a)
    assert hazard.status == HazardStatus.CLOSED
    return hazard


def history_problems(hazard: Hazard) -> list[Any]:
    """What ``verify_chain`` finds wrong with the hazard's stored history (empty: intact)."""
    hazard.refresh_from_db()
    return verify_chain(
        hazard_id=hazard.pk,
        head=hazard.history_head,
        length=hazard.history_seq,
        events=hazard.events.order_by("seq"),
    )
