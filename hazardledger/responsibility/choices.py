"""Choices of the responsibility app: the sides officials sit on, and decisions at a level."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# The escalation's steps and reasons belong to the hazard workflow (its ``escalate`` action).
from hazardledger.hazards.choices import (  # noqa: F401 - re-exported for this app
    ESCALATING_STEPS,
    EscalationReason,
    EscalationStepName,
)


class OfficialSide(models.TextChoices):
    """Where an official on the list sits (党政同责、一岗双责: the party committee and the
    government answer together; the lead department answers for its sector)."""

    PARTY = "party", _("Party committee")
    GOVERNMENT = "government", _("Government")
    DEPARTMENT = "department", _("Lead department")


class DecisionKind(models.TextChoices):
    """What a level decided about an escalated hazard, besides urging and listing."""

    ENFORCEMENT = "enforcement", _("Enforcement ordered")


class DecisionStatus(models.TextChoices):
    """A decision is recorded now and acted on when the enforcement app lands."""

    RECORDED = "recorded", _("Recorded, awaiting enforcement")
    ACTED = "acted", _("Acted on")


class ActionKind(models.TextChoices):
    """A level's first action on a hazard escalated to it (the accountability view)."""

    URGE = "urge", _("Urged")
    LISTING = "listing", _("Listed for supervision")
    DECISION = "decision", _("Enforcement ordered")
