"""Test data for the hazard ledger, built through the real services (Zulip's rule), so every
hazard has a history the state machine produced.

What waits for a transaction to commit (evidence files, outbox dispatch) does not run in a
test's own transaction, which never commits: a test that reads stored files wraps the action
in ``django_capture_on_commit_callbacks(execute=True)``, as the request's commit would."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hazardledger.hazards.choices import (
    HazardAction,
    HazardCategory,
    HazardGrade,
    HazardSource,
    HazardStatus,
    InterimMeasure,
    ListingLevel,
    ProductionStop,
    SignOff,
    VoidReason,
    WorkforceNotice,
)
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.services import hazard_record
from hazardledger.hazards.workflow import hazard_transition


def png_upload(
    name: str = "photo.png", colour: str = "red", size: tuple[int, int] = (64, 48)
) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def pdf_upload(name: str = "report.pdf") -> SimpleUploadedFile:
    data = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def hazard_data(grade: str = HazardGrade.GENERAL, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "location": "2号储罐区",
        "description": "储罐区可燃气体报警器失效，未及时修复",
        "category": HazardCategory.EQUIPMENT,
        "grade": grade,
        "grade_basis": "",
        "source": HazardSource.SELF_INSPECTION,
        "found_on": local_today(),
        "found_by_name": "",
        "interim_measures": [],
        "interim_note": "",
    }
    if grade == HazardGrade.MAJOR:
        data["grade_basis"] = "危险化学品重大隐患判定标准 第十一条"
        data["interim_measures"] = [InterimMeasure.PEOPLE_WITHDRAWN, InterimMeasure.STOPPED_PARTLY]
    data.update(overrides)
    return data


def plan_data(deadline: date | None = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "responsible_unit": "设备部",
        "responsible_person": "张工",
        "measures": "更换可燃气体报警器并校验联锁",
        "funds": Decimal("12000.00"),
        "deadline": deadline or local_today() + timedelta(days=30),
        "contingency_plan": "停用2号罐，设置警戒区",
        "governance_programme": "目标：消除隐患；方法：更换报警器；经费：1.2万元；时限：30天",
    }
    data.update(overrides)
    return data


def _other_grade(hazard: Hazard) -> dict[str, Any]:
    grade = HazardGrade.GENERAL if hazard.is_major else HazardGrade.MAJOR
    return {"grade": grade, "clause": "危险化学品重大隐患判定标准 第十一条"}


# Inputs of the actions that need one, for a test that does not care which (``act``).
DEFAULT_DATA: dict[str, Any] = {
    HazardAction.REOPEN: lambda hazard: {"deadline": local_today() + timedelta(days=60)},
    HazardAction.UPDATE_INTERIM: lambda hazard: {
        "interim_measures": [InterimMeasure.WARNINGS_POSTED],
        "interim_note": "设置警示标志",
    },
    HazardAction.REGRADE: _other_grade,
    HazardAction.NOTIFY_WORKFORCE: lambda hazard: {
        "notified_on": local_today(),
        "method": WorkforceNotice.NOTICE_BOARD,
    },
    HazardAction.SIGN_OFF: lambda hazard: {
        "kind": SignOff.DEPARTMENT_HEAD,
        "name": "李局长",
        "post": "局长",
        "signed_on": local_today(),
    },
    HazardAction.ORDER: lambda hazard: {
        "order_id": 1,
        "document_number": "穗应急责改〔2026〕1号",
        "deadline": local_today() + timedelta(days=20),
    },
    HazardAction.LIST: lambda hazard: {
        "listing_id": 1,
        "level": ListingLevel.CITY,
        "body": "广州市安委办",
        "document_number": "穗安办督〔2026〕1号",
        "required_by": local_today() + timedelta(days=45),
        "stop": ProductionStop.PART,
    },
    HazardAction.DELIST: lambda hazard: {
        "listing_id": 1,
        "document_number": "穗安办摘〔2026〕1号",
    },
    HazardAction.ESCALATE: lambda hazard: {
        "step": "county",
        "reason": "overdue",
        "region_code": hazard.region_id[:6],
        "days": 7,
    },
    HazardAction.URGE: lambda hazard: {
        "message": "请立即整改",
        "region_code": hazard.region_id[:4],
    },
}


def act(hazard: Hazard, action: str, actor: Any, **kwargs: Any) -> Hazard:
    """Apply one move with the hazard's current version (the usual, non-stale case)."""
    hazard.refresh_from_db()
    if action in (HazardAction.FIX, HazardAction.SUBMIT) and "files" not in kwargs:
        kwargs["files"] = [png_upload()]
    if action == HazardAction.PLAN and "data" not in kwargs:
        kwargs["data"] = plan_data()
    if action == HazardAction.VOID and "data" not in kwargs:
        kwargs["data"] = {"void_reason": VoidReason.ERROR}
    if action == HazardAction.REQUEST_EXTENSION and "data" not in kwargs:
        kwargs["data"] = {
            "requested_deadline": (hazard.deadline or local_today()) + timedelta(days=15)
        }
    if action in DEFAULT_DATA and "data" not in kwargs:
        kwargs["data"] = DEFAULT_DATA[action](hazard)
    if action == HazardAction.SIGN_OFF and "files" not in kwargs:
        kwargs["files"] = [pdf_upload("signed.pdf")]
    kwargs.setdefault("comment", "说明")
    return hazard_transition(
        hazard=hazard, action=action, actor=actor, expected_version=hazard.version, **kwargs
    )


