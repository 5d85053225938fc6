"""Choices of the integrity app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckpointOrigin(models.TextChoices):
    """Where a stored checkpoint comes from: signed here, or imported from a file."""

    LOCAL = "local", _("Signed here")
    IMPORTED = "imported", _("Imported")
