"""Limits checked on an untrusted spreadsheet before anything reads it in full.

python-calamine builds a sheet's whole rectangle, from A1 to its last cell, before the first row
reaches Python: a 2 KB xlsx naming one cell at XFD1048576 asks for 17 billion cells and the
process aborts. So, before calamine sees a file (``workbook_check``):

1. the format is taken from the content (an xls is an OLE2 file, xlsx and ods are zip archives),
   never from the name;
2. a zip archive is refused when its central directory or its number of members is out of
   proportion, when it is encrypted, when its members unpack (as declared) to more than
   ``IMPORT_MAX_UNPACKED_BYTES`` or when one member is compressed more than a sheet can be;
3. xlsx: the first sheet (found through workbook.xml and its relationships, as calamine finds
   it) is streamed chunk by chunk: its declared ``<dimension>``, then every row and cell
   position, since a dimension can lie or be missing; reading stops at the first chunk that
   passes a limit, so a 200,001-row sheet is refused without a cell being built;
4. ods: every table of content.xml, streamed through expat, with repeated rows and columns
   counted as calamine expands them; empty repeated rows and cells (every LibreOffice file ends
   with a million of them) count only when data follows them.

Formatted but empty xlsx cells count (calamine skips them, but so does nobody's dimension):
the message says so. xls has no such cheap view: its cells sit in an OLE2 container calamine
reads whole, through its own parser. No scan can follow every quirk of calamine's parsers
either, so calamine itself always runs in a child process with an address-space and CPU limit
(``spreadsheets._read_with_calamine``): a file this module lets through can at worst end that
child, never the server.

XML is parsed with expat, with any document type declaration refused, so no entity is ever
declared or expanded (the rule defusedxml applies; its ElementTree layer is four times slower
than expat's own callbacks, which matters for a 200,000-row sheet). The xlsx sheet scan reads
positions with a regular expression instead, which expands nothing.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _

from .constants import (
    CHUNK_BYTES,
    ZIP_MAX_DIRECTORY_BYTES,
    ZIP_MAX_MEMBERS,
    ZIP_MAX_RATIO,
    ZIP_RATIO_FLOOR,
)
from .errors import SpreadsheetError

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_END_OF_CENTRAL_DIRECTORY = b"PK\x05\x06"
# Longer references than these are past any limit (XFD is column 16,384, rows stop at 1,048,576).
_MAX_LETTERS, _MAX_DIGITS = 4, 9
_BEYOND = 10**12
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Limits:
    """How large a sheet may be: rows and columns counted from A1, their product, and what a
    zipped workbook may unpack to."""

    rows: int
    columns: int
    cells: int
    unpacked_bytes: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            cells=settings.IMPORT_MAX_CELLS,
            unpacked_bytes=settings.IMPORT_MAX_UNPACKED_BYTES,
        )


def unreadable() -> SpreadsheetError:
    return SpreadsheetError(_("The file is not a readable spreadsheet."))


def column_letters(number: int) -> str:
    """Column 1 is A, 27 is AA, 16384 is XFD."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def too_many_rows(row: int, limits: Limits) -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "The sheet reaches row %(row)s; at most %(max)s rows can be imported. Empty but "
            "formatted rows count too: delete the rows below your data and try again."
        )
        % {"row": f"{row:,}", "max": f"{limits.rows:,}"}
    )


def too_many_columns(column: int, limits: Limits) -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "The sheet reaches column %(column)s; at most %(max)s columns can be imported. "
            "Empty but formatted columns count too: delete the columns to the right of your "
            "data and try again."
        )
        % {"column": column_letters(min(column, 16_384 * 26)), "max": f"{limits.columns:,}"}
    )


def too_many_cells(rows: int, columns: int, limits: Limits) -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "The sheet spans %(rows)s rows and %(columns)s columns; at most %(max)s cells can "
            "be imported."
        )
        % {"rows": f"{rows:,}", "columns": f"{columns:,}", "max": f"{limits.cells:,}"}
    )


def check_size(rows: int, columns: int, limits: Limits, *, cells_before: int = 0) -> None:
    """Refuse a sheet of ``rows`` × ``columns`` (counted from A1) past a limit; ``cells_before``
    are cells of other sheets read together with this one."""
    if rows > limits.rows:
        raise too_many_rows(rows, limits)
    if columns > limits.columns:
        raise too_many_columns(columns, limits)
    if cells_before + rows * columns > limits.cells:
        raise too_many_cells(rows, columns, limits)


