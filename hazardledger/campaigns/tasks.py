"""Background tasks of campaigns (run by the database worker); they call the services."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from hazardledger.audit.services import record as audit_record
from hazardledger.core.uploads import save_on_commit

from .documents import report_pdf_bytes, report_xlsx_bytes
from .models import Campaign, CampaignReport
from .selectors import campaign_progress
from .services import campaign_tasks_build


@task()
def campaign_tasks_build_task(campaign_id: int) -> int:
    """Make a campaign's tasks (enqueued when it is issued or taken up)."""
    return campaign_tasks_build(campaign_id=campaign_id)


def campaign_report_make(*, campaign: Campaign, as_of: date) -> CampaignReport | None:
    """Make the campaign's progress report as of ``as_of`` (spreadsheet and PDF, in Chinese,
    for its whole scope) unless it exists already; None when it did."""
    if CampaignReport.objects.filter(campaign=campaign, as_of=as_of).exists():
        return None
    with translation.override("zh-hans"):
        report = campaign_progress(campaign=campaign, user=None, today=as_of)
        xlsx, pdf = report_xlsx_bytes(report), report_pdf_bytes(report)
    with transaction.atomic():
        made = CampaignReport(campaign=campaign, region_id=campaign.region_id, as_of=as_of)
        save_on_commit(made.xlsx, ContentFile(xlsx, name="report.xlsx"))
        save_on_commit(made.pdf, ContentFile(pdf, name="report.pdf"))
        made.save()
        audit_record(
            actor=None,
            action="campaigns.report.make",
            obj=campaign,
            data={"as_of": as_of.isoformat(), "report": made.pk},
        )
    return made


def weekly_reports(*, today: date | None = None) -> int:
    """Make this week's report of every campaign running (or ended within the week)."""
    today = today or timezone.localdate()
    made = 0
    running = Campaign.objects.filter(
        starts_on__lte=today, ends_on__gte=today - timedelta(days=7)
    ).order_by("pk")
    for campaign in running:
        made += campaign_report_make(campaign=campaign, as_of=today) is not None
    return made


@task()
def weekly_reports_task() -> int:
    """Periodic, Mondays at 07:00: every running campaign's weekly progress report."""
    return weekly_reports()
