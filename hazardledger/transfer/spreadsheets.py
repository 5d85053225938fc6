"""Reading and writing the spreadsheets offices keep: xlsx, xls, ods and csv (UTF-8 or GBK).

Reading goes through python-calamine (fast, no formulas evaluated), in a child process with
memory and CPU limits, after ``bounds.workbook_check`` has refused anything larger than the
configured rows, columns and cells; writing goes through openpyxl's write-only mode so that
large exports stream row by row, every text cell written as text.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import pickle
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from hazardledger.core.text import CONTROL_CHARACTERS_MULTILINE

from .bounds import Limits, check_size, column_letters, too_many_cells, unreadable, workbook_check
from .constants import READER_MEMORY_BYTES, READER_SECONDS
from .errors import SpreadsheetError

logger = logging.getLogger(__name__)

SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
ACCEPTED_EXTENSIONS = (*SPREADSHEET_EXTENSIONS, ".csv")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKER = Path(__file__).with_name("calamine_worker.py")
# Characters an xlsx cannot hold at all (openpyxl refuses them) and lone surrogates (UTF-8
# cannot encode them): dropped from exported text.
UNWRITABLE = re.compile(f"{ILLEGAL_CHARACTERS_RE.pattern}|[\ud800-\udfff]")
# How many cells with control characters one message names.
_CELLS_NAMED = 5

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "SPREADSHEET_EXTENSIONS",
    "Sheet",
    "SpreadsheetError",
    "cell_text",
    "find_header",
    "normalise_header",
    "read_sheet",
    "write_xlsx",
    "xlsx_response",
]


@dataclass
class Sheet:
    """The rows of a file's first sheet, as lists of cell values (str, float, date, …)."""

    rows: list[list[Any]]


def read_sheet(handle: IO[bytes], filename: str) -> Sheet:
    """Read the first sheet of an uploaded file.

    Steps:
    1. a name that is not .xlsx, .xlsm, .xls, .ods or .csv is refused;
    2. a CSV is decoded as UTF-8 (with or without BOM) and else as GBK, the two encodings
       offices' files come in; a NUL character refuses it (it is no text file), and reading
       stops at the first row or column past the limits;
    3. a workbook's real format is taken from its content and its size checked before it is
       read (``bounds.workbook_check``), then python-calamine reads it in a child process
       (``calamine_worker.py``) that checks the size again;
    4. text holding a control character other than tab, line feed and carriage return (which
       nothing can show and an xlsx cannot hold) refuses the file, naming the cells: the
       office fixes its file rather than importing something other than what it sees.

    The limits are the settings ``IMPORT_MAX_ROWS``, ``IMPORT_MAX_COLUMNS``, ``IMPORT_MAX_CELLS``
    and ``IMPORT_MAX_UNPACKED_BYTES``. Raises ``SpreadsheetError`` with a message for the user.
    """
    name = filename.lower()
    if not name.endswith(ACCEPTED_EXTENSIONS):
        raise SpreadsheetError(
            _("Unsupported file type: use %(types)s.") % {"types": ", ".join(ACCEPTED_EXTENSIONS)}
        )
    limits = Limits.from_settings()
    data = handle.read()
    if name.endswith(".csv"):
        rows = _read_csv(data, limits)
    else:
        rows = _read_with_calamine(data, workbook_check(data, limits), limits)
    _refuse_control_characters(rows)
    return Sheet(rows=rows)


def _read_with_calamine(data: bytes, kind: str, limits: Limits) -> list[list[Any]]:
    """The first sheet's rows, read by ``calamine_worker.py`` in a child process.

    The child runs on the interpreter that runs the app (``sys.executable``: the virtualenv's
    Python under gunicorn or manage.py), isolated from the environment's Python settings.
    """
    # The parent owns the temporary file: a child that calamine aborts cannot remove it, and
    # the file's extension tells calamine which reader to use.
    with tempfile.TemporaryDirectory(prefix="hl-sheet-") as folder:
        path = Path(folder) / f"upload.{kind}"
        path.write_bytes(data)
        command = [
            sys.executable,
            "-I",
            str(WORKER),
            str(path),
            *(str(n) for n in (limits.rows, limits.columns, limits.cells)),
            str(READER_MEMORY_BYTES),
            str(READER_SECONDS),
        ]
        try:
            done = subprocess.run(  # noqa: S603 (our interpreter, our script, our file)
                command,
                capture_output=True,
                timeout=READER_SECONDS + 10,
                check=False,
                env={**os.environ, "RUST_BACKTRACE": "0"},
            )
        except subprocess.TimeoutExpired as exc:
            raise SpreadsheetError(
                _("Reading the file took too long; it cannot be imported.")
            ) from exc
    if done.returncode != 0:
        logger.warning("spreadsheet reader ended with %s: %s", done.returncode, done.stderr[:500])
        raise SpreadsheetError(
            _("The file is too large or too damaged to read; it cannot be imported.")
        )
    # The child is our own script, run as the same user, writing calamine's values.
    answer = pickle.loads(done.stdout)  # noqa: S301
    if answer[0] == "rows":
        return answer[1]
    reason, rows, columns = answer[1:]
    if reason == "size":
        check_size(rows, columns, limits)
        raise too_many_cells(rows, columns, limits)
    if reason == "no_sheets":
        raise SpreadsheetError(_("The workbook has no sheets."))
    raise unreadable()


