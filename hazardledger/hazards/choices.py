"""Hazard grades, categories, sources, statuses and workflow actions."""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class HazardGrade(models.TextChoices):
    GENERAL = "general", _("General hazard")
    MAJOR = "major", _("Major hazard")


class HazardCategory(models.TextChoices):
    """The categories of the ledger spreadsheet (domain.md 0.3)."""

    EQUIPMENT = "equipment", _("Equipment and facilities")
    PROCESS = "process", _("Process")
    ELECTRICAL = "electrical", _("Electrical")
    FIRE = "fire", _("Fire")
    MANAGEMENT = "management", _("Personnel and management")
    ENVIRONMENT = "environment", _("Environment and site")
    OTHER = "other", _("Other")


class HazardSource(models.TextChoices):
    SELF_INSPECTION = "self_inspection", _("Enterprise self-inspection")
    REGULATORY_INSPECTION = "regulatory_inspection", _("Regulatory inspection")
    CAMPAIGN = "campaign", _("Campaign")
    PUBLIC_REPORT = "public_report", _("Public report")
    OTHER = "other", _("Other")


class HazardStatus(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    RECTIFYING = "rectifying", _("Rectifying")
    FIXED = "fixed", _("Fixed on the spot")
    SUBMITTED = "submitted", _("Submitted for acceptance")
    CLOSED = "closed", pgettext_lazy("hazard status", "Closed")
    VOIDED = "voided", _("Voided")
    REOPENED = "reopened", _("Reopened")


# Statuses in which a hazard still needs work (everything but closed and voided).
OPEN_STATUSES = (
    HazardStatus.RECORDED,
    HazardStatus.RECTIFYING,
    HazardStatus.FIXED,
    HazardStatus.SUBMITTED,
    HazardStatus.REOPENED,
)
FINAL_STATUSES = (HazardStatus.CLOSED, HazardStatus.VOIDED)

STATUS_COLOURS: dict[str, str] = {
    HazardStatus.RECORDED: "secondary",
    HazardStatus.RECTIFYING: "primary",
    HazardStatus.FIXED: "info",
    HazardStatus.SUBMITTED: "warning",
    HazardStatus.CLOSED: "success",
    HazardStatus.VOIDED: "dark",
    HazardStatus.REOPENED: "danger",
}


class HazardAction(models.TextChoices):
    """Everything that can happen to a hazard; each one appends an event to its history."""

    RECORD = "record", _("Recorded")
    PLAN = "plan", _("Rectification plan filed")
    FIX = "fix", _("Fixed on the spot")
    CONFIRM = "confirm", _("On-the-spot fix confirmed")
    SUBMIT = "submit", _("Submitted for acceptance")
    ACCEPT = "accept", _("Accepted and signed off")
    REJECT = "reject", _("Rejected")
    REQUEST_EXTENSION = "request_extension", _("Deadline extension requested")
    APPROVE_EXTENSION = "approve_extension", _("Deadline extension approved")
    REFUSE_EXTENSION = "refuse_extension", _("Deadline extension refused")
    VOID = "void", _("Voided")
    REOPEN = "reopen", _("Reopened")


# Verbs for buttons and form titles (the action choices above are past-tense event labels).
ACTION_VERBS: dict[str, Promise] = {
    HazardAction.PLAN: _("File rectification plan"),
    HazardAction.FIX: _("Record on-the-spot fix"),
    HazardAction.CONFIRM: _("Confirm the fix and close"),
    HazardAction.SUBMIT: _("Submit for acceptance"),
    HazardAction.ACCEPT: _("Accept and sign off"),
    HazardAction.REJECT: _("Reject"),
    HazardAction.REQUEST_EXTENSION: _("Request a deadline extension"),
    HazardAction.APPROVE_EXTENSION: _("Approve the extension"),
    HazardAction.REFUSE_EXTENSION: _("Refuse the extension"),
    HazardAction.VOID: _("Void"),
    HazardAction.REOPEN: _("Reopen"),
}


class InterimMeasure(models.TextChoices):
    """Interim safety measures while a major hazard is governed (Order 16, domain.md 4.2)."""

    PEOPLE_WITHDRAWN = "people_withdrawn", _("People withdrawn from the danger area")
    STOPPED_WHOLLY = "stopped_wholly", _("Production stopped wholly")
    STOPPED_PARTLY = "stopped_partly", _("Production stopped partly")
    WARNINGS_POSTED = "warnings_posted", _("Warnings posted")


class VoidReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate of another hazard")
    ERROR = "error", _("Recorded in error")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn on submission")


class EvidenceStage(models.TextChoices):
    FOUND = "found", _("When found")
    PLAN = "plan", _("Plan")
    FIX = "fix", _("Rectification")
    ACCEPTANCE = "acceptance", _("Acceptance")
    REPORT = "report", _("Quick report")


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")


class QuickReportStatus(models.TextChoices):
    NEW = "new", _("Awaiting triage")
    ACCEPTED = "accepted", _("Recorded in the ledger")
    REJECTED = "rejected", _("Rejected")
