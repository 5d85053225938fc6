import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_order_prefix_enforcement_id"),
        ("hazards", "0006_backfill_deadlines"),
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="RollupQueue",
            fields=[
                ("hazard_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("reread", models.BooleanField(default=False)),
            ],
            options={
                "verbose_name": "queued rollup",
                "verbose_name_plural": "queued rollups",
            },
        ),
        migrations.CreateModel(
            name="SiteState",
            fields=[
                (
                    "site",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="registry.site",
                    ),
                ),
                ("region", models.CharField(max_length=12)),
                ("sector", models.CharField(max_length=40)),
                ("risk_level", models.CharField(blank=True, max_length=10)),
            ],
            options={
                "verbose_name": "site rollup state",
                "verbose_name_plural": "site rollup states",
            },
        ),
        migrations.CreateModel(
            name="CurrentCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region", models.CharField(max_length=12)),
                ("parent", models.CharField(max_length=12)),
                ("sector", models.CharField(max_length=40)),
                ("grade", models.CharField(max_length=10)),
                ("status", models.CharField(max_length=20)),
                ("hazards", models.IntegerField(default=0)),
                ("overdue", models.IntegerField(default=0)),
                ("review_overdue", models.IntegerField(default=0)),
                ("listed", models.IntegerField(default=0)),
                ("escalated", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "current count",
                "verbose_name_plural": "current counts",
                "indexes": [
                    models.Index(fields=["parent", "sector"], name="reporting_current_parent")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("region", "sector", "grade", "status"),
                        name="reporting_currentcount_unique_bucket",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DailyTotal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("found", models.IntegerField(default=0)),
                ("rectified", models.IntegerField(default=0)),
                ("rectified_on_time", models.IntegerField(default=0)),
                ("closed", models.IntegerField(default=0)),
                ("closed_on_time", models.IntegerField(default=0)),
                ("listed", models.IntegerField(default=0)),
                ("delisted", models.IntegerField(default=0)),
                ("day", models.DateField()),
                ("region", models.CharField(max_length=12)),
                ("sector", models.CharField(max_length=40)),
                ("grade", models.CharField(max_length=10)),
                ("source", models.CharField(max_length=30)),
            ],
            options={
                "verbose_name": "daily total",
                "verbose_name_plural": "daily totals",
                "indexes": [
                    models.Index(fields=["day", "region"], name="reporting_daily_day_region")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("region", "sector", "day", "grade", "source"),
                        name="reporting_dailytotal_unique_bucket",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="MonthlyTotal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("found", models.IntegerField(default=0)),
                ("rectified", models.IntegerField(default=0)),
                ("rectified_on_time", models.IntegerField(default=0)),
                ("closed", models.IntegerField(default=0)),
                ("closed_on_time", models.IntegerField(default=0)),
                ("listed", models.IntegerField(default=0)),
                ("delisted", models.IntegerField(default=0)),
                ("month", models.DateField(help_text="The first day of the month.")),
                ("region", models.CharField(max_length=12)),
                ("parent", models.CharField(max_length=12)),
                ("sector", models.CharField(max_length=40)),
                ("grade", models.CharField(max_length=10)),
                ("source", models.CharField(max_length=30)),
            ],
            options={
                "verbose_name": "monthly total",
                "verbose_name_plural": "monthly totals",
                "indexes": [
                    models.Index(
                        fields=["parent", "sector", "month"], name="reporting_monthly_parent"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("region", "sector", "month", "grade", "source"),
                        name="reporting_monthlytotal_unique_bucket",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SiteCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region", models.CharField(max_length=12)),
                ("parent", models.CharField(max_length=12)),
                ("sector", models.CharField(max_length=40)),
                ("risk_level", models.CharField(blank=True, max_length=10)),
                ("sites", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "site count",
                "verbose_name_plural": "site counts",
                "indexes": [
                    models.Index(fields=["parent", "sector"], name="reporting_sitecount_parent")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("region", "sector", "risk_level"),
                        name="reporting_sitecount_unique_bucket",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="HazardState",
            fields=[
                (
                    "hazard",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="hazards.hazard",
                    ),
                ),
                ("region", models.CharField(max_length=12, verbose_name="township")),
                ("sector", models.CharField(max_length=40, verbose_name="sector")),
                ("grade", models.CharField(max_length=10, verbose_name="grade")),
                ("source", models.CharField(max_length=30, verbose_name="source")),
                ("status", models.CharField(max_length=20, verbose_name="status")),
                ("found_on", models.DateField(verbose_name="date found")),
                ("closed_on", models.DateField(blank=True, null=True, verbose_name="date closed")),
                ("on_time", models.BooleanField(default=False, verbose_name="closed on time")),
                ("listed_on", models.DateField(blank=True, null=True)),
                ("delisted_on", models.DateField(blank=True, null=True)),
                ("escalated_ever", models.BooleanField(default=False)),
                ("overdue", models.BooleanField(default=False)),
                ("review_overdue", models.BooleanField(default=False)),
                ("listed", models.BooleanField(default=False)),
                ("changes_after", models.DateField(blank=True, null=True)),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "hazard rollup state",
                "verbose_name_plural": "hazard rollup states",
                "indexes": [
                    models.Index(
                        condition=models.Q(("changes_after__isnull", False)),
                        fields=["changes_after"],
                        name="reporting_hs_changes_after",
                    ),
                    models.Index(
                        fields=["organisation", "found_on"], name="reporting_hs_org_found"
                    ),
                ],
            },
        ),
    ]
