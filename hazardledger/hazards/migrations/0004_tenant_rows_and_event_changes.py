import django.core.serializers.json
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("hazards", "0003_random_upload_names"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="hazardevent",
            name="changes",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                encoder=django.core.serializers.json.DjangoJSONEncoder,
                verbose_name="changes",
            ),
        ),
        migrations.AddField(
            model_name="hazardevent",
            name="format",
            field=models.PositiveSmallIntegerField(
                default=1, editable=False, verbose_name="chain format"
            ),
        ),
        migrations.AlterField(
            model_name="hazard",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.organisation",
                verbose_name="responsible enterprise",
            ),
        ),
        migrations.AlterField(
            model_name="quickreport",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.organisation",
                verbose_name="responsible enterprise",
            ),
        ),
        migrations.AlterField(
            model_name="quickreport",
            name="region",
            field=models.ForeignKey(
                db_column="region_code",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="regions.region",
                verbose_name="region",
            ),
        ),
        migrations.AlterField(
            model_name="quickreport",
            name="sector",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="regions.sector",
                verbose_name="sector",
            ),
        ),
    ]
