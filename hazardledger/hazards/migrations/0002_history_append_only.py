"""On PostgreSQL, refuse UPDATE and DELETE on the hazard history (append-only).

SQLite has no equivalent that a privileged user could not drop as easily; there
``manage.py verify_history`` detects changes through the hash chain instead.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION hazards_history_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'hazard history is append-only: % refused on event %', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS hazards_history_append_only ON hazards_hazardevent;
CREATE TRIGGER hazards_history_append_only
    BEFORE UPDATE OR DELETE ON hazards_hazardevent
    FOR EACH ROW EXECUTE FUNCTION hazards_history_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS hazards_history_append_only ON hazards_hazardevent;
DROP FUNCTION IF EXISTS hazards_history_refuse_change();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)  # no parameters: the % in RAISE is not a placeholder


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