def workbook_check(data: bytes, limits: Limits) -> str:
    """Check an uploaded workbook (see the module docstring) and return the format calamine must
    read it as: ``"xlsx"``, ``"ods"`` or ``"xls"``. Raises ``SpreadsheetError``."""
    if data.startswith(OLE2_MAGIC):
        return "xls"
    if not data.startswith(b"PK\x03\x04"):
        raise unreadable()
    with _open_zip(data, limits) as archive:
        members = _Members(archive)
        mimetype = members.exact("mimetype")
        if mimetype is not None and _read_all(archive, mimetype).startswith(ODS_MIMETYPE):
            content = members.exact("content.xml")
            if content is None:
                raise unreadable()
            _scan(archive, content, _OdsScan(limits))
            return "ods"
        if any(name.endswith("workbook.bin") for name in members.by_key):
            raise SpreadsheetError(
                _("Excel binary workbooks (.xlsb) cannot be imported: save the file as .xlsx.")
            )
        sheet = _first_xlsx_sheet(archive, members)
        if sheet is not None:
            _scan_xlsx_sheet(_chunks(archive, sheet), limits)
        return "xlsx"


# --- the archive ---------------------------------------------------------------------------


def _open_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """The archive, once its directory, members and sizes are in proportion."""
    # zipfile reads the whole central directory into objects; its size is in the last record.
    end = data.rfind(_END_OF_CENTRAL_DIRECTORY, max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        raise unreadable()
    (directory_bytes,) = struct.unpack_from("<I", data, end + 12)
    if directory_bytes > ZIP_MAX_DIRECTORY_BYTES:
        raise unreadable()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise unreadable() from exc
    infos = archive.infolist()
    if len(infos) > ZIP_MAX_MEMBERS:
        raise unreadable()
    if any(info.flag_bits & 0x1 for info in infos):
        raise SpreadsheetError(
            _("The file is password-protected: save it without a password and try again.")
        )
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.unpacked_bytes:
        raise SpreadsheetError(
            _("The file unpacks to more than %(mb)s MB; it cannot be imported.")
            % {"mb": f"{limits.unpacked_bytes // (1024 * 1024):,}"}
        )
    for info in infos:
        if info.file_size > ZIP_RATIO_FLOOR and info.file_size > ZIP_MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise SpreadsheetError(
                _(
                    "The file is compressed far more than any spreadsheet is (a “zip bomb”); "
                    "it cannot be imported."
                )
            )
    return archive


class _Members:
    """Member lookup the way calamine does it: xlsx parts by their lower-cased name (with
    ``\\`` read as ``/``), ods parts by their exact name. Two members that calamine could
    confuse make the file unreadable."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.by_key: dict[str, zipfile.ZipInfo] = {}
        self.by_name: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            key = _ascii_lower(info.filename.replace("\\", "/"))
            if key in self.by_key:
                raise unreadable()
            self.by_key[key] = info
            self.by_name[info.filename] = info

    def exact(self, name: str) -> zipfile.ZipInfo | None:
        return self.by_name.get(name)

    def part(self, path: str) -> zipfile.ZipInfo | None:
        return self.by_key.get(_ascii_lower(path)) or self.by_name.get(path)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _ascii_lower(text: str) -> str:
    return text.translate(_ASCII_LOWER)


def _read_all(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise unreadable() from exc


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                yield chunk
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise unreadable() from exc


# --- XML -----------------------------------------------------------------------------------


class _Stop(Exception):
    """Raised by a handler once it has seen what it needed."""


def _refuse_doctype(*_args: Any) -> None:
    raise unreadable()


def _parse(chunks: Iterator[bytes], start: Callable[[str, dict[str, str]], None]) -> None:
    """Feed ``chunks`` to expat, calling ``start(name, attributes)`` for every element (names
    as written, prefix included); ``start`` may end the parse early by raising ``_Stop``. A
    document type declaration is refused, so no entity can be declared, let alone expanded."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.StartElementHandler = start
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Stop:
        return
    except expat.ExpatError as exc:
        raise unreadable() from exc


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, scan: _OdsScan) -> None:
    _parse(_chunks(archive, info), scan.start)
    scan.finish()


def _local(name: str) -> str:
    return name.rpartition(":")[2]


# --- xlsx ----------------------------------------------------------------------------------


def _first_xlsx_sheet(archive: zipfile.ZipFile, members: _Members) -> zipfile.ZipInfo | None:
    """The part calamine reads as the first sheet: the package relationships name the workbook,
    the workbook's first ``<sheet>`` names a relationship, which names the part. None when a
    step is missing (calamine then refuses the file itself)."""
    document = _relationships(archive, members.part("_rels/.rels"))
    targets = [t for _id, t, kind in document if kind.endswith("/relationships/officeDocument")]
    base = "xl/"
    if targets:
        folder = targets[-1].rpartition("/")[0]
        base = f"{folder.removeprefix('/')}/" if folder else ""
    relations = {
        id_: target
        for id_, target, _kind in _relationships(
            archive, members.part(f"{base}_rels/workbook.xml.rels")
        )
    }
    workbook = members.part(f"{base}workbook.xml")
    if workbook is None:
        return None
    found: list[str] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        if _local(name) == "sheet":
            ids = [value for key, value in attributes.items() if _local(key) == "id"]
            found.append(ids[-1] if ids else "")
            raise _Stop

    _parse(_chunks(archive, workbook), start)
    target = relations.get(found[0]) if found else None
    if target is None:
        return None
    return members.part(target[1:] if target.startswith("/") else f"{base}{target}")


