"""Risk points keep the method of their current assessment beside its value (issue 11): the
column, then filled from each point's current assessment, one UPDATE per method."""

from django.db import migrations, models


def copy_methods(apps, schema_editor):
    RiskPoint = apps.get_model("risks", "RiskPoint")
    RiskAssessment = apps.get_model("risks", "RiskAssessment")
    alias = schema_editor.connection.alias
    for method in ("lec", "matrix"):
        current = RiskAssessment.objects.using(alias).filter(is_current=True, method=method)
        RiskPoint.objects.using(alias).filter(pk__in=current.values("risk_point_id")).update(
            method=method
        )


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0003_risk_point_and_control_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="riskpoint",
            name="method",
            field=models.CharField(
                blank=True,
                choices=[("lec", "LEC (D = L × E × C)"), ("matrix", "Risk matrix (R = L × S)")],
                default="",
                max_length=10,
                verbose_name="method",
            ),
        ),
        migrations.RunPython(copy_methods, migrations.RunPython.noop),
    ]
