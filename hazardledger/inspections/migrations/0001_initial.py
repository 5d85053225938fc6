import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("hazards", "0002_history_append_only"),
        ("regions", "0001_initial"),
        ("registry", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Checklist",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=60, verbose_name="code")),
                ("version", models.PositiveIntegerField(verbose_name="version")),
                ("title_zh", models.CharField(max_length=200, verbose_name="Chinese title")),
                ("title_en", models.CharField(max_length=200, verbose_name="English title")),
                ("sectors", models.JSONField(blank=True, default=list, verbose_name="sectors")),
                (
                    "site_kinds",
                    models.JSONField(blank=True, default=list, verbose_name="site kinds"),
                ),
                (
                    "standard",
                    models.CharField(
                        blank=True, max_length=300, verbose_name="determination standard"
                    ),
                ),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("source_sha256", models.CharField(max_length=64)),
                ("source_text", models.TextField(blank=True, verbose_name="source file")),
                ("is_current", models.BooleanField(default=True, verbose_name="current")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="loaded at")),
                (
                    "created_by_name",
                    models.CharField(blank=True, max_length=150, verbose_name="loaded by"),
                ),
            ],
            options={
                "verbose_name": "checklist",
                "verbose_name_plural": "checklists",
                "ordering": ["code", "-version"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("code", "version"), name="inspections_checklist_unique_version"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("is_current", True)),
                        fields=("code",),
                        name="inspections_checklist_one_current",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ChecklistItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField(verbose_name="number")),
                ("code", models.CharField(max_length=40, verbose_name="code")),
                (
                    "section_zh",
                    models.CharField(blank=True, max_length=200, verbose_name="section"),
                ),
                (
                    "section_en",
                    models.CharField(blank=True, max_length=200, verbose_name="section"),
                ),
                ("text_zh", models.TextField(verbose_name="Chinese text")),
                ("text_en", models.TextField(verbose_name="English text")),
                ("basis", models.TextField(blank=True, verbose_name="legal basis")),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("equipment", "Equipment and facilities"),
                            ("process", "Process"),
                            ("electrical", "Electrical"),
                            ("fire", "Fire"),
                            ("management", "Personnel and management"),
                            ("environment", "Environment and site"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=20,
                        verbose_name="hazard category",
                    ),
                ),
                (
                    "major_clause",
                    models.CharField(blank=True, max_length=60, verbose_name="major-hazard clause"),
                ),
                (
                    "clause_label",
                    models.CharField(blank=True, max_length=300, verbose_name="clause"),
                ),
                (
                    "checklist",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="items",
                        to="inspections.checklist",
                        verbose_name="checklist",
                    ),
                ),
            ],
            options={
                "verbose_name": "checklist item",
                "verbose_name_plural": "checklist items",
                "ordering": ["checklist_id", "position"],
            },
        ),
        migrations.CreateModel(
            name="Draw",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("seed", models.BigIntegerField(verbose_name="seed")),
                ("inputs", models.JSONField(default=dict, verbose_name="inputs")),
                ("input_hash", models.CharField(max_length=64, verbose_name="input hash")),
                ("result", models.JSONField(blank=True, default=dict, verbose_name="result")),
                (
                    "status",
                    models.CharField(
                        choices=[("sealed", "Seed recorded, not drawn yet"), ("drawn", "Drawn")],
                        default="sealed",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("planned_on", models.DateField(verbose_name="planned for")),
                ("created_by_name", models.CharField(max_length=150, verbose_name="drawn by")),
                ("drawn_at", models.DateTimeField(blank=True, null=True, verbose_name="drawn at")),
                (
                    "created_by",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
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
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.sector",
                        verbose_name="sector",
                    ),
                ),
            ],
            options={
                "verbose_name": "double-random draw",
                "verbose_name_plural": "double-random draws",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Inspection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("self", "Enterprise self-inspection"),
                            ("routine", "Routine regulatory inspection"),
                            ("campaign", "Campaign inspection"),
                            ("double_random", "Double-random inspection"),
                            ("complaint", "Complaint follow-up"),
                            ("recheck", "Rectification re-check"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("in_progress", "In progress"),
                            ("submitted", "Submitted"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="planned",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("planned_on", models.DateField(verbose_name="planned for")),
                (
                    "started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="started at"),
                ),
                (
                    "finished_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="finished at (device time)"
                    ),
                ),
                (
                    "submitted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="submitted at"),
                ),
                (
                    "latitude",
                    models.DecimalField(
                        blank=True,
                        decimal_places=6,
                        max_digits=9,
                        null=True,
                        verbose_name="latitude",
                    ),
                ),
                (
                    "longitude",
                    models.DecimalField(
                        blank=True,
                        decimal_places=6,
                        max_digits=9,
                        null=True,
                        verbose_name="longitude",
                    ),
                ),
                (
                    "gps_accuracy",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="GPS accuracy (m)"
                    ),
                ),
                (
                    "inspector_signature",
                    models.FileField(
                        blank=True, max_length=255, upload_to="inspections/signatures/%Y/%m/"
                    ),
                ),
                (
                    "site_signature",
                    models.FileField(
                        blank=True, max_length=255, upload_to="inspections/signatures/%Y/%m/"
                    ),
                ),
                (
                    "site_representative",
                    models.CharField(
                        blank=True, max_length=100, verbose_name="site representative"
                    ),
                ),
                ("note", models.TextField(blank=True, max_length=2000, verbose_name="note")),
                ("submission_uuid", models.UUIDField(blank=True, editable=False, null=True)),
                ("content_hash", models.CharField(blank=True, editable=False, max_length=64)),
                (
                    "submitted_by_name",
                    models.CharField(blank=True, max_length=150, verbose_name="submitted by"),
                ),
                (
                    "checklist",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="inspections",
                        to="inspections.checklist",
                        verbose_name="checklist",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "draw",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="inspections",
                        to="inspections.draw",
                        verbose_name="draw",
                    ),
                ),
                (
                    "inspectors",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="inspectors",
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
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.site",
                        verbose_name="site",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "inspection",
                "verbose_name_plural": "inspections",
                "ordering": ["-planned_on", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ItemResult",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(unique=True)),
                (
                    "outcome",
                    models.CharField(
                        choices=[("pass", "Pass"), ("fail", "Fail"), ("na", "Not applicable")],
                        max_length=4,
                        verbose_name="result",
                    ),
                ),
                ("note", models.TextField(blank=True, max_length=1000, verbose_name="note")),
                ("recorded_at", models.DateTimeField(verbose_name="recorded at")),
                (
                    "inspection",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="results",
                        to="inspections.inspection",
                        verbose_name="inspection",
                    ),
                ),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="inspections.checklistitem",
                        verbose_name="item",
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
            ],
            options={
                "verbose_name": "item result",
                "verbose_name_plural": "item results",
                "ordering": ["inspection_id", "item__position"],
            },
        ),
        migrations.CreateModel(
            name="ItemPhoto",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=255, upload_to="inspections/photos/%Y/%m/", verbose_name="file"
                    ),
                ),
                ("content_type", models.CharField(max_length=50)),
                ("size", models.PositiveIntegerField(verbose_name="size")),
                ("sha256", models.CharField(max_length=64)),
                (
                    "uploaded_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="uploaded at"),
                ),
                (
                    "region",
                    models.ForeignKey(
                        db_column="region_code",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.region",
                    ),
                ),
                (
                    "result",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="photos",
                        to="inspections.itemresult",
                        verbose_name="item result",
                    ),
                ),
            ],
            options={
                "verbose_name": "item photo",
                "verbose_name_plural": "item photos",
                "ordering": ["result_id", "id"],
            },
        ),
        migrations.CreateModel(
            name="HazardDraft",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Awaiting confirmation"),
                            ("recorded", "Recorded in the ledger"),
                            ("dismissed", "Dismissed"),
                        ],
                        default="draft",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "checklist_grade",
                    models.CharField(
                        choices=[("general", "General hazard"), ("major", "Major hazard")],
                        max_length=10,
                        verbose_name="grade by the checklist",
                    ),
                ),
                (
                    "grade",
                    models.CharField(
                        choices=[("general", "General hazard"), ("major", "Major hazard")],
                        max_length=10,
                        verbose_name="grade",
                    ),
                ),
                (
                    "override_reason",
                    models.TextField(blank=True, verbose_name="reason for changing the grade"),
                ),
                (
                    "clause",
                    models.CharField(blank=True, max_length=60, verbose_name="major-hazard clause"),
                ),
                ("basis", models.TextField(blank=True, verbose_name="basis")),
                ("description", models.TextField(max_length=2000, verbose_name="description")),
                (
                    "location",
                    models.CharField(blank=True, max_length=200, verbose_name="where at the site"),
                ),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("equipment", "Equipment and facilities"),
                            ("process", "Process"),
                            ("electrical", "Electrical"),
                            ("fire", "Fire"),
                            ("management", "Personnel and management"),
                            ("environment", "Environment and site"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="category",
                    ),
                ),
                ("decided_by_name", models.CharField(blank=True, max_length=150)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "hazard",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="inspection_draft",
                        to="hazards.hazard",
                        verbose_name="hazard",
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
                    "inspection",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="drafts",
                        to="inspections.inspection",
                        verbose_name="inspection",
                    ),
                ),
                (
                    "result",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="draft",
                        to="inspections.itemresult",
                        verbose_name="item result",
                    ),
                ),
            ],
            options={
                "verbose_name": "hazard draft",
                "verbose_name_plural": "hazard drafts",
                "ordering": ["inspection_id", "id"],
            },
        ),
        migrations.CreateModel(
            name="RecheckDecision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[("accept", "Accepted"), ("reject", "Rejected")],
                        max_length=10,
                        verbose_name="decision",
                    ),
                ),
                ("comment", models.TextField(blank=True, verbose_name="comment")),
                ("decided_by_name", models.CharField(max_length=150)),
                ("decided_at", models.DateTimeField()),
                (
                    "hazard",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="hazards.hazard",
                        verbose_name="hazard",
                    ),
                ),
                (
                    "inspection",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recheck_decisions",
                        to="inspections.inspection",
                        verbose_name="inspection",
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
            ],
            options={
                "verbose_name": "re-check decision",
                "verbose_name_plural": "re-check decisions",
                "ordering": ["inspection_id", "id"],
            },
        ),
        migrations.AddConstraint(
            model_name="checklistitem",
            constraint=models.UniqueConstraint(
                fields=("checklist", "code"), name="inspections_checklistitem_unique_code"
            ),
        ),
        migrations.AddIndex(
            model_name="draw",
            index=models.Index(fields=["region", "sector"], name="inspections_draw_region"),
        ),
        migrations.AddIndex(
            model_name="inspection",
            index=models.Index(fields=["region", "status"], name="inspections_insp_region_status"),
        ),
        migrations.AddIndex(
            model_name="inspection",
            index=models.Index(fields=["sector", "region"], name="inspections_insp_sector_region"),
        ),
        migrations.AddIndex(
            model_name="inspection",
            index=models.Index(
                fields=["organisation", "status"], name="inspections_insp_org_status"
            ),
        ),
        migrations.AddIndex(
            model_name="inspection",
            index=models.Index(fields=["site", "status"], name="inspections_insp_site_status"),
        ),
        migrations.AddIndex(
            model_name="itemresult",
            index=models.Index(fields=["region", "outcome"], name="inspections_res_region"),
        ),
        migrations.AddConstraint(
            model_name="itemresult",
            constraint=models.UniqueConstraint(
                fields=("inspection", "item"), name="inspections_itemresult_one_per_item"
            ),
        ),
        migrations.AddConstraint(
            model_name="itemphoto",
            constraint=models.UniqueConstraint(
                fields=("result", "sha256"), name="inspections_itemphoto_unique_content"
            ),
        ),
    ]
