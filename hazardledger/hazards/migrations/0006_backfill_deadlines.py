"""Give every open hazard without a deadline the default for its grade from its date found,
and mark the hazards a regulator found (recorded by an inspector or an office, or from a
regulatory inspection), each change recorded as a system event appended to the hazard's hash
chain (actor none, "system").

Migrations must not import the application's code, so the chain's hash (``history.canonical``
for format 2 events) is copied here, frozen: it must keep producing what it produced when this
migration was written. The reverse is a no-op: history is append-only.
"""

import hashlib
import json
from datetime import UTC, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations
from django.utils import timezone

OPEN = ("recorded", "plan_pending", "rectifying", "fixed", "submitted", "reopened")
REGULATOR_ROLES = ("inspector", "office")
HASHED_FIELDS = (
    "hazard_id",
    "region_id",
    "seq",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "actor_name",
    "actor_role",
    "organisation_id",
    "organisation_name",
    "reason",
    "data",
)


def _jsonable(value):
    return json.loads(json.dumps(value or {}, cls=DjangoJSONEncoder))


def _hash(event):
    document = {name: getattr(event, name) for name in HASHED_FIELDS}
    document["created_at"] = event.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    document["prev_hash"] = event.prev_hash
    document["format"] = event.format
    document["changes"] = event.changes
    data = json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder
    ).encode()
    return hashlib.sha256(data).hexdigest()


def _default_deadline(hazard):
    if hazard.grade == "major":
        days = int(getattr(settings, "HAZARD_DEADLINE_DAYS_MAJOR", 90))
    else:
        days = int(getattr(settings, "HAZARD_DEADLINE_DAYS_GENERAL", 30))
    return hazard.found_on + timedelta(days=days)


def backfill(apps, schema_editor):
    Hazard = apps.get_model("hazards", "Hazard")
    HazardEvent = apps.get_model("hazards", "HazardEvent")
    User = apps.get_model("accounts", "User")
    regulators = set(User.objects.filter(role__in=REGULATOR_ROLES).values_list("pk", flat=True))
    now = timezone.now()
    for hazard in Hazard.objects.order_by("pk").iterator():
        changes = {}
        if hazard.status in OPEN and hazard.deadline is None:
            deadline = _default_deadline(hazard)
            changes["deadline"] = [None, deadline.isoformat()]
            hazard.deadline = deadline
        found = hazard.source == "regulatory_inspection" or hazard.recorded_by_id in regulators
        if found and not hazard.regulator_found:
            changes["regulator_found"] = [False, True]
            hazard.regulator_found = True
        if not changes:
            continue
        event = HazardEvent(
            hazard_id=hazard.pk,
            region_id=hazard.region_id,
            seq=hazard.history_seq + 1,
            action="system_update",
            from_status=hazard.status,
            to_status=hazard.status,
            actor_id=None,
            actor_name="system",
            actor_role="",
            organisation_id=None,
            organisation_name="",
            created_at=now,
            reason="",
            data=_jsonable({"migration": "hazards.0006_backfill_deadlines"}),
            format=2,
            changes=_jsonable(changes),
            prev_hash=hazard.history_head,
        )
        event.hash = _hash(event)
        event.save(force_insert=True)
        Hazard.objects.filter(pk=hazard.pk).update(
            deadline=hazard.deadline,
            regulator_found=hazard.regulator_found,
            history_seq=event.seq,
            history_head=event.hash,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("hazards", "0005_deadlines_listing_assignment"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
