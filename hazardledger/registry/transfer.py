"""The sites spreadsheet: its columns, the all-or-nothing import and the export.

Import steps (``site_import_plan``): read the first sheet; find the header row (title rows above
it are skipped); map headers to columns by their Chinese or English name; validate every row
against data preloaded in a few queries (no query per row); match each row to a site the user
already has, by the site id the export writes or else by enterprise + name + address, and sort
the rows into new, changed and unchanged; if any row is bad, report every bad row with its row
number and reason. The page shows that plan; once confirmed (``site_import_apply``) the new
sites are inserted and the changed ones updated through ``site_update``, all in one
transaction; unchanged rows are skipped, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any, TypeVar

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hazardledger.access.scope import is_unrestricted, restrict, user_can, user_sector_codes
from hazardledger.accounts.models import Organisation
from hazardledger.core.errors import ServiceError
from hazardledger.core.text import join_list
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
from .choices import (
    ATTRIBUTES_BY_KIND,
    DEFAULT_SECTOR_BY_KIND,
    MINE_KINDS,
    MineType,
    SiteKind,
    SiteStatus,
)
from .constants import SITE_FIELDS, SUPERVISION_FIELDS
from .models import Site
from .policies import SITE_POLICY
from .selectors import enterprise_match
from .services import site_import_write

T = TypeVar("T")

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


# The site's own number and the version it had, written by the export (last, after the columns
# people edit) so that an edited export updates its sites instead of adding them again
# (``site_import_plan``). Distinctive names: a user's own "编号" (serial number) column must
# never be taken for site ids.
KEY_COLUMNS = (
    Column("site_id", "系统编号", "Site ID", False, ("监管对象编号", "场所系统编号")),
    Column("version", "数据版本", "Record version"),
)

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
    Column("mine_type", "矿山类型", "Mine type", False, ("开采方式",)),
)

_ATTRIBUTE_HEADERS = {
    "capacity": ("产能(万吨/年)", "Capacity (10,000 t/year)"),
    "floors": ("层数", "Floors"),
    "house_use": ("房屋用途", "House use"),
    "length_m": ("船长(米)", "Vessel length (m)"),
    "home_port": ("船籍港", "Home port"),
    "floor_area": ("建筑面积(平方米)", "Floor area (m²)"),
    "storage_m3": ("储存规模(立方米)", "Storage capacity (m³)"),
}
ATTRIBUTE_COLUMNS = tuple(Column(f"attr:{k}", zh, en) for k, (zh, en) in _ATTRIBUTE_HEADERS.items())
COLUMNS = BASE_COLUMNS + ATTRIBUTE_COLUMNS + KEY_COLUMNS
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


class RowStatus:
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass
class PlannedRow:
    """What one good row will do: add ``site`` (new, unsaved), change the stored ``site`` to
    ``data`` (the fields the service writes; ``changes`` is ``{field: [old, new]}`` as shown),
    or nothing (unchanged). ``version`` is the stored site's version the plan was made
    against, so a site changed after the preview is refused, not overwritten."""

    row: int
    status: str
    site: Site
    data: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, list[Any]] = field(default_factory=dict)
    version: int = 0


@dataclass
class ImportResult:
    """The plan of one file (``planned``, ``errors``, ``digest``) and, once applied, what was
    written: ``created`` and ``updated`` counts and the ``batch`` the new sites carry."""

    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    planned: list[PlannedRow] = field(default_factory=list)
    digest: str = ""
    batch: uuid.UUID | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def _rows(self, status: str) -> list[PlannedRow]:
        return [row for row in self.planned if row.status == status]

    @property
    def new_rows(self) -> list[PlannedRow]:
        return self._rows(RowStatus.NEW)

    @property
    def changed_rows(self) -> list[PlannedRow]:
        return self._rows(RowStatus.CHANGED)

    @property
    def unchanged_rows(self) -> list[PlannedRow]:
        return self._rows(RowStatus.UNCHANGED)

    @property
    def unchanged(self) -> int:
        return len(self.unchanged_rows)

    @property
    def has_work(self) -> bool:
        return any(row.status != RowStatus.UNCHANGED for row in self.planned)


def _decimal(text: str, low: int, high: int) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(_("“%(value)s” is not a number") % {"value": text}) from exc
    if not low <= value <= high:
        raise ValueError(_("must be between %(low)s and %(high)s") % {"low": low, "high": high})
    return value.quantize(Decimal("0.000001"))


def _chunks(values: list[T]) -> Iterator[list[T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def site_import(*, actor: Any, handle: IO[bytes], filename: str) -> ImportResult:
    """Import sites from an uploaded spreadsheet at once, all or nothing: the plan
    (``site_import_plan``), then, when it has no errors, its writes (``site_import_apply``).
    Runs in the caller's transaction when there is one."""
    result = site_import_plan(actor=actor, handle=handle, filename=filename)
    if result.ok:
        site_import_apply(actor=actor, result=result, filename=filename)
    return result


