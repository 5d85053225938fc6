import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(db_index=True, verbose_name="time")),
                ("action", models.CharField(max_length=80, verbose_name="action")),
                (
                    "actor_name",
                    models.CharField(blank=True, max_length=150, verbose_name="actor name"),
                ),
                (
                    "actor_role",
                    models.CharField(blank=True, max_length=30, verbose_name="actor role"),
                ),
                (
                    "organisation_name",
                    models.CharField(blank=True, max_length=200, verbose_name="organisation name"),
                ),
                (
                    "object_type",
                    models.CharField(blank=True, max_length=80, verbose_name="object type"),
                ),
                (
                    "object_id",
                    models.CharField(blank=True, max_length=64, verbose_name="object id"),
                ),
                (
                    "object_repr",
                    models.CharField(blank=True, max_length=200, verbose_name="object"),
                ),
                (
                    "before",
                    models.JSONField(
                        blank=True,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        null=True,
                        verbose_name="before",
                    ),
                ),
                (
                    "after",
                    models.JSONField(
                        blank=True,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        null=True,
                        verbose_name="after",
                    ),
                ),
                (
                    "data",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        verbose_name="data",
                    ),
                ),
                (
                    "request_id",
                    models.CharField(blank=True, max_length=64, verbose_name="request id"),
                ),
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
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.organisation",
                        verbose_name="organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit event",
                "verbose_name_plural": "audit events",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["object_type", "object_id"], name="audit_event_object"),
                    models.Index(fields=["action", "created_at"], name="audit_event_action_time"),
                    models.Index(fields=["actor", "created_at"], name="audit_event_actor_time"),
                ],
            },
        ),
    ]
