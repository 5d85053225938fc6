"""Reads of the audit trail."""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from .models import AuditEvent


def audit_for_object(*, obj: models.Model) -> QuerySet[AuditEvent]:
    """Audit entries about one object, newest first. Callers check the object's scope first."""
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
