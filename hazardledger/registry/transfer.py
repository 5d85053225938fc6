"""The sites spreadsheet: its columns, the all-or-nothing import and the export.

Import steps: read the first sheet; find the header row (title rows above it are skipped);
map headers to columns by their Chinese or English name; validate every row against data
preloaded in a few queries (no query per row); if any row is bad, report every bad row with its
row number and reason and write nothing; else insert all rows in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hazardledger.access.scope import is_unrestricted, user_can, user_sector_codes
from hazardledger.accounts.models import Organisation
from hazardledger.core.errors import ServiceError
from hazardledger.regions.choices import RegionLevel
from hazardledger.regions.models import Region, Sector
from hazardledger.regions.selectors import is_under
from hazardledger.transfer.spreadsheets import (
    SpreadsheetError,
    cell_text,
    find_header,
    normalise_header,
    read_sheet,
)

from .attributes import (
    AttributeValueError,
    attribute_parse,
    attribute_specs,
    attribute_text,
    choice_lookup,
)
from .choices import ATTRIBUTES_BY_KIND, DEFAULT_SECTOR_BY_KIND, SiteKind, SiteStatus
from .models import Site
from .selectors import enterprise_match
from .services import site_import_write

MAX_ROWS = 200_000
CHUNK = 500


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        language = translation.get_language() or "zh-hans"
        return self.en if language.startswith("en") else self.zh


BASE_COLUMNS = (
    Column("name", "名称", "Name", True, ("场所名称", "单位名称", "企业名称", "site name")),
    Column("kind", "类型", "Kind", True, ("场所类型", "监管对象类型")),
    Column("sector", "行业领域", "Sector", False, ("所属行业", "行业")),
    Column("region", "行政区划代码", "Region code", True, ("区划代码", "所在地区代码")),
    Column("address", "地址", "Address", True, ("详细地址",)),
    Column("longitude", "经度", "Longitude"),
    Column("latitude", "纬度", "Latitude"),
    Column(
        "organisation",
        "责任单位统一社会信用代码",
        "Enterprise credit code",
        False,
        ("统一社会信用代码", "信用代码"),
    ),
    Column("contact_person", "联系人", "Contact person"),
    Column("contact_phone", "联系电话", "Contact phone"),
    Column("status", "状态", "Status", False, ("经营状态",)),
)

_ATTRIBUTE_HEADERS = {
    "mine_type": ("矿山类型", "Mine type"),
    "capacity": ("产能(万吨/年)", "Capacity (10,000 t/year)"),
    "floors": ("层数", "Floors"),
    "house_use": ("房屋用途", "House use"),
    "length_m": ("船长(米)", "Vessel length (m)"),
    "home_port": ("船籍港", "Home port"),
    "floor_area": ("建筑面积(平方米)", "Floor area (m²)"),
    "storage_m3": ("储存规模(立方米)", "Storage capacity (m³)"),
}
ATTRIBUTE_COLUMNS = tuple(Column(f"attr:{k}", zh, en) for k, (zh, en) in _ATTRIBUTE_HEADERS.items())
COLUMNS = BASE_COLUMNS + ATTRIBUTE_COLUMNS
assert {s.name for specs in ATTRIBUTES_BY_KIND.values() for s in specs} <= set(_ATTRIBUTE_HEADERS)


def _header_index() -> dict[str, Column]:
    index: dict[str, Column] = {}
    for column in COLUMNS:
        for name in (column.zh, column.en, column.key, *column.aliases):
            index[normalise_header(name)] = column
    return index


HEADERS = _header_index()


@dataclass
class RowError:
    """One problem in one row: ``row`` is the spreadsheet's own row number (1-based)."""

    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _decimal(text: str, low: int, high: int) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(_("“%(value)s” is not a number") % {"value": text}) from exc
    if not low <= value <= high:
        raise ValueError(_("must be between %(low)s and %(high)s") % {"low": low, "high": high})
    return value.quantize(Decimal("0.000001"))


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def site_import(*, actor: Any, handle: IO[bytes], filename: str) -> ImportResult:
    """Import sites from an uploaded spreadsheet, all or nothing (see the module docstring).

    Problems with the file or its rows come back in the result; the write itself
    (``services.site_import_write``) audits the import and writes one outbox event per site.
    Runs in the caller's transaction when there is one (the import page opens a durable one).
    """
    result = ImportResult()
    if not user_can(actor, Site, "import"):
        result.errors.append(RowError(0, "", _("You may not import sites.")))
        return result
    try:
        sheet = read_sheet(handle, filename)
    except SpreadsheetError as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    header_at = find_header(sheet.rows, set(HEADERS))
    if header_at is None:
        result.errors.append(
            RowError(0, "", _("No header row found: use the column names of the template."))
        )
        return result
    positions: dict[str, int] = {}
    for position, cell in enumerate(sheet.rows[header_at]):
        column = HEADERS.get(normalise_header(cell_text(cell)))
        if column is not None and column.key not in positions:
            positions[column.key] = position
    missing = [c.label for c in BASE_COLUMNS if c.required and c.key not in positions]
    if missing:
        result.errors.append(
            RowError(
                header_at + 1, "", _("Missing columns: %(cols)s") % {"cols": "、".join(missing)}
            )
        )
        return result

    records: list[tuple[int, dict[str, str]]] = []
    for offset, row in enumerate(sheet.rows[header_at + 1 :], start=header_at + 2):
        values = {
            key: cell_text(row[pos]) if pos < len(row) else "" for key, pos in positions.items()
        }
        if any(values.values()):
            records.append((offset, values))
    result.rows = len(records)
    if not records:
        result.errors.append(RowError(0, "", _("The file has no data rows.")))
        return result
    if len(records) > MAX_ROWS:
        result.errors.append(
            RowError(0, "", _("Too many rows: at most %(max)d per file.") % {"max": MAX_ROWS})
        )
        return result

    context = _ImportContext(actor, records)
    sites = []
    for number, values in records:
        site = context.build(number, values, result.errors)
        if site is not None:
            sites.append(site)
    if result.errors:
        return result
    try:
        result.created = len(site_import_write(actor=actor, sites=sites, filename=filename))
    except ServiceError as exc:  # rolled back: the file is reported as not imported
        result.errors.append(RowError(0, "", str(exc.message)))
    return result


