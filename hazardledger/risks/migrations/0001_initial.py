import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import hazardledger.risks.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("regions", "0001_initial"),
        ("registry", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RiskPoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "kind",
                    models.CharField(
                        choices=[("place", "Place or facility"), ("activity", "Work activity")],
                        default="place",
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "location",
                    models.CharField(
                        blank=True,
                        help_text="Where at the site, or which work step.",
                        max_length=200,
                        verbose_name="place or activity",
                    ),
                ),
                ("hazard_types", models.JSONField(default=list, verbose_name="hazard types")),
                (
                    "consequences",
                    models.TextField(blank=True, verbose_name="possible consequences"),
                ),
                (
                    "emergency_phone",
                    models.CharField(
                        blank=True,
                        help_text="The site's own emergency number, printed on the notice card.",
                        max_length=30,
                        verbose_name="emergency phone",
                    ),
                ),
                (
                    "grade",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("major", "Major risk"),
                            ("large", "Large risk"),
                            ("general", "General risk"),
                            ("low", "Low risk"),
                        ],
                        default="",
                        max_length=10,
                        verbose_name="grade",
                    ),
                ),
                (
                    "risk_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=3,
                        max_digits=10,
                        null=True,
                        verbose_name="risk value",
                    ),
                ),
                (
                    "assessed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="assessed at"),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                        verbose_name="responsible enterprise",
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
                    "sector",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.sector",
                        verbose_name="sector",
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="risk_points",
                        to="registry.site",
                        verbose_name="site",
                    ),
                ),
            ],
            options={
                "verbose_name": "risk point",
                "verbose_name_plural": "risk points",
                "ordering": ["site_id", "name", "id"],
            },
        ),
        migrations.CreateModel(
            name="RiskAssessment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("lec", "LEC (D = L × E × C)"),
                            ("matrix", "Risk matrix (R = L × S)"),
                        ],
                        max_length=10,
                        verbose_name="method",
                    ),
                ),
                ("l", models.DecimalField(decimal_places=2, max_digits=6, verbose_name="L")),
                (
                    "e",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=6, null=True, verbose_name="E"
                    ),
                ),
                (
                    "c",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=6, null=True, verbose_name="C"
                    ),
                ),
                (
                    "s",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=6, null=True, verbose_name="S"
                    ),
                ),
                (
                    "value",
                    models.DecimalField(decimal_places=3, max_digits=10, verbose_name="value"),
                ),
                (
                    "grade",
                    models.CharField(
                        choices=[
                            ("major", "Major risk"),
                            ("large", "Large risk"),
                            ("general", "General risk"),
                            ("low", "Low risk"),
                        ],
                        max_length=10,
                        verbose_name="grade",
                    ),
                ),
                (
                    "danger_class",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("extreme", "Extremely dangerous, stop work"),
                            ("high", "Highly dangerous, fix immediately"),
                            ("significant", "Significantly dangerous, needs fixing"),
                            ("some", "Some danger, needs attention"),
                            ("slight", "Slight danger, acceptable"),
                        ],
                        max_length=15,
                        verbose_name="danger class",
                    ),
                ),
                ("threshold_set", models.CharField(max_length=20, verbose_name="threshold set")),
                (
                    "threshold_version",
                    models.PositiveSmallIntegerField(verbose_name="threshold set version"),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("is_current", models.BooleanField(default=True, verbose_name="current")),
                ("assessed_at", models.DateTimeField(verbose_name="assessed at")),
                (
                    "assessed_by_name",
                    models.CharField(blank=True, max_length=150, verbose_name="assessed by"),
                ),
                (
                    "assessed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assessed by",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                        verbose_name="responsible enterprise",
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
                    "sector",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.sector",
                        verbose_name="sector",
                    ),
                ),
                (
                    "risk_point",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assessments",
                        to="risks.riskpoint",
                        verbose_name="risk point",
                    ),
                ),
            ],
            options={
                "verbose_name": "risk assessment",
                "verbose_name_plural": "risk assessments",
                "ordering": ["-assessed_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ControlMeasure",
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
                    "kind",
                    models.CharField(
                        choices=[
                            ("engineering", "Engineering"),
                            ("management", "Management"),
                            ("training", "Training and education"),
                            ("personal_protection", "Personal protection"),
                            ("emergency", "Emergency measures"),
                        ],
                        max_length=25,
                        verbose_name="kind",
                    ),
                ),
                ("description", models.TextField(verbose_name="measure")),
                (
                    "level",
                    models.CharField(
                        choices=[
                            ("company", "Company"),
                            ("workshop", "Workshop"),
                            ("team", "Team"),
                            ("post", "Post"),
                        ],
                        max_length=10,
                        verbose_name="controlling level",
                    ),
                ),
                (
                    "responsible_person",
                    models.CharField(max_length=50, verbose_name="responsible person"),
                ),
                (
                    "responsible_phone",
                    models.CharField(
                        blank=True, max_length=30, verbose_name="responsible person's phone"
                    ),
                ),
                (
                    "check_item",
                    models.CharField(
                        blank=True,
                        help_text="What a self-inspection checks; leave empty to check the measure itself.",
                        max_length=300,
                        verbose_name="check item",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                        verbose_name="responsible enterprise",
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
                    "sector",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.sector",
                        verbose_name="sector",
                    ),
                ),
                (
                    "risk_point",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="controls",
                        to="risks.riskpoint",
                        verbose_name="risk point",
                    ),
                ),
            ],
            options={
                "verbose_name": "control measure",
                "verbose_name_plural": "control measures",
                "ordering": ["risk_point_id", "kind", "id"],
            },
        ),
        migrations.CreateModel(
            name="RiskPointPhoto",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "image",
                    models.ImageField(
                        upload_to=hazardledger.risks.models._photo_path, verbose_name="photo"
                    ),
                ),
                ("caption", models.CharField(blank=True, max_length=200, verbose_name="caption")),
                (
                    "uploaded_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="uploaded at"),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                        verbose_name="responsible enterprise",
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
                    "risk_point",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="photos",
                        to="risks.riskpoint",
                        verbose_name="risk point",
                    ),
                ),
                (
                    "sector",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.sector",
                        verbose_name="sector",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "risk point photo",
                "verbose_name_plural": "risk point photos",
                "ordering": ["risk_point_id", "id"],
            },
        ),
        migrations.CreateModel(
            name="SiteInspectionSchedule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "last_inspected_on",
                    models.DateField(blank=True, null=True, verbose_name="last inspected on"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                        verbose_name="responsible enterprise",
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
                    "sector",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.sector",
                        verbose_name="sector",
                    ),
                ),
                (
                    "site",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="inspection_schedule",
                        to="registry.site",
                        verbose_name="site",
                    ),
                ),
            ],
            options={
                "verbose_name": "site inspection schedule",
                "verbose_name_plural": "site inspection schedules",
            },
        ),
        migrations.AddIndex(
            model_name="riskpoint",
            index=models.Index(
                fields=["region", "sector", "grade"], name="risks_riskpoint_region_grade"
            ),
        ),
        migrations.AddIndex(
            model_name="riskpoint",
            index=models.Index(fields=["organisation", "site"], name="risks_riskpoint_org_site"),
        ),
        migrations.AddConstraint(
            model_name="riskpoint",
            constraint=models.CheckConstraint(
                condition=models.Q(("grade__in", ["", "major", "large", "general", "low"])),
                name="risks_riskpoint_grade_valid",
            ),
        ),
        migrations.AddIndex(
            model_name="riskassessment",
            index=models.Index(
                fields=["risk_point", "-assessed_at"], name="risks_assess_point_time"
            ),
        ),
        migrations.AddConstraint(
            model_name="riskassessment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_current", True)),
                fields=("risk_point",),
                name="risks_riskassessment_one_current",
            ),
        ),
        migrations.AddConstraint(
            model_name="riskassessment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("c__isnull", False),
                        ("e__isnull", False),
                        ("method", "lec"),
                        ("s__isnull", True),
                    ),
                    models.Q(
                        ("c__isnull", True),
                        ("e__isnull", True),
                        ("method", "matrix"),
                        ("s__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="risks_riskassessment_factors_fit_method",
            ),
        ),
        migrations.AddConstraint(
            model_name="riskassessment",
            constraint=models.CheckConstraint(
                condition=models.Q(("grade__in", ["major", "large", "general", "low"])),
                name="risks_riskassessment_grade_valid",
            ),
        ),
    ]
