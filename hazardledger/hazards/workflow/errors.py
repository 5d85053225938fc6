"""The workflow's errors: the hazard ledger's members of the service error family
(``core.errors``), with messages about hazards."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hazardledger.core import errors


class InvalidTransition(errors.InvalidTransition):
    """The action is not in the table for this hazard's status and grade, or its precondition
    (such as a pending extension request) does not hold. Nothing was written (409)."""

    default_message = _("This action is not possible in the hazard's current state.")


class TransitionNotAllowed(errors.NotAllowed):
    """The actor may not take this action on this hazard (role, side or scope). Nothing was
    written (403)."""

    default_message = _("You may not take this action on this hazard.")


class ConcurrentEditError(errors.Conflict):
    """The hazard (or a quick report) changed after the actor loaded it. Nothing was written
    (409)."""

    default_message = _(
        "Someone else acted on this hazard after you opened it. Nothing was saved: the page "
        "now shows its current state; check it and act again if still needed."
    )
