"""The responsibility list as a spreadsheet: its columns, the all-or-nothing import and the
export (the same columns, so an office edits the export and imports it back).

One row per division and sector. Each side (party committee, government, lead department)
has four columns — names, posts, phones, usernames — holding one official, or several
separated by "；" (or ";") in the same order in every column of the side.

Import steps (docs/architecture.md, "Imports"): read the first sheet (``read_sheet``:
untrusted, size-checked, read in a child process); find the header row; map headers by their
Chinese or English name; load what checking needs in a few queries (divisions, sectors, bodies
by name, users by username, the entries that exist); check every row with the page's rules
(``entry_check``), collecting every problem with its row and column; write nothing unless all
rows are good; then update and insert the entries and replace their officials with bulk
writes in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hazardledger.access.scope import user_can
from hazardledger.accounts.choices import OrganisationKind
from hazardledger.accounts.models import Organisation, User
from hazardledger.audit.services import record
from hazardledger.core.errors import NotAllowed
from hazardledger.regions.models import Sector
from hazardledger.transfer.spreadsheets import (
    SpreadsheetError,
    cell_text,
    find_header,
    normalise_header,
    read_sheet,
)

from .chain import tree_ancestors
from .choices import OfficialSide
from .models import ResponsibilityEntry, ResponsibleOfficial
from .services.entries import EntryContext, EntryInput, OfficialInput, entry_check

EXPORT_TITLE = gettext_lazy("Responsibility list")
SEPARATOR = re.compile(r"[;；]")
# The most rows one file may hold (every township of the province × every sector).
MAX_ROWS = 50_000


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


_SIDE_LABELS = {
    OfficialSide.PARTY: ("党委负责人", "Party official"),
    OfficialSide.GOVERNMENT: ("政府负责人", "Government official"),
    OfficialSide.DEPARTMENT: ("部门负责人", "Department official"),
}


def _side_columns() -> list[Column]:
    columns = []
    for side, (zh, en) in _SIDE_LABELS.items():
        columns += [
            Column(f"{side}_name", zh, en),
            Column(f"{side}_post", f"{zh}职务", f"{en} post"),
            Column(f"{side}_phone", f"{zh}电话", f"{en} phone"),
            Column(f"{side}_user", f"{zh}账号", f"{en} username"),
        ]
    return columns


COLUMNS = (
    Column("region", "行政区划代码", "Division code", True, ("区划代码",)),
    Column("region_name", "行政区划名称", "Division", False, ("区划名称",)),
    Column("sector", "行业领域", "Sector", True, ("行业",)),
    Column("lead_department", "牵头部门", "Lead department", False, ("牵头单位",)),
    Column("escalates_to", "上报至区划代码", "Reports to (division code)", False, ("上报至",)),
    *_side_columns(),
    Column("note", "备注", "Note"),
)


def export_headers() -> list[str]:
    return [column.label for column in COLUMNS]


def _header_index() -> dict[str, Column]:
    index: dict[str, Column] = {}
    for column in COLUMNS:
        for name in (column.zh, column.en, *column.aliases):
            index[normalise_header(name)] = column
    return index


@dataclass
class RowError:
    row: int | None
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _split(text: str) -> list[str]:
    return [part.strip() for part in SEPARATOR.split(text)] if text.strip() else []


def entry_import(*, actor: Any, handle: IO[bytes], filename: str) -> ImportResult:
    """Import a responsibility list for ``actor`` (an office): every row or none.

    Raises ``NotAllowed`` for another role. Problems (the file, the header, each row with its
    number and column) come back in ``ImportResult.errors``; nothing is written then.
    """
    if not user_can(actor, ResponsibilityEntry, "import"):
        raise NotAllowed
    result = ImportResult()
    try:
        sheet = read_sheet(handle, filename)
    except SpreadsheetError as exc:
        result.errors.append(RowError(None, "", str(exc)))
        return result
    index = _header_index()
    header_at = find_header(sheet.rows, set(index))
    if header_at is None:
        result.errors.append(
            RowError(None, "", _("No header row found: use the columns of the template."))
        )
        return result
    columns = [index.get(normalise_header(cell_text(cell))) for cell in sheet.rows[header_at]]
    present = {column.key for column in columns if column is not None}
    for column in COLUMNS:
        if column.required and column.key not in present:
            result.errors.append(
                RowError(None, column.label, _("This required column is missing."))
            )
    if result.errors:
        return result
    records: list[tuple[int, dict[str, str]]] = []
    for number, row in enumerate(sheet.rows[header_at + 1 :], start=header_at + 2):
        values = {
            column.key: cell_text(cell)
            for column, cell in zip(columns, row, strict=False)
            if column is not None
        }
        if any(values.values()):
            records.append((number, values))
    if len(records) > MAX_ROWS:
        result.errors.append(RowError(None, "", _("At most %(n)d rows at once.") % {"n": MAX_ROWS}))
        return result
    if not records:
        result.errors.append(RowError(None, "", _("The file has no rows to import.")))
        return result
    context = _ImportContext(actor, records)
    checked = []
    seen: dict[tuple[str, str], int] = {}
    for number, values in records:
        entry = context.check(number, values, result.errors)
        if entry is None:
            continue
        key = (entry.region, entry.sector)
        if key in seen:
            result.errors.append(
                RowError(
                    number,
                    COLUMNS[0].label,
                    _("Row %(n)d has the same division and sector.") % {"n": seen[key]},
                )
            )
            continue
        seen[key] = number
        checked.append(entry)
    if result.errors:
        return result
    _write(actor, checked, result)
    return result


class _ImportContext:
    """What checking the rows needs, loaded once."""

    def __init__(self, actor: Any, records: list[tuple[int, dict[str, str]]]) -> None:
        self.actor = actor
        sectors = list(Sector.objects.all())
        self.sectors: dict[str, str] = {}
        for sector in sectors:
            for name in (sector.code, sector.name_zh, sector.name_en):
                self.sectors[normalise_header(name)] = sector.code
        names = {values.get("lead_department", "") for _, values in records} - {""}
        self.bodies: dict[str, list[Organisation]] = {}
        for body in Organisation.objects.filter(name__in=names).exclude(
            kind=OrganisationKind.ENTERPRISE
        ):
            self.bodies.setdefault(body.name, []).append(body)
        usernames = {
            name
            for _, values in records
            for side in OfficialSide.values
            for name in _split(values.get(f"{side}_user", ""))
        } - {""}
        self.users = {
            u.username: u.pk
            for u in User.objects.filter(username__in=usernames, is_active=True).only(
                "pk", "username"
            )
        }
        self.context = EntryContext.load(
            region_codes=[
                code
                for _, values in records
                for code in (values.get("region", ""), values.get("escalates_to", ""))
                if code
            ],
            department_ids=[body.pk for bodies in self.bodies.values() for body in bodies],
            user_ids=list(self.users.values()),
        )

    def check(self, number: int, values: dict[str, str], errors: list[RowError]) -> Any:
        labels = {column.key: column.label for column in COLUMNS}
        problems: list[RowError] = []

        def fail(key: str, message: str) -> None:
            problems.append(RowError(number, labels.get(key, ""), message))

        region = values.get("region", "")
        sector = self.sectors.get(normalise_header(values.get("sector", "")), "")
        if not sector:
            fail("sector", _("Unknown sector."))
        department_id = None
        department_name = values.get("lead_department", "")
        if department_name:
            chain = set(tree_ancestors(region)) if region.isdigit() else set()
            matches = [b for b in self.bodies.get(department_name, []) if b.region_id in chain]
            if len(matches) != 1:
                fail(
                    "lead_department",
                    _("No body of this name at this division or above it.")
                    if not matches
                    else _("Several bodies have this name: rename one in the administration."),
                )
            else:
                department_id = matches[0].pk
        officials = self._officials(values, fail)
        if problems:
            errors.extend(problems)
            return None
        checked, field_errors = entry_check(
            actor=self.actor,
            value=EntryInput(
                region=region,
                sector=sector,
                lead_department_id=department_id,
                escalates_to=values.get("escalates_to", ""),
                note=values.get("note", ""),
                officials=officials,
            ),
            context=self.context,
        )
        for name, messages in field_errors.items():
            column = {"officials": "party_name"}.get(name, name)
            for message in messages:
                errors.append(RowError(number, labels.get(column, ""), message))
        return checked

    def _officials(self, values: dict[str, str], fail: Any) -> tuple[OfficialInput, ...]:
        officials = []
        for side in OfficialSide.values:
            parts = {
                key: _split(values.get(f"{side}_{key}", ""))
                for key in ("name", "post", "phone", "user")
            }
            count = max(len(p) for p in parts.values())
            if any(len(p) not in (0, count) for p in parts.values()):
                fail(
                    f"{side}_name",
                    _("Give as many names, posts, phones and usernames, separated by “；”."),
                )
                continue
            for i in range(count):
                username = parts["user"][i] if parts["user"] else ""
                user_id = self.users.get(username) if username else None
                if username and user_id is None:
                    fail(
                        f"{side}_user",
                        _("No active user has the username “%(u)s”.") % {"u": username},
                    )
                officials.append(
                    OfficialInput(
                        side=side,
                        name=parts["name"][i] if parts["name"] else "",
                        post=parts["post"][i] if parts["post"] else "",
                        phone=parts["phone"][i] if parts["phone"] else "",
                        user_id=user_id,
                    )
                )
        return tuple(officials)


def _write(actor: Any, checked: list[Any], result: ImportResult) -> None:
    """Update the entries that exist and insert the others; replace their officials."""
    with transaction.atomic():
        regions = {entry.region for entry in checked}
        existing = {
            (e.region_id, e.sector_id): e
            for e in ResponsibilityEntry.objects.select_for_update().filter(region_id__in=regions)
        }
        new, changed = [], []
        for entry in checked:
            row = existing.get((entry.region, entry.sector))
            if row is None:
                row = ResponsibilityEntry(region_id=entry.region, sector_id=entry.sector)
                new.append(row)
            else:
                row.version += 1
                changed.append(row)
            row.lead_department_id = entry.lead_department_id
            row.escalates_to_id = entry.escalates_to
            row.note = entry.note
            row.updated_by = actor
        ResponsibilityEntry.objects.bulk_create(new, batch_size=1000)
        ResponsibilityEntry.objects.bulk_update(
            changed,
            ["lead_department_id", "escalates_to_id", "note", "version", "updated_by_id"],
            batch_size=1000,
        )
        ids = {(e.region_id, e.sector_id): e.pk for e in [*new, *changed]}
        if not all(ids.values()):  # a backend that does not return keys from bulk inserts
            ids = {
                (e.region_id, e.sector_id): e.pk
                for e in ResponsibilityEntry.objects.filter(region_id__in=regions)
            }
        ResponsibleOfficial.objects.filter(entry_id__in=list(ids.values())).delete()
        ResponsibleOfficial.objects.bulk_create(
            (
                ResponsibleOfficial(entry_id=ids[(entry.region, entry.sector)], **official)
                for entry in checked
                for official in entry.officials
            ),
            batch_size=2000,
        )
        record(
            actor=actor,
            action="responsibility.entry.import",
            data={"created": len(new), "updated": len(changed)},
        )
    result.created, result.updated = len(new), len(changed)


def export_rows(entries: Any) -> Iterator[list[Any]]:
    """One row per entry, in ``COLUMNS`` order (officials of a side joined by "；")."""
    for entry in entries:
        row: dict[str, Any] = {
            "region": entry.region_id,
            "region_name": entry.region.name,
            "sector": entry.sector.name,
            "lead_department": entry.lead_department.name if entry.lead_department else "",
            "escalates_to": entry.escalates_to_id or "",
            "note": entry.note,
        }
        officials = list(entry.officials.all())
        for side in OfficialSide.values:
            on_side = [o for o in officials if o.side == side]
            row[f"{side}_name"] = "；".join(o.name for o in on_side)
            row[f"{side}_post"] = "；".join(o.post for o in on_side)
            row[f"{side}_phone"] = "；".join(o.phone for o in on_side)
            row[f"{side}_user"] = "；".join(
                o.user.username if o.user is not None else "" for o in on_side
            )
            if not any(o.user is not None for o in on_side):
                row[f"{side}_user"] = ""
        yield [row.get(column.key, "") for column in COLUMNS]
