"""Writes of the reports app: asking for a report and making it (in the worker), preparing,
signing and submitting statistics returns, and reminding enterprises of returns due."""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import filetype
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hazardledger.accounts.choices import OrganisationKind
from hazardledger.accounts.models import Organisation
from hazardledger.audit.services import record
from hazardledger.core.errors import Conflict, Invalid, NotAllowed
from hazardledger.core.images import UnreadableImage, image_check
from hazardledger.core.outbox import outbox_write
from hazardledger.core.uploads import save_on_commit
from hazardledger.registry.models import Site

from . import documents
from .choices import ReportKind, ReportStatus, ReturnPeriod, ReturnStatus
from .constants import SIGNATURE_MAX_BYTES
from .figures import Scope, region_name, report_figures, scope_for_user
from .models import GeneratedReport, StatisticsReturn
from .periods import Period
from .policies import REPORT_POLICY, RETURN_POLICY
from .returns import ReturnPeriodKey, deadline_moment, due_soon, return_figures

logger = logging.getLogger(__name__)

IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


# --- generated reports ------------------------------------------------------------------------


def report_title(*, region: str, kind: str, period: Period) -> str:
    """ "广州市 2026年11月 事故隐患排查治理情况月报" in the active language."""
    if kind == ReportKind.MONTHLY:
        text = _("%(region)s hazard investigation and rectification monthly report, %(period)s")
    else:
        text = _("%(region)s hazard investigation and rectification quarterly report, %(period)s")
    return text % {"region": region, "period": period.label}


def report_request(*, actor: Any, kind: str, period: Period, region: str = "") -> GeneratedReport:
    """Ask the worker for a report of ``period`` for the actor's scope, narrowed to the
    division ``region`` (one under theirs; theirs when empty). The report is queued; its task
    is enqueued when the transaction commits. Raises ``NotAllowed`` when the actor may not ask
    for reports and ``NotFound`` for a division outside their scope (``scope_for_user``)."""
    if not REPORT_POLICY.user_has_permission(actor, "add") or actor.organisation_id is None:
        raise NotAllowed
    if actor.organisation.kind == OrganisationKind.ENTERPRISE:
        raise NotAllowed
    scope = scope_for_user(actor, region=region or None)
    if period.start > timezone.localdate():
        raise Invalid({"number": [_("This period has not begun yet.")]})
    with transaction.atomic():
        report = GeneratedReport.objects.create(
            organisation_id=actor.organisation_id,
            region_id=scope.region,
            sectors=list(scope.sectors or []),
            kind=kind,
            period_start=period.start,
            period_end=period.end,
            title=report_title(region=region_name(scope.region), kind=kind, period=period)[:200],
            requested_by=actor,
            requested_by_name=actor.display_name[:150],
            language=translation.get_language() or "",
        )
        record(
            actor=actor,
            action="reports.generatedreport.request",
            obj=report,
            after={"kind": kind, "region": scope.region, "period": period.key},
        )
        report_id = report.pk
        transaction.on_commit(lambda: _enqueue(report_id))
    return report


def _enqueue(report_id: int) -> None:
    from .tasks import report_generate_task

    try:
        report_generate_task.enqueue(report_id)
    except Exception:  # the report stays queued; the sweep enqueues it again
        logger.exception("could not enqueue report %s", report_id)


def report_scope(report: GeneratedReport) -> Scope:
    """The scope a report counts: its division and sectors, read through its requester's
    policies when the requester still exists (so it never shows more than they may see)."""
    from hazardledger.accounts.models import User

    user = (
        User.objects.filter(pk=report.requested_by_id, is_active=True).first()
        if report.requested_by_id is not None
        else None
    )
    if user is None:
        raise PermissionDenied
    return Scope(region=report.region_id, sectors=tuple(report.sectors) or None, user=user)


def _progress(report_id: int, percent: int, step: str) -> None:
    GeneratedReport.objects.filter(pk=report_id, status=ReportStatus.RUNNING).update(
        progress=min(max(percent, 0), 100), step=step[:100]
    )


