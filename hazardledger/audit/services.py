"""Writing the audit trail. Services call ``record`` explicitly, inside their own transaction."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from hazardledger.core.middleware import current_request_id

from .actions import is_registered
from .models import AuditEvent


class UnknownAuditAction(ValueError):
    """``record`` was called with an action nobody registered (a programming error)."""


def _jsonable(value: Any) -> Any:
    """Round-trip through the JSON encoder so what is stored is exactly what was given."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    object_repr: str = "",
    before: Any = None,
    after: Any = None,
    data: dict[str, Any] | None = None,
    organisation: Any = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one audit entry and return it.

    ``obj`` fills ``object_type``/``object_id``/``object_repr`` unless they are given. The
    organisation defaults to the actor's; the request id comes from the middleware's context
    variable (empty outside a request, e.g. in a command). Call it inside the transaction of
    the change, so that both commit or neither does.

    Raises ``UnknownAuditAction`` for an unregistered action.
    """
    entry = record_build(
        actor=actor,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=before,
        after=after,
        data=data,
        organisation=organisation,
        at=at,
    )
    entry.save(force_insert=True)
    return entry


def record_build(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    object_repr: str = "",
    before: Any = None,
    after: Any = None,
    data: dict[str, Any] | None = None,
    organisation: Any = None,
    at: datetime | None = None,
) -> AuditEvent:
    """``record``'s entry, built and not saved, for a service that writes many at once
    (``AuditEvent.objects.bulk_create``; the audit chain seals bulk-inserted entries like any
    other). Raises ``UnknownAuditAction`` for an unregistered action."""
    if not is_registered(action):
        raise UnknownAuditAction(action)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    if organisation is None and actor is not None:
        organisation = getattr(actor, "organisation", None)
    return AuditEvent(
        created_at=at or timezone.now(),
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(getattr(actor, "display_name", "") or str(actor or ""))[:150],
        actor_role=getattr(actor, "role", "") or "",
        organisation=organisation,
        organisation_name=str(organisation or "")[:200],
        object_type=object_type,
        object_id=str(object_id or ""),
        object_repr=str(object_repr)[:200],
        before=_jsonable(before),
        after=_jsonable(after),
        data=_jsonable(data) or {},
        request_id=current_request_id.get() or "",
    )
