"""Limits, defaults and audit actions of the campaigns app."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Sectors whose sites are the township's to inspect (属地管理: self-built houses, crowded
# places and small venues); every other sector's sites go to the sector's regulator. A
# deployment changes the list with ``CAMPAIGN_TERRITORIAL_SECTORS`` (settings).
TERRITORIAL_SECTORS = ("self_built_houses", "crowded_places")

DIRECTIVE_MAX_BYTES = 20 * 1024 * 1024
DIRECTIVE_TEXT_MAX = 20_000
CIRCULAR_TEXT_MAX = 5_000
TASK_PAGE_SIZE = 50
HAZARD_PAGE_SIZE = 50
BUILD_BATCH = 5000
# Tasks given to people in one go (the ticked rows of a page).
ASSIGN_MAX = 500

AUDIT_ACTIONS = {
    "campaigns.campaign.issue": _("Campaign issued"),
    "campaigns.campaign.take_up": _("Campaign taken up"),
    "campaigns.campaign.tasks": _("Campaign tasks made"),
    "campaigns.task.assign": _("Campaign tasks assigned"),
    "campaigns.campaign.draw": _("Campaign tasks drawn (double-random)"),
    "campaigns.circular.send": _("Circular sent"),
    "campaigns.report.make": _("Campaign progress report made"),
}