def site_import_plan(*, actor: Any, handle: IO[bytes], filename: str) -> ImportResult:
    """Read, check and match a sites spreadsheet without writing anything (see the module
    docstring); the result lists every problem, or the new, changed and unchanged rows and
    the plan's ``digest`` (the same file against the same stored sites gives the same one)."""
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
                header_at + 1, "", _("Missing columns: %(cols)s") % {"cols": join_list(missing)}
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
    built = []
    for number, values in records:
        site = context.build(number, values, result.errors)
        if site is not None:
            built.append((number, values, site))
    if result.errors:
        return result
    matcher = _Matcher(actor, set(positions), built, context.labels)
    result.planned = matcher.plan(result.errors)
    if result.errors:
        result.planned = []
        return result
    result.digest = plan_digest(result.planned)
    return result


def site_import_apply(*, actor: Any, result: ImportResult, filename: str) -> ImportResult:
    """Write the plan of ``result``: insert its new sites (with a new ``batch``) and update its
    changed ones through ``site_update`` (each at the version the plan saw), in one
    transaction (``services.site_import_write``). A refusal (a site changed since the plan,
    a change the user may not make) rolls everything back and comes back as an error."""
    sites = [row.site for row in result.new_rows]
    updates = [(row.site, row.version, row.data) for row in result.changed_rows]
    batch = uuid.uuid4()
    try:
        created, updated = site_import_write(
            actor=actor, sites=sites, updates=updates, filename=filename, batch=batch
        )
    except ServiceError as exc:  # rolled back: the file is reported as not imported
        result.errors.append(RowError(0, "", str(exc.message)))
        return result
    result.created, result.updated = len(created), len(updated)
    result.batch = batch if created else None
    return result


