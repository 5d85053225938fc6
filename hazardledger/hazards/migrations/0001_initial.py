import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


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
            name="Hazard",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("location", models.CharField(max_length=200, verbose_name="where at the site")),
                ("description", models.TextField(max_length=2000, verbose_name="description")),
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
                (
                    "grade",
                    models.CharField(
                        choices=[("general", "General hazard"), ("major", "Major hazard")],
                        max_length=10,
                        verbose_name="grade",
                    ),
                ),
                (
                    "grade_basis",
                    models.TextField(
                        blank=True,
                        help_text="For a major hazard: the clause of the determination standard it meets.",
                        max_length=1000,
                        verbose_name="basis for the grade",
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("self_inspection", "Enterprise self-inspection"),
                            ("regulatory_inspection", "Regulatory inspection"),
                            ("campaign", "Campaign"),
                            ("public_report", "Public report"),
                            ("other", "Other"),
                        ],
                        max_length=30,
                        verbose_name="source",
                    ),
                ),
                ("found_by_name", models.CharField(max_length=100, verbose_name="found by")),
                ("found_on", models.DateField(verbose_name="date found")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("recorded", "Recorded"),
                            ("rectifying", "Rectifying"),
                            ("fixed", "Fixed on the spot"),
                            ("submitted", "Submitted for acceptance"),
                            ("closed", "Closed"),
                            ("voided", "Voided"),
                            ("reopened", "Reopened"),
                        ],
                        default="recorded",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "interim_measures",
                    models.JSONField(blank=True, default=list, verbose_name="interim measures"),
                ),
                (
                    "interim_note",
                    models.TextField(
                        blank=True, max_length=1000, verbose_name="interim measures, details"
                    ),
                ),
                (
                    "reported_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="reported to the regulator at"
                    ),
                ),
                ("deadline", models.DateField(blank=True, null=True, verbose_name="deadline")),
                (
                    "completed_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="rectification completed at"
                    ),
                ),
                (
                    "accepted_by_name",
                    models.CharField(blank=True, max_length=100, verbose_name="accepted by"),
                ),
                (
                    "closed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("history_seq", models.PositiveIntegerField(default=0, editable=False)),
                (
                    "history_head",
                    models.CharField(
                        default="0000000000000000000000000000000000000000000000000000000000000000",
                        editable=False,
                        max_length=64,
                    ),
                ),
                (
                    "found_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="found by",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="hazards",
                        to="accounts.organisation",
                        verbose_name="responsible enterprise",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
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
                        related_name="hazards",
                        to="registry.site",
                        verbose_name="site",
                    ),
                ),
            ],
            options={
                "verbose_name": "hazard",
                "verbose_name_plural": "hazards",
                "ordering": ["-found_on", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ExtensionRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("current_deadline", models.DateField(verbose_name="current deadline")),
                ("requested_deadline", models.DateField(verbose_name="requested deadline")),
                ("reason", models.TextField(max_length=2000, verbose_name="reason")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("approved", "Approved"),
                            ("refused", "Refused"),
                            ("withdrawn", "Withdrawn on submission"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("requested_by_name", models.CharField(blank=True, max_length=100)),
                ("requested_at", models.DateTimeField(verbose_name="requested at")),
                ("decided_by_name", models.CharField(blank=True, max_length=100)),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                ("decision_comment", models.TextField(blank=True, verbose_name="comment")),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
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
                    ),
                ),
                (
                    "hazard",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="extensions",
                        to="hazards.hazard",
                        verbose_name="hazard",
                    ),
                ),
            ],
            options={
                "verbose_name": "deadline extension request",
                "verbose_name_plural": "deadline extension requests",
                "ordering": ["-requested_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="HazardEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.PositiveIntegerField(verbose_name="number")),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("record", "Recorded"),
                            ("plan", "Rectification plan filed"),
                            ("fix", "Fixed on the spot"),
                            ("confirm", "On-the-spot fix confirmed"),
                            ("submit", "Submitted for acceptance"),
                            ("accept", "Accepted and signed off"),
                            ("reject", "Rejected"),
                            ("request_extension", "Deadline extension requested"),
                            ("approve_extension", "Deadline extension approved"),
                            ("refuse_extension", "Deadline extension refused"),
                            ("void", "Voided"),
                            ("reopen", "Reopened"),
                        ],
                        max_length=30,
                        verbose_name="action",
                    ),
                ),
                (
                    "from_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("recorded", "Recorded"),
                            ("rectifying", "Rectifying"),
                            ("fixed", "Fixed on the spot"),
                            ("submitted", "Submitted for acceptance"),
                            ("closed", "Closed"),
                            ("voided", "Voided"),
                            ("reopened", "Reopened"),
                        ],
                        max_length=20,
                        verbose_name="from",
                    ),
                ),
                (
                    "to_status",
                    models.CharField(
                        choices=[
                            ("recorded", "Recorded"),
                            ("rectifying", "Rectifying"),
                            ("fixed", "Fixed on the spot"),
                            ("submitted", "Submitted for acceptance"),
                            ("closed", "Closed"),
                            ("voided", "Voided"),
                            ("reopened", "Reopened"),
                        ],
                        max_length=20,
                        verbose_name="to",
                    ),
                ),
                ("actor_name", models.CharField(max_length=150, verbose_name="actor")),
                ("actor_role", models.CharField(blank=True, max_length=30, verbose_name="role")),
                (
                    "organisation_name",
                    models.CharField(blank=True, max_length=200, verbose_name="organisation"),
                ),
                ("created_at", models.DateTimeField(verbose_name="time")),
                ("reason", models.TextField(blank=True, verbose_name="reason or comment")),
                (
                    "data",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        verbose_name="data",
                    ),
                ),
                ("prev_hash", models.CharField(max_length=64)),
                ("hash", models.CharField(max_length=64, unique=True)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                (
                    "hazard",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="hazards.hazard",
                        verbose_name="hazard",
                    ),
                ),
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
                (
                    "region",
                    models.ForeignKey(
                        db_column="region_code",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.region",
                    ),
                ),
            ],
            options={
                "verbose_name": "hazard event",
                "verbose_name_plural": "hazard history",
                "ordering": ["hazard_id", "seq"],
            },
        ),
        migrations.CreateModel(
            name="QuickReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("location", models.CharField(blank=True, max_length=200, verbose_name="where")),
                ("description", models.TextField(max_length=1000, verbose_name="what is wrong")),
                (
                    "latitude",
                    models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True),
                ),
                (
                    "longitude",
                    models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True),
                ),
                ("reporter_name", models.CharField(max_length=100, verbose_name="reported by")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("new", "Awaiting triage"),
                            ("accepted", "Recorded in the ledger"),
                            ("rejected", "Rejected"),
                        ],
                        default="new",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("triaged_by_name", models.CharField(blank=True, max_length=100)),
                ("triaged_at", models.DateTimeField(blank=True, null=True)),
                ("rejection_reason", models.TextField(blank=True, verbose_name="reason")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "hazard",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="quick_report",
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
                    ),
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
                    "reporter",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reported by",
                    ),
                ),
                (
                    "sector",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.sector",
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
            ],
            options={
                "verbose_name": "quick report",
                "verbose_name_plural": "quick reports",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Evidence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "stage",
                    models.CharField(
                        choices=[
                            ("found", "When found"),
                            ("plan", "Plan"),
                            ("fix", "Rectification"),
                            ("acceptance", "Acceptance"),
                            ("report", "Quick report"),
                        ],
                        max_length=20,
                        verbose_name="stage",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("photo", "Photo"), ("document", "Document")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=255, upload_to="hazards/evidence/%Y/%m/", verbose_name="file"
                    ),
                ),
                (
                    "thumbnail",
                    models.FileField(blank=True, max_length=255, upload_to="hazards/thumbs/%Y/%m/"),
                ),
                ("original_name", models.CharField(max_length=255, verbose_name="file name")),
                ("content_type", models.CharField(max_length=50)),
                ("size", models.PositiveIntegerField(verbose_name="size")),
                ("sha256", models.CharField(max_length=64)),
                (
                    "taken_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="photo taken at"),
                ),
                (
                    "latitude",
                    models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True),
                ),
                (
                    "longitude",
                    models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True),
                ),
                ("uploaded_at", models.DateTimeField(verbose_name="uploaded at")),
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
                    "uploaded_by",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "hazard",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="evidence",
                        to="hazards.hazard",
                        verbose_name="hazard",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="evidence",
                        to="hazards.hazardevent",
                    ),
                ),
                (
                    "quick_report",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="evidence",
                        to="hazards.quickreport",
                    ),
                ),
            ],
            options={
                "verbose_name": "evidence",
                "verbose_name_plural": "evidence",
                "ordering": ["uploaded_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="RectificationPlan",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "responsible_unit",
                    models.CharField(blank=True, max_length=200, verbose_name="responsible unit"),
                ),
                (
                    "responsible_person",
                    models.CharField(max_length=100, verbose_name="responsible person"),
                ),
                ("measures", models.TextField(max_length=4000, verbose_name="measures")),
                (
                    "funds",
                    models.DecimalField(
                        decimal_places=2, max_digits=14, verbose_name="funds (yuan)"
                    ),
                ),
                ("deadline", models.DateField(verbose_name="deadline")),
                (
                    "contingency_plan",
                    models.TextField(blank=True, max_length=4000, verbose_name="contingency plan"),
                ),
                (
                    "governance_programme",
                    models.TextField(
                        blank=True, max_length=8000, verbose_name="governance programme"
                    ),
                ),
                ("created_at", models.DateTimeField(verbose_name="filed at")),
                (
                    "closed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
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
                    "hazard",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="plans",
                        to="hazards.hazard",
                        verbose_name="hazard",
                    ),
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
            ],
            options={
                "verbose_name": "rectification plan",
                "verbose_name_plural": "rectification plans",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                fields=["region", "status", "grade", "deadline"], name="hazards_hz_region_status"
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(fields=["region", "found_on"], name="hazards_hz_region_found"),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(fields=["found_on", "id"], name="hazards_hz_found_id"),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(fields=["sector", "region"], name="hazards_hz_sector_region"),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(fields=["organisation", "status"], name="hazards_hz_org_status"),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(fields=["site", "status"], name="hazards_hz_site_status"),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(fields=["status", "deadline"], name="hazards_hz_status_deadline"),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(fields=["deadline", "id"], name="hazards_hz_deadline_id"),
        ),
        migrations.AddConstraint(
            model_name="hazard",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("grade", "general"),
                    models.Q(("grade_basis", ""), _negated=True),
                    _connector="OR",
                ),
                name="hazards_hazard_major_has_basis",
            ),
        ),
        migrations.AddConstraint(
            model_name="extensionrequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")),
                fields=("hazard",),
                name="hazards_extensionrequest_one_pending_per_hazard",
            ),
        ),
        migrations.AddConstraint(
            model_name="hazardevent",
            constraint=models.UniqueConstraint(
                fields=("hazard", "seq"), name="hazards_hazardevent_unique_seq"
            ),
        ),
        migrations.AddIndex(
            model_name="quickreport",
            index=models.Index(fields=["organisation", "status"], name="hazards_qr_org_status"),
        ),
        migrations.AddIndex(
            model_name="quickreport",
            index=models.Index(fields=["region", "status"], name="hazards_qr_region_status"),
        ),
        migrations.AddConstraint(
            model_name="rectificationplan",
            constraint=models.UniqueConstraint(
                condition=models.Q(("closed_at__isnull", True)),
                fields=("hazard",),
                name="hazards_rectificationplan_one_open_per_hazard",
            ),
        ),
    ]
