"""Limits, defaults and audit actions of the supervision app."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# The enterprise representative's signature, drawn on the page or uploaded.
SIGNATURE_MAX_BYTES = 512 * 1024

# What an order says about reporting completion, unless the inspector writes otherwise.
DEFAULT_COMPLETION_REPORT = _(
    "When the hazards are rectified, report completion in writing to the issuing body before "
    "the deadline, with photos and documents showing the rectification, and apply for "
    "re-inspection."
)

AUDIT_ACTIONS = {
    "supervision.rectificationorder.issue": _("Rectification order issued"),
    "supervision.listing.propose": _("Listing for supervision proposed"),
    "supervision.listing.confirm": _("Listed for supervision"),
    "supervision.listing.refuse": _("Listing proposal refused"),
    "supervision.listing.delist": _("Delisted"),
}
