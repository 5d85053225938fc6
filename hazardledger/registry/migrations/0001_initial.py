import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("regions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Site",
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
                            ("coal_mine", "Coal mine"),
                            ("metal_mine", "Metal and non-metal mine"),
                            ("chemical_plant", "Hazardous chemicals plant"),
                            ("chemical_store", "Hazardous chemicals store or dealer"),
                            ("fuel_station", "Fuel and gas filling station"),
                            ("factory", "Industrial and trade enterprise"),
                            ("construction_project", "Construction project"),
                            ("self_built_house", "Self-built house"),
                            ("fishing_vessel", "Fishing vessel"),
                            ("passenger_vessel", "Passenger vessel or ferry"),
                            ("transport_company", "Road transport company"),
                            ("gas_facility", "Town gas facility"),
                            ("venue", "Crowded venue"),
                            ("tourist_facility", "Tourist facility"),
                            ("fire_key_unit", "Key fire safety unit"),
                            ("special_equipment", "Special equipment user"),
                            ("other", "Other"),
                        ],
                        max_length=30,
                        verbose_name="kind",
                    ),
                ),
                ("address", models.CharField(max_length=300, verbose_name="address")),
                (
                    "latitude",
                    models.DecimalField(
                        blank=True,
                        decimal_places=6,
                        max_digits=9,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(-90),
                            django.core.validators.MaxValueValidator(90),
                        ],
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
                        validators=[
                            django.core.validators.MinValueValidator(-180),
                            django.core.validators.MaxValueValidator(180),
                        ],
                        verbose_name="longitude",
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
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("operating", "Operating"),
                            ("suspended", "Suspended"),
                            ("closed", "Closed"),
                        ],
                        default="operating",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "risk_level",
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
                        verbose_name="risk level",
                    ),
                ),
                (
                    "attributes",
                    models.JSONField(blank=True, default=dict, verbose_name="attributes"),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
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
                        related_name="sites",
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
                "verbose_name": "site",
                "verbose_name_plural": "sites",
                "ordering": ["region_id", "name", "id"],
                "indexes": [
                    models.Index(fields=["region", "sector"], name="registry_site_region_sector"),
                    models.Index(fields=["sector", "region"], name="registry_site_sector_region"),
                    models.Index(
                        fields=["organisation", "region"], name="registry_site_org_region"
                    ),
                ],
            },
        ),
    ]
