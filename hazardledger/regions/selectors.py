"""Reads on the division tree."""

from __future__ import annotations

from django.db.models import Q

from .choices import CODE_LENGTHS, RegionLevel
from .models import Region


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


def region_path(*, code: str) -> list[Region]:
    """The division and its ancestors, province first (one query)."""
    codes = [code[:n] for n in CODE_LENGTHS if n <= len(code)]
    return list(Region.objects.filter(code__in=codes).order_by("code"))


def township_choices(*, scope_code: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Townships under ``scope_code`` grouped by county, for a grouped ``<select>``.

    A township-level scope gives just that township. Two queries whatever the size.
    """
    townships = Region.objects.filter(
        under_region("code", scope_code), level=RegionLevel.TOWNSHIP
    ).order_by("code")
    counties = dict(
        Region.objects.filter(
            under_region("code", scope_code[:6]), level=RegionLevel.COUNTY
        ).values_list("code", "full_name")
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for township in townships:
        groups.setdefault(township.code[:6], []).append((township.code, township.name))
    return [(counties.get(code, code), options) for code, options in groups.items()]


def region_filter_choices(*, scope_code: str, selected: str = "") -> list[tuple[str, str]]:
    """Options for the region filter: the scope's divisions down to county level, indented,
    plus the townships of the selected county (or of the selected township's county).

    A township-level scope offers just itself. At most two queries.
    """
    if len(scope_code) >= 9:
        regions = list(Region.objects.filter(code=scope_code))
    else:
        regions = list(
            Region.objects.filter(
                under_region("code", scope_code),
                level__in=[RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY],
            ).order_by("code")
        )
    county = selected[:6] if len(selected) >= 6 and selected.startswith(scope_code[:6]) else ""
    townships: list[Region] = []
    if county and len(scope_code) <= 6:
        townships = list(
            Region.objects.filter(parent_id=county, level=RegionLevel.TOWNSHIP).order_by("code")
        )
    base = CODE_LENGTHS.index(len(scope_code))

    def option(region: Region) -> tuple[str, str]:
        indent = "\u3000" * (CODE_LENGTHS.index(len(region.code)) - base)
        return region.code, indent + region.name

    options: list[tuple[str, str]] = []
    for region in regions:
        options.append(option(region))
        if region.code == county:
            options.extend(option(township) for township in townships)
    return options