def _read_csv(data: bytes, limits: Limits) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SpreadsheetError(_("The CSV file is neither UTF-8 nor GBK text."))
    if "\x00" in text:
        raise SpreadsheetError(
            _(
                "The CSV file contains NUL characters, so it is not text: save it as UTF-8 or "
                "GBK CSV and try again."
            )
        )
    rows: list[list[str]] = []
    columns = 0
    try:
        for row in csv.reader(_bounded_lines(text, limits)):
            rows.append(row)
            columns = max(columns, len(row))
            check_size(len(rows), columns, limits)
    except csv.Error as exc:
        # csv's own errors: a field over its size limit, or broken quoting.
        raise SpreadsheetError(
            _("The CSV file cannot be read: a cell is longer than %(max)s characters.")
            % {"max": f"{csv.field_size_limit():,}"}
            if "field limit" in str(exc)
            else _("The file is not a readable spreadsheet.")
        ) from exc
    return rows


def _bounded_lines(text: str, limits: Limits) -> Iterator[str]:
    """The lines of ``text`` for csv.reader, each refused before it is split when it holds
    more separators than a row may have columns (one line of commas is a million cells)."""
    for line in io.StringIO(text, newline=""):
        if line.count(",") >= limits.columns:
            raise SpreadsheetError(
                _("A line of the CSV file has more than %(max)s columns.")
                % {"max": f"{limits.columns:,}"}
            )
        yield line


def _refuse_control_characters(rows: list[list[Any]]) -> None:
    """Refuse text cells holding control characters, naming the first few cells."""
    cells: list[str] = []
    characters: dict[str, None] = {}
    for number, row in enumerate(rows, start=1):
        texts = [value for value in row if isinstance(value, str)]
        if not texts or not CONTROL_CHARACTERS_MULTILINE.search("".join(texts)):
            continue
        for column, value in enumerate(row, start=1):
            if isinstance(value, str) and (found := CONTROL_CHARACTERS_MULTILINE.findall(value)):
                cells.append(f"{column_letters(column)}{number}")
                characters.update(dict.fromkeys(f"U+{ord(c):04X}" for c in found))
        if len(cells) >= _CELLS_NAMED:
            break
    if cells:
        named = cells[:_CELLS_NAMED]
        raise SpreadsheetError(
            ngettext(
                "Cell %(cells)s contains control characters (%(characters)s), which cannot be "
                "imported: remove them and try again.",
                "Cells %(cells)s contain control characters (%(characters)s), which cannot be "
                "imported: remove them and try again.",
                len(named),
            )
            % {"cells": ", ".join(named), "characters": ", ".join(characters)}
        )


def cell_text(value: Any) -> str:
    """A cell as trimmed text; whole floats lose their ".0" (spreadsheets store 12 as 12.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def find_header(
    rows: Sequence[Sequence[Any]], known: set[str], *, look_ahead: int = 10
) -> int | None:
    """Index of the header row: the first of the first ``look_ahead`` rows that names at least
    two known columns (title rows and blank rows above it are skipped). None if there is none."""
    for index, row in enumerate(rows[:look_ahead]):
        names = {normalise_header(cell_text(cell)) for cell in row}
        if len(names & known) >= 2:
            return index
    return None


def normalise_header(text: str) -> str:
    """Header text compared loosely: no spaces, full-width brackets folded, lower case."""
    return (
        text.replace(" ", "")
        .replace("\u3000", "")
        .replace("（", "(")
        .replace("）", ")")
        .replace("*", "")
        .lower()
    )


def write_xlsx(
    *, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], stream: IO[bytes]
) -> None:
    """Write one sheet with a bold header row to ``stream`` (write-only mode, constant memory).

    Every text cell is written as text, whatever it holds (``export_cell``); numbers, dates and
    empty cells keep their types.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=UNWRITABLE.sub("", str(header)))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([export_cell(sheet, value) for value in row])
    workbook.save(stream)


def export_cell(sheet: Any, value: Any) -> Any:
    """``value`` as an export writes it.

    Text loses the characters an xlsx cannot hold (whatever is stored, the export opens). Text
    that openpyxl would take for a formula (it starts with "=") or an error code ("#N/A") is
    forced to a text cell, so a stored ``=HYPERLINK(…)`` reaches the reader as the characters
    it is, never as a live formula; any other text is already an inline string, which no
    spreadsheet evaluates, so "+", "-", "@", tab and carriage return need nothing and the text
    is kept exactly (no quote prefixed).
    """
    if not isinstance(value, str):
        return value
    text = UNWRITABLE.sub("", value)
    if text.startswith("=") or text in ERROR_CODES:
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


def xlsx_response(
    *, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], filename: str
) -> HttpResponse:
    """An xlsx download of one sheet; ``filename`` gets a local timestamp and ``.xlsx``."""
    stream = io.BytesIO()
    write_xlsx(title=title, headers=headers, rows=rows, stream=stream)
    response = HttpResponse(stream.getvalue(), content_type=XLSX_CONTENT_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.xlsx"'
    return response
