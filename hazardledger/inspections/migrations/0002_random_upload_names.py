from django.db import migrations, models

import hazardledger.core.uploads


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="inspection",
            name="inspector_signature",
            field=models.FileField(
                blank=True,
                max_length=255,
                upload_to=hazardledger.core.uploads.RandomName(
                    "inspections/signatures", ("jpg", "png", "webp")
                ),
            ),
        ),
        migrations.AlterField(
            model_name="inspection",
            name="site_signature",
            field=models.FileField(
                blank=True,
                max_length=255,
                upload_to=hazardledger.core.uploads.RandomName(
                    "inspections/signatures", ("jpg", "png", "webp")
                ),
            ),
        ),
        migrations.AlterField(
            model_name="itemphoto",
            name="file",
            field=models.FileField(
                max_length=255,
                upload_to=hazardledger.core.uploads.RandomName(
                    "inspections/photos", ("jpg", "png", "webp")
                ),
                verbose_name="file",
            ),
        ),
    ]