def plan_digest(planned: list[PlannedRow]) -> str:
    """A fingerprint of a plan: what each row does, to which site at which version, with which
    values. The confirmation checks that it still matches what the preview showed."""
    rows = [
        [
            row.row,
            row.status,
            row.site.pk,
            row.version,
            {key: _json_text(value) for key, value in sorted(_site_values(row.site).items())}
            if row.status == RowStatus.NEW
            else {key: _json_text(value) for key, value in sorted(row.data.items())},
        ]
        for row in planned
    ]
    text = json.dumps(rows, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _json_text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {k: _json_text(v) for k, v in sorted(value.items())}
    return value


# How each column of the file sets a field of the site (``SITE_FIELDS``).
_FIELD_OF_COLUMN = {
    "name": "name",
    "kind": "kind",
    "mine_type": "mine_type",
    "sector": "sector",
    "region": "region",
    "address": "address",
    "longitude": "longitude",
    "latitude": "latitude",
    "organisation": "organisation",
    "contact_person": "contact_person",
    "contact_phone": "contact_phone",
    "status": "status",
}
_FOREIGN_KEYS = ("sector", "region", "organisation")


def _attname(name: str) -> str:
    return f"{name}_id" if name in _FOREIGN_KEYS else name


def _site_values(site: Site) -> dict[str, Any]:
    """The site's ``SITE_FIELDS`` as columns hold them (related rows by key)."""
    return {name: getattr(site, _attname(name)) for name in SITE_FIELDS}


def _key(organisation_id: Any, name: str, address: str) -> tuple[Any, str, str]:
    return (organisation_id, " ".join(name.split()), " ".join(address.split()))


class _Matcher:
    """Finds the stored site of each row and what the row would change, in a few queries per
    ``CHUNK`` rows: by the site id column when the row has one (a site the user may see, else
    an error), otherwise by responsible enterprise, name and address among the sites the user
    may see (two or more such sites: an error asking for the id)."""

    def __init__(
        self,
        actor: Any,
        present: set[str],
        built: list[tuple[int, dict[str, str], Site]],
        labels: dict[str, str],
    ) -> None:
        self.actor = actor
        self.present = present
        self.built = built
        self.labels = labels
        visible = restrict(Site.objects.all(), actor, "view")
        ids = sorted({int(v["site_id"]) for _n, v, _s in built if v.get("site_id")})
        self.by_id: dict[int, Site] = {}
        for chunk in _chunks(ids):
            self.by_id.update({s.pk: s for s in visible.filter(pk__in=chunk)})
        names = sorted({site.name for _n, v, site in built if not v.get("site_id")})
        self.by_key: dict[tuple[Any, str, str], list[Site]] = {}
        for names_chunk in _chunks(names):
            for site in visible.filter(name__in=names_chunk).order_by("pk"):
                key = _key(site.organisation_id, site.name, site.address)
                self.by_key.setdefault(key, []).append(site)
        self.changeable: set[int] = set()
        self.may_move = SITE_POLICY.user_has_permission(actor, "change_scope")

    def plan(self, errors: list[RowError]) -> list[PlannedRow]:
        planned: list[PlannedRow] = []
        seen_sites: dict[int, int] = {}
        seen_keys: dict[tuple[Any, str, str], int] = {}
        for number, values, site in self.built:
            stored = self._stored(number, values, site, errors)
            if stored is False:
                continue
            if stored is None:
                key = _key(site.organisation_id, site.name, site.address)
                if key in seen_keys:
                    errors.append(
                        RowError(
                            number,
                            "",
                            _("the same enterprise, name and address as row %(row)d")
                            % {"row": seen_keys[key]},
                        )
                    )
                    continue
                seen_keys[key] = number
                planned.append(PlannedRow(number, RowStatus.NEW, site))
                continue
            assert isinstance(stored, Site)
            if stored.pk in seen_sites:
                errors.append(
                    RowError(
                        number,
                        "",
                        _("the same site as row %(row)d") % {"row": seen_sites[stored.pk]},
                    )
                )
                continue
            seen_sites[stored.pk] = number
            planned.append(self._compare(number, values, site, stored))
        self._check_permissions(planned, errors)
        return planned

    def _stored(
        self, number: int, values: dict[str, str], site: Site, errors: list[RowError]
    ) -> Site | bool | None:
        """The stored site the row names, None for a new one, False after an error."""
        text = values.get("site_id", "")
        if text:
            stored = self.by_id.get(int(text))
            if stored is None:
                errors.append(
                    RowError(
                        number,
                        self.labels["site_id"],
                        _("no site with id %(id)s in your area") % {"id": text},
                    )
                )
                return False
            version = values.get("version", "")
            if version and int(version) != stored.version:
                errors.append(
                    RowError(
                        number,
                        self.labels["version"],
                        _(
                            "site %(id)s was changed after this file was exported: export "
                            "again and make your changes in the new file"
                        )
                        % {"id": text},
                    )
                )
                return False
            return stored
        found = self.by_key.get(_key(site.organisation_id, site.name, site.address), [])
        if len(found) > 1:
            errors.append(
                RowError(
                    number,
                    "",
                    _(
                        "%(n)d sites have this enterprise, name and address: give the site id "
                        "(export them to get it)"
                    )
                    % {"n": len(found)},
                )
            )
            return False
        return found[0] if found else None

    def _compare(self, number: int, values: dict[str, str], site: Site, stored: Site) -> PlannedRow:
        """The row against the stored site: only the columns the file has are compared (a file
        without a contact column leaves contacts as they are); an empty sector or status keeps
        the stored one."""
        before = _site_values(stored)
        after = dict(before)
        built = _site_values(site)
        for key, name in _FIELD_OF_COLUMN.items():
            if key not in self.present:
                continue
            if name in ("sector", "status") and not values.get(key):
                continue
            after[name] = built[name]
        specs = {spec.name for spec in attribute_specs(after["kind"])}
        attributes = {k: v for k, v in (stored.attributes or {}).items() if k in specs}
        for name in specs:
            if f"attr:{name}" in self.present:
                if name in (site.attributes or {}):
                    attributes[name] = site.attributes[name]
                else:
                    attributes.pop(name, None)
        after["attributes"] = attributes
        changed = [name for name in SITE_FIELDS if after[name] != before[name]]
        if not changed:
            return PlannedRow(number, RowStatus.UNCHANGED, stored, version=stored.version)
        return PlannedRow(
            number,
            RowStatus.CHANGED,
            stored,
            data={name: after[name] for name in changed},
            changes={name: [before[name], after[name]] for name in changed},
            version=stored.version,
        )

    def _check_permissions(self, planned: list[PlannedRow], errors: list[RowError]) -> None:
        """Refuse, row by row, a change of a site the user may not change, or of what decides
        who supervises it without the right to move sites (``site_update``'s own rules)."""
        changed = [row for row in planned if row.status == RowStatus.CHANGED]
        ids = [row.site.pk for row in changed]
        for chunk in _chunks(ids):
            allowed = SITE_POLICY.instances_user_has_permission_for(
                self.actor, "change", Site.objects.filter(pk__in=chunk)
            )
            self.changeable.update(allowed.values_list("pk", flat=True))
        for row in changed:
            if row.site.pk not in self.changeable:
                errors.append(RowError(row.row, "", _("you may not change this site")))
            elif not self.may_move and any(name in SUPERVISION_FIELDS for name in row.data):
                errors.append(
                    RowError(
                        row.row,
                        "",
                        _(
                            "only the supervising side may change a site's kind, sector, "
                            "township, responsible enterprise or status"
                        ),
                    )
                )


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
        self.mine_types = choice_lookup(MineType)

    def build(self, number: int, values: dict[str, str], errors: list[RowError]) -> Site | None:
        """Validate one row; append its errors and return None, or return an unsaved Site."""
        row_errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            row_errors.append(RowError(number, self.labels.get(key, key), message))

        for column in BASE_COLUMNS:
            if column.required and not values.get(column.key):
                fail(column.key, _("is required"))
        for key in ("site_id", "version"):
            text = values.get(key, "")
            if text and not (text.isascii() and text.isdigit() and 0 < len(text) <= 18):
                fail(key, _("“%(value)s” is not a number the export writes") % {"value": text})
                values[key] = ""
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

        mine_type = self.mine_types.get(values.get("mine_type", "").lower(), "")
        if values.get("mine_type") and (not mine_type or kind not in MINE_KINDS):
            fail("mine_type", _("a mine type is open-pit or underground, for mines only"))

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
            mine_type=mine_type,
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
            (site.organisation.credit_code or site.organisation.name) if site.organisation else "",
            site.contact_person,
            site.contact_phone,
            str(statuses.get(site.status, site.status)),
            str(MineType(site.mine_type).label) if site.mine_type else "",
        ]
        specs = {spec.name: spec for spec in attribute_specs(site.kind)}
        for key in _ATTRIBUTE_HEADERS:
            value = attributes.get(key)
            spec = specs.get(key)
            row.append(attribute_text(spec, value) if spec and value is not None else value)
        row += [site.pk, site.version]
        yield row


