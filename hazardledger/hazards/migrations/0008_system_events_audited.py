"""Give the system events migration 0006 appended an entry in the audit trail, as every other
event has one (``verify_history`` compares each event with its entry).

Only those events: ``system_update`` events that name migration 0006 in their data and have no
entry yet. Any other event without an entry stays without one, so that ``verify_history`` keeps
reporting it. Each entry is dated like its event and says which migration wrote it.
"""

from django.db import migrations

BACKFILLED_BY = "hazards.0008_system_events_audited"


def backfill(apps, schema_editor):
    alias = schema_editor.connection.alias
    HazardEvent = apps.get_model("hazards", "HazardEvent")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    events = (
        HazardEvent.objects.using(alias)
        .filter(action="system_update", data__migration="hazards.0006_backfill_deadlines")
        .select_related("hazard")
        .order_by("id")
    )
    entries = []
    for event in events.iterator(chunk_size=2000):
        exists = AuditEvent.objects.using(alias).filter(
            object_type="hazards.hazard",
            object_id=str(event.hazard_id),
            data__event=event.seq,
        )
        if exists.exists():
            continue
        entries.append(
            AuditEvent(
                created_at=event.created_at,
                action="hazards.hazard.system_update",
                actor_name=event.actor_name,
                object_type="hazards.hazard",
                object_id=str(event.hazard_id),
                object_repr=f"#{event.hazard_id} {event.hazard.description[:40]}",
                before={"status": event.from_status},
                after={"status": event.to_status},
                data={"event": event.seq, "hash": event.hash, "backfilled_by": BACKFILLED_BY},
            )
        )
    AuditEvent.objects.using(alias).bulk_create(entries, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_chain_of_entries"),
        ("hazards", "0007_evidence_original_hash"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