class _ImportContext:
    """Everything a row is checked against, loaded once for the whole file."""

    def __init__(self, actor: Any, records: list[tuple[int, dict[str, str]]]) -> None:
        self.actor = actor
        self.scope_code = "" if is_unrestricted(actor) else actor.organisation.region_id
        allowed = None if is_unrestricted(actor) else user_sector_codes(actor)
        self.sectors: dict[str, Sector] = {}
        self.all_sector_names: set[str] = set()
        for sector in Sector.objects.all():
            names = (sector.code, sector.name_zh, sector.name_en.lower())
            self.all_sector_names.update(names)
            if allowed is None or sector.code in allowed:
                self.sectors.update(dict.fromkeys(names, sector))
        codes = sorted({v.get("region", "") for _n, v in records if v.get("region")})
        self.regions: dict[str, str] = {}
        for chunk in _chunks(codes):
            self.regions.update(
                Region.objects.filter(
                    code__in=chunk, level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]
                ).values_list("code", "code")
            )
        # The site form's rule, applied to the whole file at once.
        credit_codes = sorted({v.get("organisation", "") for _n, v in records} - {""})
        self.organisations: dict[str, Organisation] = {}
        for chunk in _chunks(credit_codes):
            self.organisations.update(enterprise_match(user=actor, texts=chunk))
        self.labels = {column.key: column.label for column in COLUMNS}
        self.kinds = choice_lookup(SiteKind)
        self.statuses = choice_lookup(SiteStatus)

    def build(self, number: int, values: dict[str, str], errors: list[RowError]) -> Site | None:
        """Validate one row; append its errors and return None, or return an unsaved Site."""
        row_errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            row_errors.append(RowError(number, self.labels.get(key, key), message))

        for column in BASE_COLUMNS:
            if column.required and not values.get(column.key):
                fail(column.key, _("is required"))
        kind = self.kinds.get(values.get("kind", "").lower())
        if values.get("kind") and kind is None:
            fail("kind", _("unknown kind “%(value)s”") % {"value": values["kind"]})

        sector = None
        sector_text = values.get("sector", "")
        if sector_text:
            sector = self.sectors.get(sector_text) or self.sectors.get(sector_text.lower())
            if sector is None:
                if (
                    sector_text in self.all_sector_names
                    or sector_text.lower() in self.all_sector_names
                ):
                    fail(
                        "sector",
                        _("sector “%(value)s” is outside your scope") % {"value": sector_text},
                    )
                else:
                    fail("sector", _("unknown sector “%(value)s”") % {"value": sector_text})
        elif kind:
            sector = self.sectors.get(DEFAULT_SECTOR_BY_KIND[kind])
            if sector is None:
                fail("sector", _("the usual sector of this kind is outside your scope"))

        region = values.get("region", "")
        if region:
            if region not in self.regions:
                fail("region", _("no township or village has code “%(value)s”") % {"value": region})
            elif self.scope_code and not is_under(region, self.scope_code):
                fail("region", _("region “%(value)s” is outside your area") % {"value": region})

        coordinates: dict[str, Decimal | None] = {"longitude": None, "latitude": None}
        for key, low, high in (("longitude", -180, 180), ("latitude", -90, 90)):
            if values.get(key):
                try:
                    coordinates[key] = _decimal(values[key], low, high)
                except ValueError as exc:
                    fail(key, str(exc))

        organisation_id = None
        credit = values.get("organisation", "")
        if credit:
            found = self.organisations.get(credit)
            if found is None:
                fail(
                    "organisation",
                    _("no enterprise in your area has credit code or name “%(value)s”")
                    % {"value": credit},
                )
            else:
                organisation_id = found.pk

        status = SiteStatus.OPERATING
        if values.get("status"):
            status = self.statuses.get(values["status"].lower())  # type: ignore[assignment]
            if status is None:
                fail("status", _("unknown status “%(value)s”") % {"value": values["status"]})

        attributes: dict[str, Any] = {}
        for spec in attribute_specs(kind or ""):
            raw = values.get(f"attr:{spec.name}", "")
            try:
                parsed = attribute_parse(spec, raw)
            except AttributeValueError as exc:
                fail(f"attr:{spec.name}", str(exc))
                continue
            if parsed is not None:
                attributes[spec.name] = parsed

        for key, limit in (
            ("name", 200),
            ("address", 300),
            ("contact_person", 50),
            ("contact_phone", 30),
        ):
            if len(values.get(key, "")) > limit:
                fail(key, _("is longer than %(n)d characters") % {"n": limit})

        if row_errors:
            errors.extend(row_errors)
            return None
        assert kind is not None  # a required column; a missing or unknown kind failed above
        return Site(
            name=values["name"],
            kind=kind,
            sector=sector,
            region_id=region,
            address=values["address"],
            longitude=coordinates["longitude"],
            latitude=coordinates["latitude"],
            organisation_id=organisation_id,
            contact_person=values.get("contact_person", ""),
            contact_phone=values.get("contact_phone", ""),
            status=status,
            attributes=attributes,
            created_by=self.actor,
        )


def site_export_rows(sites: Any) -> Iterator[list[Any]]:
    """Rows for the export, in ``COLUMNS`` order, so an export can be imported again."""
    kinds = dict(SiteKind.choices)
    statuses = dict(SiteStatus.choices)
    for site in sites.iterator(chunk_size=2000):
        attributes = site.attributes or {}
        row = [
            site.name,
            str(kinds.get(site.kind, site.kind)),
            site.sector.name,
            site.region_id,
            site.address,
            float(site.longitude) if site.longitude is not None else None,
            float(site.latitude) if site.latitude is not None else None,
            site.organisation.credit_code if site.organisation else "",
            site.contact_person,
            site.contact_phone,
            str(statuses.get(site.status, site.status)),
        ]
        specs = {spec.name: spec for spec in attribute_specs(site.kind)}
        for key in _ATTRIBUTE_HEADERS:
            value = attributes.get(key)
            spec = specs.get(key)
            row.append(attribute_text(spec, value) if spec and value is not None else value)
        yield row


def export_headers() -> list[str]:
    return [column.label for column in COLUMNS]


EXPORT_TITLE: Promise = gettext_lazy("Sites")
