"""The outbox events inspections write (``core.outbox``), in the transaction of each change.

Topic ``inspections.inspection.<action>``; data
``{"site_id", "kind", "status", "changes": {field: [old, new]}}`` plus ``inspected_on``
(``YYYY-MM-DD``) on ``submit``. Values are JSON-safe (dates and times as ISO strings). The
actions are listed in ``constants.INSPECTION_EVENT_ACTIONS`` and in docs/inspections.md.
Other apps react through handlers (the risks app schedules a site's next inspection on
``submit``); inspections import none of them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from hazardledger.core.models import OutboxEvent
from hazardledger.core.outbox import outbox_build, outbox_write, outbox_write_many

from .constants import INSPECTION_EVENT_ACTIONS
from .models import Inspection

logger = logging.getLogger(__name__)

Changes = Mapping[str, tuple[Any, Any] | list[Any]]


def _json(value: Any) -> Any:
    """``value`` as JSON stores it (dates, times, decimals and uuids become strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def inspection_event_data(
    *, inspection: Inspection, changes: Changes, inspected_on: date | None = None
) -> dict[str, Any]:
    """The data of an inspection's event: its site, kind and (new) status, what changed as
    ``{field: [old, new]}``, and for a submission the day the site was inspected."""
    data: dict[str, Any] = {
        "site_id": inspection.site_id,
        "kind": inspection.kind,
        "status": inspection.status,
        "changes": {field: [old, new] for field, (old, new) in changes.items()},
    }
    if inspected_on is not None:
        data["inspected_on"] = inspected_on
    json_data: dict[str, Any] = _json(data)
    return json_data


def creation_changes(
    inspection: Inspection, *, inspector_ids: Iterable[int] | None = None
) -> dict[str, list[Any]]:
    """What a new inspection sets, as changes from nothing: status, kind, checklist, date,
    draw, start time (those that are set) and the inspectors' ids, sorted (read from the
    inspection unless the caller, who just set them, passes ``inspector_ids``)."""
    changes: dict[str, list[Any]] = {
        field: [None, getattr(inspection, field)]
        for field in ("status", "kind", "checklist_id", "planned_on", "draw_id", "started_at")
        if getattr(inspection, field) is not None
    }
    if inspector_ids is None:
        inspector_ids = inspection.inspectors.values_list("pk", flat=True)
    changes["inspector_ids"] = [[], sorted(inspector_ids)]
    return changes


def _topic(action: str) -> str:
    if action not in INSPECTION_EVENT_ACTIONS:
        raise ValueError(f"Unknown inspection event action: {action}")
    return f"inspections.inspection.{action}"


def inspection_event_write(
    *,
    inspection: Inspection,
    action: str,
    actor: Any,
    changes: Changes,
    inspected_on: date | None = None,
) -> OutboxEvent:
    """Write the outbox event of one change to ``inspection`` (inside the change's
    transaction). Raises ``ValueError`` for an action not in ``INSPECTION_EVENT_ACTIONS``."""
    return outbox_write(
        topic=_topic(action),
        obj=inspection,
        actor=actor,
        data=inspection_event_data(
            inspection=inspection, changes=changes, inspected_on=inspected_on
        ),
    )


def inspection_events_write_bulk(
    *,
    inspections: Iterable[Inspection],
    action: str,
    actor: Any,
    changes: Callable[[Inspection], Changes],
) -> list[OutboxEvent]:
    """Write one event per inspection with a single insert (a draw plans up to 500), inside
    the caller's transaction; each event's dispatch is enqueued when it commits, as
    ``outbox_write`` does (an event whose enqueue fails is left to the periodic sweep)."""
    now = timezone.now()
    topic = _topic(action)
    events = outbox_write_many(
        outbox_build(
            topic=topic,
            obj=inspection,
            actor=actor,
            data=inspection_event_data(inspection=inspection, changes=changes(inspection)),
            at=now,
        )
        for inspection in inspections
    )
    return events
