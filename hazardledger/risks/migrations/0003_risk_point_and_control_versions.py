from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0002_random_upload_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="controlmeasure",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="riskpoint",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
    ]
