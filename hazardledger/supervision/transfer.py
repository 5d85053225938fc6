"""Export of the listed hazards in the regulator's ledger layout (domain.md 0.3): the ledger's
columns (enterprise, sector, region, source and the enterprise's own columns) plus the
listing's level (挂牌督办级别), body, document number (督办文号), required date and stop."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import translation

from hazardledger.access.scope import restrict
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.transfer import export_headers, ledger_export_rows

from .models import Listing

LISTING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("挂牌督办级别", "Listing level"),
    ("挂牌督办单位", "Listing body"),
    ("督办文号", "Listing document number"),
    ("要求完成时间", "Required completion date"),
    ("剩余天数", "Days left"),
    ("停产停业", "Production stop"),
    ("督办责任人", "Officials responsible"),
)
LEVELS_ZH = {"province": "省级", "city": "市级", "county": "县级"}
STOPS_ZH = {"none": "否", "part": "局部停产", "whole": "全部停产"}
EXPORT_TITLE_ZH = "挂牌督办重大事故隐患台账"
EXPORT_TITLE_EN = "Hazards listed for supervision"


def _english() -> bool:
    return (translation.get_language() or "zh-hans").startswith("en")


def listing_export_title() -> str:
    return EXPORT_TITLE_EN if _english() else EXPORT_TITLE_ZH


def listing_export_headers() -> list[str]:
    english = _english()
    return export_headers() + [en if english else zh for zh, en in LISTING_COLUMNS]


def listing_export_rows(
    listings: QuerySet[Listing], *, user: Any, limit: int
) -> Iterator[list[Any]]:
    """One row per listing, in the order of ``listings``: the hazard's ledger row (its
    number renumbered) and the listing's columns. The hazards are read again through
    ``user``'s scope, so a listing whose hazard the user may not see is left out."""
    english = _english()
    today = local_today()
    chosen = list(listings[:limit])
    by_hazard = {listing.hazard_id: listing for listing in chosen}
    hazards = restrict(Hazard.objects.filter(pk__in=list(by_hazard)), user, "view")
    rows = {row[1]: row for row in ledger_export_rows(hazards, limit=limit)}
    number = 0
    for listing in chosen:
        row = rows.get(listing.hazard_id)
        if row is None:
            continue
        number += 1
        officials = "、".join(
            f"{o.get('name', '')}（{o['post']}）" if o.get("post") else o.get("name", "")
            for o in listing.officials
        )
        yield [
            number,
            *row[1:],
            listing.get_level_display() if english else LEVELS_ZH.get(listing.level, ""),
            listing.body_name,
            listing.document_number,
            listing.required_by,
            listing.days_left(today),
            listing.get_stop_display() if english else STOPS_ZH.get(listing.stop, ""),
            officials,
        ]