def export_headers() -> list[str]:
    return [column.label for column in COLUMNS]


EXPORT_TITLE: Promise = gettext_lazy("Sites")


# The preview lists at most this many new and this many changed rows (the counts are exact).
PREVIEW_ROWS = 200


@dataclass
class PreviewChange:
    label: str
    old: str
    new: str


def _value_text(name: str, value: Any, lookups: dict[str, dict[Any, str]]) -> str:
    """A field's stored value as the preview shows it."""
    if value in (None, "", {}):
        return "—"
    if name in lookups:
        return lookups[name].get(value, str(value))
    if name == "attributes":
        return join_list(f"{label}: {text}" for label, text in _attribute_pairs(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _attribute_pairs(attributes: dict[str, Any]) -> list[tuple[str, str]]:
    specs = {spec.name: spec for specs in ATTRIBUTES_BY_KIND.values() for spec in specs}
    return [
        (str(specs[k].label), str(attribute_text(specs[k], v))) if k in specs else (k, str(v))
        for k, v in sorted(attributes.items())
    ]


def import_preview(result: ImportResult, *, limit: int = PREVIEW_ROWS) -> dict[str, Any]:
    """What the preview page shows of a plan: the first ``limit`` changed rows with each
    change as text (old → new), the first ``limit`` new rows, and every count."""
    changed = result.changed_rows[:limit]
    organisation_ids = {
        value for row in changed for value in row.changes.get("organisation", []) if value
    }
    lookups: dict[str, dict[Any, str]] = {
        "kind": {k: str(v) for k, v in SiteKind.choices},
        "status": {k: str(v) for k, v in SiteStatus.choices},
        "mine_type": {k: str(v) for k, v in MineType.choices},
        "sector": {s.code: s.name for s in Sector.objects.all()},
        "organisation": dict(
            Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "name")
        ),
    }
    labels = {
        name: str(getattr(Site._meta.get_field(name), "verbose_name", name)) for name in SITE_FIELDS
    }
    return {
        "new": result.new_rows[:limit],
        "changed": [
            (
                row,
                [
                    PreviewChange(
                        labels[name],
                        _value_text(name, old, lookups),
                        _value_text(name, new, lookups),
                    )
                    for name, (old, new) in row.changes.items()
                ],
            )
            for row in changed
        ],
        "new_count": len(result.new_rows),
        "changed_count": len(result.changed_rows),
        "unchanged_count": result.unchanged,
        "limit": limit,
    }
