import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Sector",
            fields=[
                (
                    "code",
                    models.SlugField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="code"
                    ),
                ),
                ("name_zh", models.CharField(max_length=50, verbose_name="Chinese name")),
                ("name_en", models.CharField(max_length=80, verbose_name="English name")),
                (
                    "lead_department",
                    models.CharField(
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
                        verbose_name="lead department",
                    ),
                ),
                (
                    "sort_order",
                    models.PositiveSmallIntegerField(default=0, verbose_name="sort order"),
                ),
            ],
            options={
                "verbose_name": "sector",
                "verbose_name_plural": "sectors",
                "ordering": ["sort_order", "code"],
            },
        ),
        migrations.CreateModel(
            name="Region",
            fields=[
                (
                    "code",
                    models.CharField(
                        max_length=12, primary_key=True, serialize=False, verbose_name="code"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("full_name", models.CharField(max_length=300, verbose_name="full name")),
                (
                    "level",
                    models.CharField(
                        choices=[
                            ("province", "Province"),
                            ("city", "Prefecture city"),
                            ("county", "County / district"),
                            ("township", "Township / street"),
                            ("village", "Village / community"),
                        ],
                        max_length=10,
                        verbose_name="level",
                    ),
                ),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="children",
                        to="regions.region",
                        verbose_name="parent",
                    ),
                ),
            ],
            options={
                "verbose_name": "region",
                "verbose_name_plural": "regions",
                "ordering": ["code"],
            },
        ),
    ]
