"""The clauses of the sector determination standards that checklist items may cite.

``checklists/clauses.toml`` lists them (taken from the domain brief, shared/domain.md section
5); ``clause_check_domain`` checks each one against the brief's text, so a clause that is not
in the brief's list for its sector cannot be cited unnoticed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .constants import CLAUSES_FILE


@dataclass(frozen=True)
class Clause:
    """One citable clause: where it is in the brief, and how a hazard cites it."""

    id: str
    standard: str
    sector: str
    section: str
    block: str
    item: str
    excerpt: str
    document_zh: str
    document_en: str
    ref_zh: str
    ref_en: str

    @property
    def label_zh(self) -> str:
        return f"{self.document_zh}{self.ref_zh}"

    @property
    def label_en(self) -> str:
        return f"{self.document_en}, {self.ref_en}"


def clauses_parse(text: str) -> dict[str, Clause]:
    """Parse the clause file's TOML text into clauses by id.

    Raises ``ValueError`` for a duplicate id or a missing key.
    """
    data = tomllib.loads(text)
    clauses: dict[str, Clause] = {}
    for key, standard in data.get("standards", {}).items():
        for row in standard.get("clauses", []):
            try:
                clause = Clause(
                    id=row["id"],
                    standard=key,
                    sector=standard["sector"],
                    section=standard["section"],
                    block=row.get("block", ""),
                    item=str(row.get("item", "")),
                    excerpt=row["excerpt"],
                    document_zh=standard["document_zh"],
                    document_en=standard["document_en"],
                    ref_zh=row["ref_zh"],
                    ref_en=row["ref_en"],
                )
            except KeyError as exc:
                raise ValueError(f"clause {row.get('id', '?')} in {key}: missing {exc}") from exc
            if clause.id in clauses:
                raise ValueError(f"duplicate clause id {clause.id}")
            clauses[clause.id] = clause
    return clauses


@cache
def clauses_load(path: Path = CLAUSES_FILE) -> dict[str, Clause]:
    """The shipped clauses by id (read once per process)."""
    return clauses_parse(path.read_text(encoding="utf-8"))


def _section_lines(text: str, section: str) -> list[str]:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(f"### {section} ")), None)
    if start is None:
        return []
    body = []
    for line in lines[start + 1 :]:
        if line.startswith(("### ", "## ")):
            break
        body.append(line)
    return body


def _block_lines(lines: list[str], block: str) -> list[str]:
    if not block:
        return lines
    start = next((i for i, line in enumerate(lines) if line.startswith(block)), None)
    if start is None:
        return []
    body = [lines[start]]
    for line in lines[start + 1 :]:
        if line.startswith("**"):
            break
        body.append(line)
    return body


def _item_text(lines: list[str], item: str) -> str:
    if not item:
        return "\n".join(lines)
    if item.startswith("("):
        pattern = re.compile(rf"^\s*- {re.escape(item)} ")
    else:
        pattern = re.compile(rf"^{re.escape(item)}\. ")
    for i, line in enumerate(lines):
        if pattern.match(line):
            found = [line]
            # The item runs on through its indented sub-bullets.
            for following in lines[i + 1 :]:
                if following.strip() and not following[0].isspace():
                    break
                found.append(following)
            return "\n".join(found)
    return ""


def clause_check_domain(*, clause: Clause, domain_text: str) -> str | None:
    """Check that ``clause`` is in the brief where it says: its section, its block, its item,
    and that the item contains its excerpt. Returns an error message, or None when it holds."""
    section = _section_lines(domain_text, clause.section)
    if not section:
        return f"{clause.id}: section {clause.section} not found"
    block = _block_lines(section, clause.block)
    if not block:
        return f"{clause.id}: block {clause.block!r} not found in section {clause.section}"
    item = _item_text(block, clause.item)
    if not item:
        return f"{clause.id}: item {clause.item} not found in section {clause.section}"
    if clause.excerpt not in item:
        return f"{clause.id}: {clause.excerpt!r} not in item {clause.item} of {clause.section}"
    return None
