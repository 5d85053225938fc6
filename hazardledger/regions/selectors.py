"""Reads on the division tree."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .choices import CODE_LENGTHS
from .models import Region, Sector


def under_region(field: str, code: str) -> Q:
    """Filter for rows whose region ``field`` is ``code`` or any division under it.

    Codes are digit strings whose prefix is the parent's code, so "under 4401" is the range
    ``'4401' <= x <= '440199999999'``. A range (unlike ``LIKE '4401%'``) uses a plain B-tree
    index on both SQLite and PostgreSQL whatever the collation.
    """
    return Q(**{f"{field}__gte": code, f"{field}__lte": code + "9" * (12 - len(code))})


def is_under(code: str, ancestor: str) -> bool:
    """True when the division ``code`` is ``ancestor`` itself or lies under it."""
    return code.startswith(ancestor)


def is_valid_code(code: str) -> bool:
    """True for a string of digits with one of the five division code lengths."""
    return code.isdigit() and len(code) in CODE_LENGTHS


def region_children(*, parent_code: str | None) -> QuerySet[Region]:
    """The direct children of a division (the province when ``parent_code`` is None)."""
    if not parent_code:
        return Region.objects.filter(parent__isnull=True)
    return Region.objects.filter(parent_id=parent_code)


def region_get(*, code: str) -> Region | None:
    """The division with this code, or None when it does not exist."""
    return Region.objects.filter(code=code).first()


def region_path(*, code: str) -> list[Region]:
    """The division and its ancestors, province first (one query)."""
    codes = [code[:n] for n in CODE_LENGTHS if n <= len(code)]
    return list(Region.objects.filter(code__in=codes).order_by("code"))


def sector_list() -> QuerySet[Sector]:
    """All sectors in display order."""
    return Sector.objects.all()


def township_choices(*, scope_code: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Townships under ``scope_code`` grouped by county, for a grouped ``<select>``.

    A township-level scope gives just that township. Two queries whatever the size.
    """
    from .choices import RegionLevel

    townships = Region.objects.filter(
        under_region("code", scope_code), level=RegionLevel.TOWNSHIP
    ).order_by("code")
    counties = dict(
        Region.objects.filter(
            under_region("code", scope_code[:6] if len(scope_code) > 6 else scope_code),
            level=RegionLevel.COUNTY,
        ).values_list("code", "full_name")
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for township in townships:
        groups.setdefault(township.code[:6], []).append((township.code, township.name))
    return [(counties.get(code, code), options) for code, options in groups.items()]


def region_filter_choices(*, scope_code: str, selected: str = "") -> list[tuple[str, str]]:
    """Options for the region filter: the scope's divisions down to county level, indented,
    plus the townships of the selected county (or of the selected township's county)."""
    from .choices import RegionLevel

    top_levels = [RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY]
    regions = list(
        Region.objects.filter(under_region("code", scope_code), level__in=top_levels)
        .exclude(code__lt=scope_code)
        .order_by("code")
    )
    if len(scope_code) >= 9:
        regions = list(Region.objects.filter(code=scope_code))
    county = selected[:6] if len(selected) >= 6 and selected.startswith(scope_code[:6]) else ""
    townships: list[Region] = []
    if county and len(scope_code) <= 6:
        townships = list(
            Region.objects.filter(parent_id=county, level=RegionLevel.TOWNSHIP).order_by("code")
        )
    depth = {2: 0, 4: 1, 6: 2, 9: 3, 12: 4}
    base = depth[len(scope_code)]
    options: list[tuple[str, str]] = []
    for region in regions:
        options.append((region.code, "\u3000" * (depth[len(region.code)] - base) + region.name))
        if region.code == county:
            for township in townships:
                indent = "\u3000" * (depth[len(township.code)] - base)
                options.append((township.code, indent + township.name))
    return options
