import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import hazardledger.core.uploads


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_order_prefix_enforcement_id"),
        ("regions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="GeneratedReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("sectors", models.JSONField(blank=True, default=list, verbose_name="sectors")),
                (
                    "kind",
                    models.CharField(
                        choices=[("monthly", "Monthly report"), ("quarterly", "Quarterly report")],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("period_start", models.DateField(verbose_name="period from")),
                ("period_end", models.DateField(verbose_name="period to")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Waiting for the worker"),
                            ("running", "Being generated"),
                            ("done", "Ready"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("progress", models.PositiveSmallIntegerField(default=0, verbose_name="progress")),
                ("step", models.CharField(blank=True, max_length=100, verbose_name="step")),
                ("error", models.TextField(blank=True, verbose_name="error")),
                (
                    "requested_by_name",
                    models.CharField(blank=True, max_length=150, verbose_name="requested by"),
                ),
                ("language", models.CharField(blank=True, max_length=10, verbose_name="language")),
                (
                    "started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="started at"),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
                ),
                (
                    "pdf",
                    models.FileField(
                        blank=True,
                        max_length=255,
                        upload_to=hazardledger.core.uploads.RandomName(
                            "reports/generated", ("pdf",), fallback="pdf"
                        ),
                    ),
                ),
                (
                    "xlsx",
                    models.FileField(
                        blank=True,
                        max_length=255,
                        upload_to=hazardledger.core.uploads.RandomName(
                            "reports/generated", ("xlsx",), fallback="xlsx"
                        ),
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                        verbose_name="requested by body",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        db_column="region_code",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.region",
                        verbose_name="division",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requested by",
                    ),
                ),
            ],
            options={
                "verbose_name": "generated report",
                "verbose_name_plural": "generated reports",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["organisation", "created_at"], name="reports_report_org_time"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("progress__lte", 100)),
                        name="reports_generatedreport_progress_max",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("period_end__gte", models.F("period_start"))),
                        name="reports_generatedreport_period_order",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="StatisticsReturn",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "period",
                    models.CharField(
                        choices=[("quarter", "Quarterly return"), ("year", "Annual return")],
                        max_length=10,
                        verbose_name="period",
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("quarter", models.PositiveSmallIntegerField(default=0, verbose_name="quarter")),
                ("due_on", models.DateField(verbose_name="due on")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("due", "Not prepared"),
                            ("draft", "Awaiting the principal's signature"),
                            ("submitted", "Submitted"),
                        ],
                        default="due",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("figures", models.JSONField(blank=True, default=dict, verbose_name="figures")),
                ("version", models.PositiveIntegerField(default=0, editable=False)),
                (
                    "prepared_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="prepared at"),
                ),
                (
                    "prepared_by_name",
                    models.CharField(blank=True, max_length=150, verbose_name="prepared by"),
                ),
                (
                    "principal_name",
                    models.CharField(blank=True, max_length=100, verbose_name="principal"),
                ),
                (
                    "signature",
                    models.FileField(
                        blank=True,
                        max_length=255,
                        upload_to=hazardledger.core.uploads.RandomName(
                            "reports/signatures", ("jpg", "png", "webp")
                        ),
                        verbose_name="principal's signature",
                    ),
                ),
                (
                    "submitted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="submitted at"),
                ),
                (
                    "reminded_on",
                    models.DateField(blank=True, null=True, verbose_name="reminded on"),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="statistics_returns",
                        to="accounts.organisation",
                        verbose_name="enterprise",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        db_column="region_code",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.region",
                        verbose_name="region",
                    ),
                ),
                (
                    "signed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="signed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "statistics return",
                "verbose_name_plural": "statistics returns",
                "ordering": ["-year", "-quarter", "organisation_id"],
                "indexes": [
                    models.Index(fields=["year", "quarter", "status"], name="reports_return_period")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organisation", "period", "year", "quarter"),
                        name="reports_statisticsreturn_one_per_period",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("period", "year"), ("quarter", 0)),
                            models.Q(
                                ("period", "quarter"), ("quarter__gte", 1), ("quarter__lte", 4)
                            ),
                            _connector="OR",
                        ),
                        name="reports_statisticsreturn_quarter_matches_period",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "submitted"), _negated=True),
                            ("submitted_at__isnull", False),
                            _connector="OR",
                        ),
                        name="reports_statisticsreturn_submitted_has_time",
                    ),
                ],
            },
        ),
    ]
