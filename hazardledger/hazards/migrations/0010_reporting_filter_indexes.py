from django.db import migrations, models


class Migration(migrations.Migration):
    # Indexes for the ledger's heaviest filters and the dashboards' worst cases (issue 15,
    # docs/reporting.md). On a large PostgreSQL table, create them CONCURRENTLY by hand first
    # (the same names), then fake this migration, to avoid locking writes while they build.
    dependencies = [
        ("hazards", "0009_escalate_and_urge_actions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ("recorded", "plan_pending", "rectifying", "reopened"))
                ),
                fields=["found_on", "id", "region", "deadline", "status", "sector"],
                name="hazards_hz_party_found",
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ("recorded", "plan_pending", "rectifying", "reopened"))
                ),
                fields=["region", "deadline"],
                name="hazards_hz_party_region",
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ("recorded", "plan_pending", "rectifying", "reopened"))
                ),
                fields=["deadline", "id", "region", "sector"],
                name="hazards_hz_party_deadline",
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(("status", "submitted")),
                fields=["region", "review_due"],
                name="hazards_hz_review_region",
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                fields=["status", "grade", "found_on", "id", "region"],
                name="hazards_hz_status_grade_found",
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(
                    ("grade", "major"),
                    (
                        "status__in",
                        (
                            "recorded",
                            "plan_pending",
                            "rectifying",
                            "fixed",
                            "submitted",
                            "reopened",
                        ),
                    ),
                ),
                fields=["found_on", "id", "region", "sector"],
                name="hazards_hz_open_major_found",
            ),
        ),
        migrations.AddIndex(
            model_name="hazardevent",
            index=models.Index(
                condition=models.Q(("action__in", ["list", "delist", "escalate"])),
                fields=["hazard", "action"],
                name="hazards_he_reporting",
            ),
        ),
    ]
