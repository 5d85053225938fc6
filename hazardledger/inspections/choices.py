"""Inspection kinds and statuses, item results, draft states and draw states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionKind(models.TextChoices):
    SELF = "self", _("Enterprise self-inspection")
    ROUTINE = "routine", _("Routine regulatory inspection")
    CAMPAIGN = "campaign", _("Campaign inspection")
    DOUBLE_RANDOM = "double_random", _("Double-random inspection")
    COMPLAINT = "complaint", _("Complaint follow-up")
    RECHECK = "recheck", _("Rectification re-check")


# Kinds an enterprise may run on its own sites; every other kind is the regulator's.
ENTERPRISE_KINDS = (InspectionKind.SELF,)
REGULATORY_KINDS = tuple(k for k in InspectionKind if k not in ENTERPRISE_KINDS)


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    CANCELLED = "cancelled", _("Cancelled")


STATUS_COLOURS: dict[str, str] = {
    InspectionStatus.PLANNED: "secondary",
    InspectionStatus.IN_PROGRESS: "primary",
    InspectionStatus.SUBMITTED: "success",
    InspectionStatus.CANCELLED: "dark",
}


class ItemOutcome(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("Awaiting confirmation")
    RECORDED = "recorded", _("Recorded in the ledger")
    DISMISSED = "dismissed", _("Dismissed")


class DrawStatus(models.TextChoices):
    SEALED = "sealed", _("Seed recorded, not drawn yet")
    DRAWN = "drawn", _("Drawn")


class RecheckOutcome(models.TextChoices):
    ACCEPT = "accept", _("Accepted")
    REJECT = "reject", _("Rejected")
