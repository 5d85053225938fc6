"""The ledger spreadsheet offices keep (domain.md 0.3): export of the filtered ledger.

Columns follow the regulator's ledger: the enterprise's columns plus enterprise, sector,
region and source. Headers are Chinese unless English is active, so an exported file reads
like the ones offices already have.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .choices import HazardStatus
from .deadlines import hazard_days_overdue, local_today
from .models import Hazard, RectificationPlan

COLUMNS: tuple[tuple[str, str], ...] = (
    ("序号", "No."),
    ("隐患编号", "Hazard number"),
    ("企业名称", "Enterprise"),
    ("所属行业", "Sector"),
    ("所在地区", "Region"),
    ("场所", "Site"),
    ("检查来源", "Source"),
    ("排查日期", "Date found"),
    ("隐患部位", "Where at the site"),
    ("隐患描述", "Description"),
    ("隐患等级", "Grade"),
    ("隐患类别", "Category"),
    ("整改措施", "Measures"),
    ("整改资金（元）", "Funds (yuan)"),
    ("整改责任人", "Responsible person"),
    ("整改期限", "Deadline"),
    ("整改完成时间", "Date completed"),
    ("验收人", "Accepted by"),
    ("验收时间", "Acceptance date"),
    ("是否销号", "Closed out"),
    ("状态", "Status"),
    ("备注", "Remarks"),
)
EXPORT_TITLE_ZH = "事故隐患排查治理台账"
EXPORT_TITLE_EN = "Hazard ledger"


def _english() -> bool:
    return (translation.get_language() or "zh-hans").startswith("en")


def export_title() -> str:
    return EXPORT_TITLE_EN if _english() else EXPORT_TITLE_ZH


def export_headers() -> list[str]:
    english = _english()
    return [en if english else zh for zh, en in COLUMNS]


def _local_date(moment: Any) -> Any:
    return timezone.localtime(moment).date() if moment else None


def ledger_export_rows(hazards: QuerySet[Hazard], *, limit: int) -> Iterator[list[Any]]:
    """One row per hazard, in the order of ``hazards``; the plan columns come from its latest
    plan. Streams in chunks (constant memory), stopping after ``limit`` rows."""
    english = _english()
    yes, no = ("Yes", "No") if english else ("是", "否")
    today = local_today()
    plans = Prefetch("plans", queryset=RectificationPlan.objects.order_by("-created_at", "-id"))
    qs = hazards.select_related("organisation", "sector", "region", "site").prefetch_related(plans)
    for number, hazard in enumerate(qs[:limit].iterator(chunk_size=2000), start=1):
        plan_list = list(hazard.plans.all())
        plan = plan_list[0] if plan_list else None
        remarks = []
        # Every day overdue, under earlier deadlines too (a late extension erases none).
        late = hazard_days_overdue(hazard, today=today)
        if late:
            remarks.append(_("Overdue by %(n)d days") % {"n": late})
        if hazard.is_review_overdue:
            remarks.append(_("Review overdue"))
        if hazard.is_major and hazard.interim_measures:
            remarks.append("; ".join(hazard.interim_measure_labels))
        yield [
            number,
            hazard.pk,
            hazard.organisation.name if hazard.organisation else "",
            hazard.sector.name,
            hazard.region.full_name or hazard.region.name,
            hazard.site.name,
            hazard.get_source_display(),
            hazard.found_on,
            hazard.location,
            hazard.description,
            hazard.get_grade_display() if english else ("重大" if hazard.is_major else "一般"),
            hazard.get_category_display(),
            plan.measures if plan else "",
            float(plan.funds) if plan else None,
            plan.responsible_person if plan else "",
            hazard.deadline,
            _local_date(hazard.completed_at),
            hazard.accepted_by_name,
            _local_date(hazard.closed_at),
            yes if hazard.status == HazardStatus.CLOSED else no,
            hazard.get_status_display(),
            "；".join(str(r) for r in remarks),
        ]
