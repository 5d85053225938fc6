"""Loading the reference data: sectors and the Guangdong division tree."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from .choices import LEVEL_BY_CODE_LENGTH, RegionLevel
from .constants import DIVISIONS_CSV, SECTORS
from .models import Region, Sector

DEFAULT_LEVELS = (
    RegionLevel.PROVINCE,
    RegionLevel.CITY,
    RegionLevel.COUNTY,
    RegionLevel.TOWNSHIP,
)


def sectors_load(*, using: str = "default") -> int:
    """Create or update the shipped sectors; returns how many there are.

    Lead departments already changed by an administrator are kept: only missing sectors are
    created and names refreshed.
    """
    existing = {s.code: s for s in Sector.objects.using(using).all()}
    for order, (code, name_zh, name_en, lead) in enumerate(SECTORS):
        sector = existing.get(code)
        if sector is None:
            Sector.objects.using(using).create(
                code=code, name_zh=name_zh, name_en=name_en, lead_department=lead, sort_order=order
            )
        elif (sector.name_zh, sector.name_en, sector.sort_order) != (name_zh, name_en, order):
            sector.name_zh, sector.name_en, sector.sort_order = name_zh, name_en, order
            sector.save(using=using, update_fields=["name_zh", "name_en", "sort_order"])
    return len(SECTORS)


def regions_load(
    *,
    levels: tuple[str, ...] = DEFAULT_LEVELS,
    path: Path = DIVISIONS_CSV,
    using: str = "default",
    batch_size: int = 2000,
) -> int:
    """Upsert the divisions of the given levels from the NBS CSV; returns rows written.

    Steps: read the CSV (sorted by code, so parents come before children); keep the wanted
    levels; build each row's full name from its ancestors' names; upsert in batches in one
    transaction. Villages (26,842 rows) are left out by default and loaded on demand.
    """
    wanted = {str(level) for level in levels}
    names: dict[str, str] = {}
    rows: list[Region] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            code = record["code"]
            parent = record["parent_code"] or None
            full_name = f"{names[parent]} {record['name']}" if parent else record["name"]
            names[code] = full_name
            level = LEVEL_BY_CODE_LENGTH[len(code)]
            if level != record["level"]:
                raise ValueError(f"division {code}: level {record['level']} does not fit its code")
            if level in wanted:
                rows.append(
                    Region(
                        code=code,
                        name=record["name"],
                        full_name=full_name,
                        level=level,
                        parent_id=parent,
                    )
                )
    with transaction.atomic(using=using):
        Region.objects.using(using).bulk_create(
            rows,
            batch_size=batch_size,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "full_name", "level", "parent"],
        )
    return len(rows)


def reference_data_ensure(*, using: str = "default") -> None:
    """Load sectors, and the division tree down to townships when no region exists yet.

    Runs after every ``migrate`` (and after test flushes), so a new database is usable at once.
    """
    sectors_load(using=using)
    if not Region.objects.using(using).exists():
        regions_load(using=using)
