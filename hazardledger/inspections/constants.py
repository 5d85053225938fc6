"""Limits, file locations and audit actions of the inspections app."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

# The shipped checklists (one TOML file each) and the clause identifiers they may cite.
CHECKLIST_DIR = Path(__file__).resolve().parent / "checklists"
CLAUSES_FILE = CHECKLIST_DIR / "clauses.toml"

# Photos arrive from phones as data URLs; the page shrinks them before they are kept offline.
PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTOS_PER_ITEM = 4
# The longest file name a phone may send for a photo (longer is refused; a kept name is cut
# to the 255 characters a row holds).
PHOTO_NAME_MAX = 1000
SIGNATURE_MAX_BYTES = 512 * 1024
# The sync document (all photos and both signatures inside it) must fit Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE (10 MiB by default); field.js keeps photos to about 6 MB.
NOTE_MAX_LENGTH = 1000

# Double-random draws.
DRAW_MAX_SIZE = 500
INSPECTORS_PER_SITE = 2

AUDIT_ACTIONS = {
    "inspections.checklist.load": _("Checklist version loaded"),
    "inspections.inspection.plan": _("Inspection planned"),
    "inspections.inspection.start": _("Inspection started"),
    "inspections.inspection.submit": _("Inspection submitted"),
    "inspections.hazarddraft.confirm": _("Failed item recorded as a hazard"),
    "inspections.hazarddraft.dismiss": _("Failed item dismissed"),
    "inspections.draw.seal": _("Double-random draw: seed recorded"),
    "inspections.draw.perform": _("Double-random draw performed"),
    "inspections.recheck.decide": _("Re-check decision"),
}

# The actions of the outbox events ``inspections.inspection.<action>`` (``events.py``).
INSPECTION_EVENT_ACTIONS = (
    "plan",  # planned for a date (a draw plans one per drawn site)
    "begin",  # started: a planned one, or planned and started at once
    "submit",  # results submitted from the field page, or a re-check finished
    "recheck_decide",  # a re-check accepted or rejected a hazard's rectification
    "draft_confirm",  # a failed item recorded as a hazard
    "draft_dismiss",  # a failed item dismissed
)

# What the field page says (field.js shows them; translated on the server).
FIELD_MESSAGES = {
    "online": _("Online. Your results are kept on this device until they are sent."),
    "offline": _(
        "Offline. Carry on: your results are kept on this device and sent when the network returns."
    ),
    "queued": _("Saved on this device. It will be sent automatically when the network returns."),
    "sending": _("Sending…"),
    "retrying": _(
        "Could not reach the server; trying again shortly. Your results are kept on this device."
    ),
    "submitted": _("Inspection submitted."),
    "notSaved": _("The inspection was not saved:"),
    "unanswered": _("Give a result for every item. Unanswered:"),
    "failNote": _("Describe what is wrong for every failed item. Missing:"),
    "signInspector": _("The inspector must sign."),
    "signSite": _("The site representative must give their name and sign."),
    "gpsOk": _("Position recorded"),
    "gpsNone": _("Position not available; the inspection can still be submitted."),
    "storageFull": _("This device has no room for more photos: remove some."),
    "photoBig": _("The photos of this inspection are too large together: remove some."),
    "photoBad": _("This file is not a photo this device can read."),
    "remove": _("Remove"),
}
