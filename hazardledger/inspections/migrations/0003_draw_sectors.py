"""A draw keeps every sector it covers (``Draw.sectors``) instead of one sector or NULL.

A draw over several sectors used to be stored with sector NULL, which only users of every
sector could see, so an inspector drawing over both of his sectors was refused his own draw.
The sectors are copied from the draw's sealed inputs (``inputs["sectors"]``), else from the
old column; going back keeps the sector of a single-sector draw.
"""

from django.db import migrations, models


def sectors_from_inputs(apps, schema_editor):
    Draw = apps.get_model("inspections", "Draw")
    Sector = apps.get_model("regions", "Sector")
    through = Draw.sectors.through
    alias = schema_editor.connection.alias
    known = set(Sector.objects.using(alias).values_list("code", flat=True))
    rows = []
    for draw in Draw.objects.using(alias).order_by("pk"):
        codes = (draw.inputs or {}).get("sectors") or ([draw.sector_id] if draw.sector_id else [])
        rows.extend(
            through(draw_id=draw.pk, sector_id=code) for code in sorted(set(codes)) if code in known
        )
    through.objects.using(alias).bulk_create(rows, batch_size=1000)


def sector_from_sectors(apps, schema_editor):
    Draw = apps.get_model("inspections", "Draw")
    alias = schema_editor.connection.alias
    for draw in Draw.objects.using(alias).order_by("pk"):
        codes = list(draw.sectors.values_list("code", flat=True))
        if len(codes) == 1:
            Draw.objects.using(alias).filter(pk=draw.pk).update(sector_id=codes[0])


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0002_random_upload_names"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="draw",
            name="sectors",
            field=models.ManyToManyField(
                related_name="+", to="regions.sector", verbose_name="sectors"
            ),
        ),
        migrations.RunPython(sectors_from_inputs, sector_from_sectors),
        migrations.RemoveIndex(
            model_name="draw",
            name="inspections_draw_region",
        ),
        migrations.RemoveField(
            model_name="draw",
            name="sector",
        ),
    ]
