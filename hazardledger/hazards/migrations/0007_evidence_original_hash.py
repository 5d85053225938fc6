"""Evidence rows carry the hash of the upload beside the hash of the stored bytes.

Until now the stored bytes were the upload itself (photos kept their location), so the upload's
hash of every existing row is its ``sha256``. From now on a photo is stored without its
location (``hazards.metadata.strip_location``) and the two differ.
"""

from django.db import migrations, models
from django.db.models import F


def backfill(apps, schema_editor):
    Evidence = apps.get_model("hazards", "Evidence")
    Evidence.objects.using(schema_editor.connection.alias).filter(original_sha256="").update(
        original_sha256=F("sha256")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0006_backfill_deadlines"),
    ]

    operations = [
        migrations.AddField(
            model_name="evidence",
            name="original_sha256",
            field=models.CharField(blank=True, max_length=64, verbose_name="hash of the upload"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
