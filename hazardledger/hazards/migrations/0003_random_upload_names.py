from django.db import migrations, models

import hazardledger.core.uploads


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0002_history_append_only"),
    ]

    operations = [
        migrations.AlterField(
            model_name="evidence",
            name="file",
            field=models.FileField(
                max_length=255,
                upload_to=hazardledger.core.uploads.RandomName(
                    "hazards/evidence", ["jpg", "png", "webp", "pdf"]
                ),
                verbose_name="file",
            ),
        ),
        migrations.AlterField(
            model_name="evidence",
            name="thumbnail",
            field=models.FileField(
                blank=True,
                max_length=255,
                upload_to=hazardledger.core.uploads.RandomName("hazards/thumbs", ["jpg"]),
            ),
        ),
    ]
