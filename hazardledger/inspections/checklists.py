"""Checklists as data: parse and validate a checklist file (TOML), and load it as a version.

A file describes one checklist (``code``, titles, ``sectors``, ``site_kinds``, ``standard``) and
its ``[[items]]``; an item marked major names a clause of ``clauses.toml`` (``major = "hc-12"``)
of one of the checklist's sectors. The format is described in docs/inspections.md.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hazardledger.audit.services import record as audit_record
from hazardledger.core.errors import Invalid
from hazardledger.hazards.choices import HazardCategory
from hazardledger.regions.models import Sector
from hazardledger.registry.attributes import condition_choices
from hazardledger.registry.choices import SiteKind

from .clauses import Clause, clauses_load
from .constants import CHECKLIST_DIR
from .models import Checklist, ChecklistItem

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
ITEM_CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
ITEM_KEYS = {
    "code",
    "section_zh",
    "section_en",
    "text_zh",
    "text_en",
    "basis",
    "category",
    "major",
    "when",
}
TOP_KEYS = {
    "code",
    "title_zh",
    "title_en",
    "sectors",
    "site_kinds",
    "standard",
    "description",
    "items",
}


@dataclass
class ChecklistSpec:
    """A validated checklist file, ready to load."""

    data: dict[str, Any]
    sha256: str
    text: str


def _text(value: Any, *, required: bool, limit: int) -> str | None:
    if value is None:
        return None if required else ""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if (required and not value) or len(value) > limit:
        return None
    return value


def _conditions(raw: Any) -> tuple[dict[str, list[str]], list[str]]:
    """An item's ``when`` table, ``{attribute = "value"}`` or ``{attribute = ["a", "b"]}``,
    as ``{attribute: sorted values}``, with the problems found (unknown attributes or values,
    wrong types)."""
    if raw is None:
        return {}, []
    if not isinstance(raw, dict) or not raw:
        return {}, [_("“when” must be a table of site attributes and their values.")]
    known = condition_choices()
    conditions: dict[str, list[str]] = {}
    problems: list[str] = []
    for name, value in raw.items():
        values = [value] if isinstance(value, str) else value
        if name not in known:
            problems.append(_("“when” names an unknown site attribute %(name)s.") % {"name": name})
            continue
        if (
            not isinstance(values, list)
            or not values
            or any(not isinstance(v, str) or v not in known[name] for v in values)
        ):
            problems.append(
                _("“when”: %(name)s must be one or more of %(values)s.")
                % {"name": name, "values": ", ".join(known[name])}
            )
            continue
        conditions[name] = sorted(set(values))
    return conditions, problems


def checklist_parse(text: str, *, clauses: dict[str, Clause] | None = None) -> ChecklistSpec:
    """Parse and validate a checklist file's text.

    Raises ``Invalid`` listing every problem (bad or too deeply nested TOML, unknown
    keys, values of the wrong type, missing texts, unknown sector, site kind or category,
    duplicate item codes, a major clause that does not exist or belongs to another sector). The
    hash covers the parsed content, so comments and layout do not make a new version.
    """
    clauses = clauses_load() if clauses is None else clauses
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Invalid(_("The file is not valid TOML: %(error)s") % {"error": exc}) from exc
    except RecursionError as exc:
        # tomllib recurses once per nested array or inline table; no checklist nests at all.
        raise Invalid(_("The file nests arrays or tables too deeply to be a checklist.")) from exc
    errors: list[str] = []
    unknown = set(raw) - TOP_KEYS
    if unknown:
        errors.append(_("Unknown keys: %(keys)s") % {"keys": ", ".join(sorted(unknown))})
    code = raw.get("code")
    if not isinstance(code, str) or not CODE_PATTERN.match(code):
        errors.append(_("“code” must be lowercase letters, digits, “_” or “-”."))
    data: dict[str, Any] = {"code": code}
    for key, required, limit in (
        ("title_zh", True, 200),
        ("title_en", True, 200),
        ("standard", False, 300),
        ("description", False, 2000),
    ):
        value = _text(raw.get(key), required=required, limit=limit)
        if value is None:
            errors.append(_("“%(key)s” is missing or too long.") % {"key": key})
        data[key] = value or ""
    known_sectors = set(Sector.objects.values_list("code", flat=True))
    sectors = raw.get("sectors", [])
    if not isinstance(sectors, list) or any(
        not isinstance(s, str) or s not in known_sectors for s in sectors
    ):
        errors.append(_("“sectors” must list known sector codes."))
        sectors = []
    kinds = raw.get("site_kinds", [])
    if not isinstance(kinds, list) or any(
        not isinstance(k, str) or k not in SiteKind.values for k in kinds
    ):
        errors.append(_("“site_kinds” must list known site kinds."))
        kinds = []
    data["sectors"], data["site_kinds"] = sorted(sectors), sorted(kinds)
    items = raw.get("items")
    if not isinstance(items, list) or not items:
        errors.append(_("A checklist needs at least one [[items]] entry."))
        items = []
    seen: set[str] = set()
    data["items"] = []
    for number, item in enumerate(items, start=1):
        where = _("Item %(n)d") % {"n": number}
        if not isinstance(item, dict):
            errors.append(_("%(where)s is not a table.") % {"where": where})
            continue
        extra = set(item) - ITEM_KEYS
        if extra:
            errors.append(
                _("%(where)s: unknown keys %(keys)s")
                % {"where": where, "keys": ", ".join(sorted(extra))}
            )
        item_code = item.get("code")
        if not isinstance(item_code, str) or not ITEM_CODE_PATTERN.match(item_code):
            errors.append(_("%(where)s: “code” is missing or malformed.") % {"where": where})
        elif item_code in seen:
            errors.append(
                _("%(where)s: code %(code)s is used twice.") % {"where": where, "code": item_code}
            )
        seen.add(str(item_code))
        row: dict[str, Any] = {"code": item_code}
        for key, required, limit in (
            ("text_zh", True, 2000),
            ("text_en", True, 2000),
            ("section_zh", False, 200),
            ("section_en", False, 200),
            ("basis", False, 1000),
        ):
            value = _text(item.get(key), required=required, limit=limit)
            if value is None:
                errors.append(
                    _("%(where)s: “%(key)s” is missing or too long.") % {"where": where, "key": key}
                )
            row[key] = value or ""
        category = item.get("category", HazardCategory.OTHER)
        if not isinstance(category, str) or category not in HazardCategory.values:
            shown = category if isinstance(category, str) else type(category).__name__
            errors.append(_("%(where)s: unknown category %(c)s.") % {"where": where, "c": shown})
        row["category"] = category
        major = item.get("major", "")
        if major and not isinstance(major, str):
            errors.append(_("%(where)s: “major” must name a clause.") % {"where": where})
            major = ""
        if major:
            clause = clauses.get(major)
            if clause is None:
                errors.append(
                    _("%(where)s: clause %(clause)s is not in the clause list.")
                    % {"where": where, "clause": major}
                )
            elif clause.sector not in data["sectors"]:
                errors.append(
                    _(
                        "%(where)s: clause %(clause)s belongs to sector %(sector)s, "
                        "not this checklist's."
                    )
                    % {"where": where, "clause": major, "sector": clause.sector}
                )
        row["major"] = major or ""
        conditions, problems = _conditions(item.get("when"))
        errors += [f"{where}: {problem}" for problem in problems]
        if conditions:
            # Only items with conditions carry the key, so older files hash as before.
            row["when"] = conditions
        data["items"].append(row)
    if errors:
        raise Invalid(errors)
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return ChecklistSpec(
        data=data, sha256=hashlib.sha256(canonical.encode()).hexdigest(), text=text
    )


def checklist_load(*, text: str, actor: Any = None) -> tuple[Checklist, bool]:
    """Load a checklist file's text as the checklist's current version.

    Returns ``(checklist, created)``: the current version unchanged when the file's content
    is what it already holds, else a new version (numbered one above the highest) that
    becomes current; the old versions stay for the inspections that used them. Raises
    ``Invalid`` for a bad file (nothing is written).
    """
    spec = checklist_parse(text)
    data = spec.data
    clauses = clauses_load()
    with transaction.atomic():
        # Lock the code's versions so that two loads cannot both create the same version.
        versions = list(
            Checklist.objects.select_for_update().filter(code=data["code"]).order_by("-version")
        )
        current = next((c for c in versions if c.is_current), None)
        if current is not None and current.source_sha256 == spec.sha256:
            return current, False
        number = versions[0].version + 1 if versions else 1
        Checklist.objects.filter(code=data["code"], is_current=True).update(is_current=False)
        checklist = Checklist.objects.create(
            code=data["code"],
            version=number,
            title_zh=data["title_zh"],
            title_en=data["title_en"],
            sectors=data["sectors"],
            site_kinds=data["site_kinds"],
            standard=data["standard"],
            description=data["description"],
            source_sha256=spec.sha256,
            source_text=spec.text,
            is_current=True,
            created_by_name=getattr(actor, "display_name", "") or "system",
        )
        ChecklistItem.objects.bulk_create(
            [
                ChecklistItem(
                    checklist=checklist,
                    position=position,
                    code=row["code"],
                    section_zh=row["section_zh"],
                    section_en=row["section_en"],
                    text_zh=row["text_zh"],
                    text_en=row["text_en"],
                    basis=row["basis"],
                    category=row["category"],
                    major_clause=row["major"],
                    clause_label=clauses[row["major"]].label_zh if row["major"] else "",
                    conditions=row.get("when", {}),
                )
                for position, row in enumerate(data["items"], start=1)
            ]
        )
        audit_record(
            actor=actor,
            action="inspections.checklist.load",
            obj=checklist,
            after={"code": checklist.code, "version": checklist.version},
            data={"sha256": spec.sha256, "items": len(data["items"])},
        )
    return checklist, True


def checklist_files(directory: Path = CHECKLIST_DIR) -> list[Path]:
    """The shipped checklist files, in name order (``clauses.toml`` is not a checklist)."""
    return sorted(p for p in directory.glob("*.toml") if p.name != "clauses.toml")


def checklists_load_shipped(*, actor: Any = None) -> list[tuple[Checklist, bool]]:
    """Load every shipped checklist file (idempotent: unchanged files add nothing)."""
    return [
        checklist_load(text=path.read_text(encoding="utf-8"), actor=actor)
        for path in checklist_files()
    ]


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes), and keeps Chinese readable.
    return json.dumps(value, ensure_ascii=False)


def checklist_to_toml(checklist: Checklist) -> str:
    """The checklist version as a TOML file that loads back to the same content (for an
    administrator to edit and upload as the next version)."""
    lines = [f"code = {_toml_string(checklist.code)}"]
    for key in ("title_zh", "title_en"):
        lines.append(f"{key} = {_toml_string(getattr(checklist, key))}")
    for key in ("sectors", "site_kinds"):
        values = ", ".join(_toml_string(v) for v in getattr(checklist, key))
        lines.append(f"{key} = [{values}]")
    lines.append(f"standard = {_toml_string(checklist.standard)}")
    lines.append(f"description = {_toml_string(checklist.description)}")
    for item in checklist.items.order_by("position"):
        lines.append("")
        lines.append("[[items]]")
        for key in ("code", "section_zh", "section_en", "text_zh", "text_en", "basis", "category"):
            lines.append(f"{key} = {_toml_string(getattr(item, key))}")
        if item.major_clause:
            lines.append(f"major = {_toml_string(item.major_clause)}")
        if item.conditions:
            pairs = ", ".join(
                f"{name} = [{', '.join(_toml_string(v) for v in values)}]"
                for name, values in sorted(item.conditions.items())
            )
            lines.append(f"when = {{{pairs}}}")
    return "\n".join(lines) + "\n"
