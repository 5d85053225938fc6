import django.contrib.auth.models
import django.contrib.auth.validators
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Organisation",
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
                        choices=[
                            ("enterprise", "Enterprise"),
                            ("township", "Township / street office"),
                            ("department", "Sector department"),
                            ("office", "Safety committee office"),
                            ("leadership", "Party committee / government"),
                            ("system", "System"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("all_sectors", models.BooleanField(default=False, verbose_name="all sectors")),
                (
                    "department_kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("emergency_management", "Emergency management"),
                            ("housing_construction", "Housing and urban-rural construction"),
                            ("transport", "Transport"),
                            ("public_security", "Public security (traffic police)"),
                            ("natural_resources", "Natural resources"),
                            ("fire_rescue", "Fire and rescue"),
                            ("market_regulation", "Market regulation"),
                            ("agriculture_fishery", "Agriculture and rural affairs (fishery)"),
                            ("culture_tourism", "Culture and tourism"),
                            ("commerce", "Commerce"),
                        ],
                        max_length=30,
                        verbose_name="department kind",
                    ),
                ),
                (
                    "credit_code",
                    models.CharField(
                        blank=True,
                        default="",
                        max_length=18,
                        verbose_name="unified social credit code",
                    ),
                ),
                (
                    "contact_person",
                    models.CharField(blank=True, max_length=50, verbose_name="contact person"),
                ),
                (
                    "contact_phone",
                    models.CharField(blank=True, max_length=30, verbose_name="contact phone"),
                ),
                ("address", models.CharField(blank=True, max_length=200, verbose_name="address")),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.region",
                        verbose_name="region",
                    ),
                ),
                (
                    "sectors",
                    models.ManyToManyField(blank=True, to="regions.sector", verbose_name="sectors"),
                ),
            ],
            options={
                "verbose_name": "organisation",
                "verbose_name_plural": "organisations",
                "ordering": ["region_id", "name"],
            },
        ),
        migrations.CreateModel(
            name="User",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("password", models.CharField(max_length=128, verbose_name="password")),
                (
                    "last_login",
                    models.DateTimeField(blank=True, null=True, verbose_name="last login"),
                ),
                (
                    "is_superuser",
                    models.BooleanField(
                        default=False,
                        help_text="Designates that this user has all permissions without explicitly assigning them.",
                        verbose_name="superuser status",
                    ),
                ),
                (
                    "username",
                    models.CharField(
                        error_messages={"unique": "A user with that username already exists."},
                        help_text="Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.",
                        max_length=150,
                        unique=True,
                        validators=[django.contrib.auth.validators.UnicodeUsernameValidator()],
                        verbose_name="username",
                    ),
                ),
                (
                    "first_name",
                    models.CharField(blank=True, max_length=150, verbose_name="first name"),
                ),
                (
                    "last_name",
                    models.CharField(blank=True, max_length=150, verbose_name="last name"),
                ),
                (
                    "email",
                    models.EmailField(blank=True, max_length=254, verbose_name="email address"),
                ),
                (
                    "is_staff",
                    models.BooleanField(
                        default=False,
                        help_text="Designates whether the user can log into this admin site.",
                        verbose_name="staff status",
                    ),
                ),
                (
                    "is_active",
                    models.BooleanField(
                        default=True,
                        help_text="Designates whether this user should be treated as active. Unselect this instead of deleting accounts.",
                        verbose_name="active",
                    ),
                ),
                (
                    "date_joined",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="date joined"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("enterprise_worker", "Enterprise worker"),
                            ("enterprise_officer", "Enterprise safety officer"),
                            ("enterprise_principal", "Enterprise principal"),
                            ("grid_worker", "Grid worker / township official"),
                            ("inspector", "Regulator inspector"),
                            ("office", "Safety committee office"),
                            ("leader", "Leader"),
                            ("administrator", "Administrator"),
                        ],
                        max_length=30,
                        verbose_name="role",
                    ),
                ),
                (
                    "full_name",
                    models.CharField(blank=True, max_length=50, verbose_name="full name"),
                ),
                ("phone", models.CharField(blank=True, max_length=30, verbose_name="phone")),
                (
                    "groups",
                    models.ManyToManyField(
                        blank=True,
                        help_text="The groups this user belongs to. A user will get all permissions granted to each of their groups.",
                        related_name="user_set",
                        related_query_name="user",
                        to="auth.group",
                        verbose_name="groups",
                    ),
                ),
                (
                    "user_permissions",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Specific permissions for this user.",
                        related_name="user_set",
                        related_query_name="user",
                        to="auth.permission",
                        verbose_name="user permissions",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="users",
                        to="accounts.organisation",
                        verbose_name="organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "user",
                "verbose_name_plural": "users",
            },
            managers=[
                ("objects", django.contrib.auth.models.UserManager()),
            ],
        ),
        migrations.AddIndex(
            model_name="organisation",
            index=models.Index(fields=["kind", "region"], name="accounts_org_kind_region"),
        ),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("credit_code", ""), _negated=True),
                fields=("credit_code",),
                name="accounts_organisation_unique_credit_code",
            ),
        ),
    ]
