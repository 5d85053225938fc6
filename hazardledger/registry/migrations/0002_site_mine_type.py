"""The mine type becomes a column of its own (checklist items depend on it), moved out of the
kind-specific attributes where earlier versions kept it."""

from django.db import migrations, models

MINE_KINDS = ("coal_mine", "metal_mine")
MINE_TYPES = ("underground", "open_pit")


def attributes_to_column(apps, schema_editor):
    Site = apps.get_model("registry", "Site")
    sites = Site.objects.using(schema_editor.connection.alias).filter(kind__in=MINE_KINDS)
    for site in sites.iterator(chunk_size=2000):
        attributes = dict(site.attributes or {})
        value = attributes.pop("mine_type", "")
        site.mine_type = value if value in MINE_TYPES else ""
        site.attributes = attributes
        site.save(update_fields=["mine_type", "attributes"])


def column_to_attributes(apps, schema_editor):
    Site = apps.get_model("registry", "Site")
    sites = Site.objects.using(schema_editor.connection.alias).exclude(mine_type="")
    for site in sites.iterator(chunk_size=2000):
        site.attributes = {**(site.attributes or {}), "mine_type": site.mine_type}
        site.save(update_fields=["attributes"])


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="site",
            name="mine_type",
            field=models.CharField(
                blank=True,
                choices=[("underground", "Underground"), ("open_pit", "Open-pit")],
                default="",
                max_length=20,
                verbose_name="mine type",
            ),
        ),
        migrations.RunPython(attributes_to_column, column_to_attributes),
        migrations.AddConstraint(
            model_name="site",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("mine_type", ""), ("kind__in", ("coal_mine", "metal_mine")), _connector="OR"
                ),
                name="registry_site_mine_type_only_mines",
            ),
        ),
    ]
