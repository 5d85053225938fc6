from django.db import migrations, models

import hazardledger.core.uploads


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="riskpointphoto",
            name="image",
            field=models.ImageField(
                upload_to=hazardledger.core.uploads.RandomName(
                    "risks/photos", ["jpg", "png", "webp", "gif", "bmp", "tif"]
                ),
                verbose_name="photo",
            ),
        ),
    ]