def report_generate(*, report_id: int) -> bool:
    """Make a queued report's files; True when it is done.

    Steps:
    1. claim the report (queued → running, a conditional update: a second worker, or a rerun,
       finds nothing to claim and stops);
    2. compute the figures step by step, saving the progress after each (committed at once:
       the page polling the report shows it);
    3. write the xlsx and the PDF and store them; status done. Any error marks the report
       failed with the message (the files of a failed report are never stored).
    """
    claimed = GeneratedReport.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, started_at=timezone.now(), progress=1, step="", error=""
    )
    if claimed != 1:
        return False
    report = GeneratedReport.objects.select_related("region").get(pk=report_id)
    try:
        with translation.override(report.language or None):
            scope = report_scope(report)
            end = min(report.period_end, timezone.localdate())
            figures = report_figures(
                scope,
                report.period_start,
                end,
                progress=lambda p: _progress(report_id, p, _("Counting")),
            )
            _progress(report_id, 85, _("Writing the spreadsheet"))
            xlsx = documents.report_xlsx(report=report, figures=figures)
            _progress(report_id, 90, _("Writing the PDF"))
            pdf = documents.report_pdf(report=report, figures=figures)
    except Exception as exc:
        logger.exception("report %s failed", report_id)
        GeneratedReport.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return False
    with transaction.atomic():
        digest = hashlib.sha256(pdf).hexdigest()[:12]
        report.pdf.save(f"{digest}.pdf", ContentFile(pdf), save=False)
        report.xlsx.save(f"{digest}.xlsx", ContentFile(xlsx), save=False)
        GeneratedReport.objects.filter(pk=report_id).update(
            pdf=report.pdf.name,
            xlsx=report.xlsx.name,
            status=ReportStatus.DONE,
            progress=100,
            step="",
            finished_at=timezone.now(),
        )
    return True


