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
    PLAN_PENDING = "plan_pending", _("Plan awaiting approval")
    RECTIFYING = "rectifying", _("Rectifying")
    FIXED = "fixed", _("Fixed on the spot")
    SUBMITTED = "submitted", _("Submitted for acceptance")
    CLOSED = "closed", pgettext_lazy("hazard status", "Closed")
    VOIDED = "voided", _("Voided")
    REOPENED = "reopened", _("Reopened")


# Statuses in which a hazard still needs work (everything but closed and voided).
OPEN_STATUSES = (
    HazardStatus.RECORDED,
    HazardStatus.PLAN_PENDING,
    HazardStatus.RECTIFYING,
    HazardStatus.FIXED,
    HazardStatus.SUBMITTED,
    HazardStatus.REOPENED,
)
FINAL_STATUSES = (HazardStatus.CLOSED, HazardStatus.VOIDED)
# Statuses in which rectification is the responsible party's move: only then can a hazard be
# overdue (``deadlines.py``).
PARTY_MOVE_STATUSES = (
    HazardStatus.RECORDED,
    HazardStatus.PLAN_PENDING,
    HazardStatus.RECTIFYING,
    HazardStatus.REOPENED,
)
# Statuses in which the hazard waits for acceptance (a fix to confirm, a submission to accept).
AWAITING_ACCEPTANCE_STATUSES = (HazardStatus.FIXED, HazardStatus.SUBMITTED)

STATUS_COLOURS: dict[str, str] = {
    HazardStatus.RECORDED: "secondary",
    HazardStatus.PLAN_PENDING: "secondary",
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
    SYSTEM_UPDATE = "system_update", _("Updated by the system")
    APPROVE_PLAN = "approve_plan", _("Rectification plan approved")
    RETURN_PLAN = "return_plan", _("Rectification plan returned")
    UPDATE_INTERIM = "update_interim", _("Interim measures updated")
    REGRADE = "regrade", _("Regraded")
    NOTIFY_WORKFORCE = "notify_workforce", _("Workforce notified")
    SIGN_OFF = "sign_off", _("Signed off")
    ORDER = "order", _("Rectification order issued")
    LIST = "list", _("Listed for supervision")
    DELIST = "delist", _("Delisted")
    # The responsibility app's actions (issue 14): a step of the escalation job, and an
    # official's urging at the level a hazard reached. Both keep the status and the version.
    ESCALATE = "escalate", _("Escalated")
    URGE = "urge", _("Urged")


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
    HazardAction.APPROVE_PLAN: _("Approve the plan"),
    HazardAction.RETURN_PLAN: _("Return the plan"),
    HazardAction.UPDATE_INTERIM: _("Update interim measures"),
    HazardAction.REGRADE: _("Regrade"),
    HazardAction.NOTIFY_WORKFORCE: _("Record notice to the workforce"),
    HazardAction.SIGN_OFF: _("Record a sign-off"),
}


class EscalationStepName(models.TextChoices):
    """The steps of the escalation of an overdue hazard (domain.md 0.2), in order."""

    REMINDER = "reminder", _("Deadline reminder")
    DUE = "due", _("Overdue: enterprise and regulator told")
    COUNTY = "county", _("Escalated to the county")
    CITY = "city", _("Escalated to the city")
    PROVINCE = "province", _("Escalated to the province")


class EscalationReason(models.TextChoices):
    """Why a hazard climbs the chain: its rectification, or the regulator's review, is late."""

    OVERDUE = "overdue", _("Rectification overdue")
    REVIEW_OVERDUE = "review_overdue", _("Review overdue")


# The steps after which a hazard counts as escalated (dashboards, the "escalated to us" queue).
ESCALATING_STEPS = (
    EscalationStepName.COUNTY,
    EscalationStepName.CITY,
    EscalationStepName.PROVINCE,
)


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


class ListingLevel(models.TextChoices):
    """The level of the safety committee office that lists a major hazard for supervision
    (挂牌督办, domain.md 4.5)."""

    PROVINCE = "province", _("Provincial listing")
    CITY = "city", _("City listing")
    COUNTY = "county", _("County listing")


class ProductionStop(models.TextChoices):
    NONE = "none", _("No stop")
    PART = "part", _("Partial stop")
    WHOLE = "whole", _("Whole stop")


class WorkforceNotice(models.TextChoices):
    """How the workforce was told of a major hazard (Work Safety Law Art. 41)."""

    NOTICE_BOARD = "notice_board", _("Notice board")
    WORKERS_CONGRESS = "workers_congress", _("Workers' congress")
    MEETING = "meeting", _("Meeting")


class Evaluator(models.TextChoices):
    """Who evaluated a major hazard's rectification before the application to resume."""

    OWN_EXPERTS = "own_experts", _("The enterprise's own experts")
    THIRD_PARTY = "third_party", _("A safety evaluation body")


class SignOff(models.TextChoices):
    """The further sign-offs of a coal mine's major hazard (domain.md 4.4)."""

    DEPARTMENT_HEAD = "department_head", _("Head of the department")
    MINE_INSPECTORATE = "mine_inspectorate", _("Local mine safety inspectorate")
    GOVERNMENT_HEAD = "government_head", _("Head of the government")