def record(site: Any, actor: Any, grade: str = HazardGrade.GENERAL, **overrides: Any) -> Hazard:
    return hazard_record(actor=actor, site_id=site.pk, data=hazard_data(grade, **overrides))


def plan_approver(hazard: Hazard, responsible: Any) -> Any:
    """Who approves a major hazard's plan: the enterprise's principal (one is made when the
    enterprise has none), or for a site without an enterprise the township's ``responsible``."""
    from hazardledger.accounts.choices import Role
    from hazardledger.accounts.models import User
    from hazardledger.accounts.tests.factories import UserFactory

    if hazard.organisation_id is None:
        return responsible
    principal = User.objects.filter(
        organisation_id=hazard.organisation_id, role=Role.ENTERPRISE_PRINCIPAL, is_active=True
    ).first()
    return principal or UserFactory(
        role=Role.ENTERPRISE_PRINCIPAL, organisation=hazard.organisation
    )


def plan_approved(hazard: Hazard, responsible: Any, **kwargs: Any) -> Hazard:
    """File the plan and, for a major hazard, have it approved: the hazard is rectifying."""
    hazard = act(hazard, HazardAction.PLAN, responsible, **kwargs)
    if hazard.status == HazardStatus.PLAN_PENDING:
        hazard = act(hazard, HazardAction.APPROVE_PLAN, plan_approver(hazard, responsible))
    return hazard


# How to reach each status from "recorded": (action, which actor) steps.
PATHS: dict[str, list[tuple[str, str]]] = {
    HazardStatus.RECORDED: [],
    HazardStatus.PLAN_PENDING: [(HazardAction.PLAN, "responsible")],
    HazardStatus.RECTIFYING: [(HazardAction.PLAN, "responsible")],
    HazardStatus.FIXED: [(HazardAction.FIX, "responsible")],
    HazardStatus.SUBMITTED: [
        (HazardAction.PLAN, "responsible"),
        (HazardAction.SUBMIT, "responsible"),
    ],
    HazardStatus.CLOSED: [
        (HazardAction.PLAN, "responsible"),
        (HazardAction.SUBMIT, "responsible"),
        (HazardAction.ACCEPT, "acceptor"),
    ],
    HazardStatus.VOIDED: [(HazardAction.VOID, "regulator")],
    HazardStatus.REOPENED: [
        (HazardAction.PLAN, "responsible"),
        (HazardAction.SUBMIT, "responsible"),
        (HazardAction.ACCEPT, "acceptor"),
        (HazardAction.REOPEN, "regulator"),
    ],
}


def hazard_in_state(
    *,
    status: str,
    grade: str,
    site: Any,
    responsible: Any,
    regulator: Any,
    acceptor: Any | None = None,
    pending_extension: bool = False,
) -> Hazard:
    """A hazard at ``site`` brought to ``status`` through the workflow.

    ``acceptor`` defaults to ``responsible`` for general hazards and ``regulator`` for major
    ones; a major hazard's plan is approved by the enterprise's principal (``plan_approver``)
    unless ``status`` is "plan awaiting approval". ``pending_extension`` (rectifying only)
    leaves an extension request waiting, requested by ``responsible``.
    """
    actors = {
        "responsible": responsible,
        "regulator": regulator,
        "acceptor": acceptor or (regulator if grade == HazardGrade.MAJOR else responsible),
    }
    hazard = record(site, responsible, grade)
    for action, who in PATHS[status]:
        hazard = act(hazard, action, actors[who])
        if hazard.status == HazardStatus.PLAN_PENDING and status != HazardStatus.PLAN_PENDING:
            hazard = act(hazard, HazardAction.APPROVE_PLAN, plan_approver(hazard, responsible))
    if pending_extension:
        hazard = act(hazard, HazardAction.REQUEST_EXTENSION, responsible)
    return hazard