def reports_requeue(*, older_than_minutes: int = 10) -> int:
    """Enqueue again the reports still queued after ``older_than_minutes`` (their enqueue was
    lost) and fail those left running that long (their worker died); returns how many."""
    from datetime import timedelta

    now = timezone.now()
    cutoff = now - timedelta(minutes=older_than_minutes)
    stuck = GeneratedReport.objects.filter(status=ReportStatus.RUNNING, started_at__lt=cutoff)
    failed = stuck.update(
        status=ReportStatus.FAILED, finished_at=now, error="The worker stopped before finishing."
    )
    queued = list(
        GeneratedReport.objects.filter(
            status=ReportStatus.QUEUED, created_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for report_id in queued:
        _enqueue(report_id)
    return failed + len(queued)


# --- statistics returns -----------------------------------------------------------------------


def _enterprise_of(actor: Any) -> Organisation:
    organisation = getattr(actor, "organisation", None)
    if organisation is None or organisation.kind != OrganisationKind.ENTERPRISE:
        raise NotAllowed(_("Only an enterprise files statistics returns."))
    return organisation


def return_get_or_create(*, organisation: Organisation, key: ReturnPeriodKey) -> StatisticsReturn:
    """The enterprise's return for ``key`` (made, not prepared, when missing)."""
    statistics_return, _created = StatisticsReturn.objects.get_or_create(
        organisation=organisation,
        period=key.period,
        year=key.year,
        quarter=key.quarter,
        defaults={"region_id": organisation.region_id, "due_on": key.due_on},
    )
    return statistics_return


def return_prepare(*, actor: Any, key: ReturnPeriodKey) -> StatisticsReturn:
    """Compute the return's figures from the ledger now and keep them for the principal to
    sign (again, if it was prepared before: ``version`` grows, so a signing page showing the
    old figures is refused).

    Raises ``NotAllowed`` (not an enterprise's officer or principal), ``Invalid`` (the period
    has not ended, the enterprise runs no site) and ``Conflict`` (already submitted).
    """
    if not RETURN_POLICY.user_has_permission(actor, "prepare"):
        raise NotAllowed
    organisation = _enterprise_of(actor)
    today = timezone.localdate()
    if key.end >= today:
        raise Invalid({"period": [_("A return is prepared once its period has ended.")]})
    if not Site.objects.filter(organisation=organisation).exists():
        raise Invalid({"period": [_("Your enterprise runs no registered site to report on.")]})
    with transaction.atomic():
        statistics_return = return_get_or_create(organisation=organisation, key=key)
        figures = return_figures(organisation_id=organisation.pk, key=key)
        updated = StatisticsReturn.objects.filter(
            pk=statistics_return.pk, status__in=[ReturnStatus.DUE, ReturnStatus.DRAFT]
        ).update(
            status=ReturnStatus.DRAFT,
            figures=figures,
            version=F("version") + 1,
            prepared_at=timezone.now(),
            prepared_by_name=actor.display_name[:150],
        )
        if updated != 1:
            raise Conflict(_("This return has already been submitted."))
        statistics_return.refresh_from_db()
        record(
            actor=actor,
            action="reports.statisticsreturn.prepare",
            obj=statistics_return,
            after={"period": key.key, "version": statistics_return.version},
        )
    return statistics_return


@dataclass(frozen=True)
class SignatureImage:
    """A checked signature picture: its bytes and the extension it is stored with."""

    data: bytes
    extension: str


def signature_from_bytes(data: bytes) -> SignatureImage:
    """The principal's signature once it is a JPEG, PNG or WebP picture (by its content)
    within ``SIGNATURE_MAX_BYTES`` and the pixel limits of ``core.images``; raises
    ``ValidationError`` otherwise."""
    if len(data) > SIGNATURE_MAX_BYTES:
        raise ValidationError(
            _("The signature is larger than %(limit)d KB.") % {"limit": SIGNATURE_MAX_BYTES // 1024}
        )
    guess = filetype.guess(data[:8192])
    mime = guess.mime if guess else ""
    if mime not in IMAGE_TYPES:
        raise ValidationError(_("The signature is not a JPEG, PNG or WebP image."))
    try:
        image_check(data, label=_("The signature"))
    except UnreadableImage as exc:
        raise ValidationError(_("The signature cannot be opened.")) from exc
    return SignatureImage(data=data, extension=IMAGE_TYPES[mime])


def signature_from_data_url(value: str) -> SignatureImage:
    """The signature drawn on the page (``data:image/png;base64,…``), checked as
    ``signature_from_bytes`` does."""
    if (
        not value.startswith("data:")
        or "," not in value
        or len(value) > SIGNATURE_MAX_BYTES * 4 // 3 + 100
    ):
        raise ValidationError(_("The signature is not an image."))
    header, payload = value.split(",", 1)
    if ";base64" not in header:
        raise ValidationError(_("The signature is not an image."))
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(_("The signature is not an image.")) from exc
    return signature_from_bytes(data)


def return_submit(
    *,
    actor: Any,
    statistics_return: StatisticsReturn,
    version: int,
    principal_name: str,
    signature: SignatureImage,
) -> StatisticsReturn:
    """The principal signs the prepared return (``version``: the one their page showed) and
    submits it to the enterprise's regulators.

    Raises ``NotAllowed`` (not this enterprise's principal), ``Conflict`` (the figures were
    prepared again since the page was opened, or the return is no longer awaiting a
    signature). The signature is stored when the transaction commits.
    """
    if not RETURN_POLICY.user_has_permission(actor, "sign"):
        raise NotAllowed
    organisation = _enterprise_of(actor)
    if statistics_return.organisation_id != organisation.pk:
        raise NotAllowed
    now = timezone.now()
    with transaction.atomic():
        digest = hashlib.sha256(signature.data).hexdigest()[:16]
        name = save_on_commit(
            statistics_return.signature,
            ContentFile(signature.data, f"{digest}.{signature.extension}"),
        )
        updated = StatisticsReturn.objects.filter(
            pk=statistics_return.pk, status=ReturnStatus.DRAFT, version=version
        ).update(
            status=ReturnStatus.SUBMITTED,
            submitted_at=now,
            principal_name=principal_name.strip()[:100],
            signed_by=actor,
            signature=name,
        )
        if updated != 1:
            raise Conflict(
                _(
                    "The return changed since you opened it (prepared again or submitted). "
                    "Check it and sign again."
                )
            )
        statistics_return.refresh_from_db()
        record(
            actor=actor,
            action="reports.statisticsreturn.submit",
            obj=statistics_return,
            after={
                "period": statistics_return.period_key,
                "version": version,
                "on_time": now < deadline_moment(statistics_return.due_on),
            },
        )
    return statistics_return


def returns_remind(*, today: date | None = None) -> int:
    """Remind the enterprises of the returns due within ``constants.reminder_days()`` days
    that they have not submitted: once per return (a conditional update on ``reminded_on``
    claims it, so a rerun or a second worker reminds nobody twice). Writes the outbox event
    ``reports.statisticsreturn.remind`` (the notice kind ``reports.statistics_due`` tells
    the enterprise's officers and principal). Returns how many were reminded."""
    from .constants import reminder_days

    today = today or timezone.localdate()
    reminded = 0
    for key in due_soon(today, reminder_days()):
        done = StatisticsReturn.objects.filter(
            period=key.period, year=key.year, quarter=key.quarter
        ).filter(Q(reminded_on__isnull=False) | Q(status=ReturnStatus.SUBMITTED))
        enterprises = (
            Organisation.objects.filter(
                kind=OrganisationKind.ENTERPRISE, pk__in=Site.objects.values("organisation_id")
            )
            .exclude(pk__in=done.values("organisation_id"))
            .order_by("pk")
        )
        for organisation in enterprises.iterator():
            with transaction.atomic():
                statistics_return = return_get_or_create(organisation=organisation, key=key)
                if statistics_return.status == ReturnStatus.SUBMITTED:
                    continue
                claimed = StatisticsReturn.objects.filter(
                    pk=statistics_return.pk, reminded_on__isnull=True
                ).update(reminded_on=today)
                if claimed != 1:
                    continue
                outbox_write(
                    topic="reports.statisticsreturn.remind",
                    obj=statistics_return,
                    data={
                        "period": key.key,
                        "due_on": key.due_on.isoformat(),
                        "annual": key.period == ReturnPeriod.YEAR,
                    },
                )
                reminded += 1
    return reminded