def _relationships(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo | None
) -> list[tuple[str, str, str]]:
    """(Id, Target, Type) of every relationship of a ``.rels`` part; empty when it is absent."""
    if info is None:
        return []
    found: list[tuple[str, str, str]] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        if _local(name) == "Relationship":
            found.append(
                (attributes.get("Id", ""), attributes.get("Target", ""), attributes.get("Type", ""))
            )

    _parse(_chunks(archive, info), start)
    if len({id_ for id_, _target, _kind in found}) < len(found):
        raise unreadable()  # which of two equal ids a reader follows is anybody's guess
    return found


# Positions in a worksheet part: the "r" attribute of every cell and row. A regular expression
# over the raw XML finds them at C speed (expat's per-element callbacks take four times as long
# on a 200,000-row sheet); it expands no entities, and a comment or string that looks like a
# reference only makes the count larger. A cell without "r" is not counted here: calamine
# places it after the previous one, and the child process's own check and limits cover such
# files.
_REFERENCE = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]*)([0-9]+)")
_DIMENSION = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?\bref\s*=\s*[\"'](?:[^\"':]*:)?([A-Za-z]*)([0-9]+)"
)
# A legitimate sheet never goes this long without closing a tag.
_MAX_CARRY = 1024 * 1024


def _scan_xlsx_sheet(chunks: Iterator[bytes], limits: Limits) -> None:
    """Refuse a worksheet part whose declared dimension or cells pass a limit, reading it chunk
    by chunk and stopping at the first chunk that does."""
    rows = columns = 0
    carry = b""
    for number, chunk in enumerate(chunks):
        buffer = carry + chunk
        cut = buffer.rfind(b">") + 1
        text, carry = buffer[:cut], buffer[cut:]
        if len(carry) > _MAX_CARRY:
            raise unreadable()
        found = _REFERENCE.findall(text)
        if number == 0 and (dimension := _DIMENSION.search(text)):
            found.append(dimension.groups())
        if not found:
            continue
        letters, digits = zip(*found, strict=True)
        rows = max(rows, _BEYOND if max(map(len, digits)) > _MAX_DIGITS else max(map(int, digits)))
        columns = max(columns, *(_column_number(x) for x in set(letters)))
        if rows > limits.rows:
            raise too_many_rows(rows, limits)
        if columns > limits.columns:
            raise too_many_columns(columns, limits)
    check_size(rows, columns, limits)


def _column_number(letters: bytes) -> int:
    if len(letters) > _MAX_LETTERS:
        return _BEYOND
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


# --- ods -----------------------------------------------------------------------------------

_ODS_VALUE_ATTRIBUTES = frozenset(
    {
        "office:value-type",
        "office:value",
        "office:string-value",
        "office:date-value",
        "office:time-value",
        "office:boolean-value",
        "table:formula",
    }
)


@dataclass
class _OdsScan:
    """Every ``table:table`` of content.xml, with repeats expanded as calamine expands them: a
    table's rows run to its last row holding a value, its width to the last cell holding one,
    and every table is in memory at once (cells add up across tables)."""

    limits: Limits
    row: int = 0  # rows so far in the current table, repeats included
    row_repeats: int = 0
    row_width: int = 0  # last column holding a value in the current row
    position: int = 0  # columns so far in the current row, repeats included
    rows: int = 0
    columns: int = 0
    cells_before: int = 0  # cells of the tables already finished

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name in ("table:table-cell", "table:covered-table-cell"):
            repeats = _repeats(attributes.get("table:number-columns-repeated"))
            if _ODS_VALUE_ATTRIBUTES.intersection(attributes):
                self.row_width = self.position + repeats
                if self.row_width > self.limits.columns:
                    raise too_many_columns(self.row_width, self.limits)
            self.position += repeats
        elif name == "table:table-row":
            self._end_row()
            self.row_repeats = _repeats(attributes.get("table:number-rows-repeated"))
        elif name == "table:table":
            self._end_table()

    def _end_row(self) -> None:
        self.row += self.row_repeats
        if self.row_width:
            self.rows = self.row
            self.columns = max(self.columns, self.row_width)
            check_size(self.rows, self.columns, self.limits, cells_before=self.cells_before)
        self.row_repeats = self.row_width = self.position = 0

    def _end_table(self) -> None:
        self._end_row()
        self.cells_before += self.rows * self.columns
        self.row = self.rows = self.columns = 0

    def finish(self) -> None:
        self._end_table()


def _repeats(value: str | None) -> int:
    """A ``number-…-repeated`` attribute; 1 when absent or not a number (calamine refuses such
    a file itself)."""
    if value is None or _DIGITS.fullmatch(value) is None:
        return 1
    return _BEYOND if len(value) > _MAX_DIGITS else max(int(value), 1)
