"""Reading and writing the spreadsheets offices keep: xlsx, xls, ods and csv (UTF-8 or GBK).

Reading goes through python-calamine (fast, no formulas evaluated); writing through openpyxl's
write-only mode so that large exports stream row by row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

import python_calamine
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
ACCEPTED_EXTENSIONS = (*SPREADSHEET_EXTENSIONS, ".csv")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SpreadsheetError(ValueError):
    """The file cannot be read as a spreadsheet; the message is for the user."""


@dataclass
class Sheet:
    """The rows of a file's first sheet, as lists of cell values (str, float, date, …)."""

    rows: list[list[Any]]


def read_sheet(handle: IO[bytes], filename: str) -> Sheet:
    """Read the first sheet of an uploaded file.

    The format is taken from the extension; a CSV is decoded as UTF-8 (with or without BOM) and
    else as GBK, the two encodings offices' files come in. Raises ``SpreadsheetError``.
    """
    name = filename.lower()
    if name.endswith(".csv"):
        return Sheet(rows=list(_read_csv(handle.read())))
    if not name.endswith(SPREADSHEET_EXTENSIONS):
        raise SpreadsheetError(
            _("Unsupported file type: use %(types)s.") % {"types": ", ".join(ACCEPTED_EXTENSIONS)}
        )
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(handle)
        if not workbook.sheet_names:
            raise SpreadsheetError(_("The workbook has no sheets."))
        sheet = workbook.get_sheet_by_index(0)
        return Sheet(rows=sheet.to_python(skip_empty_area=False))
    except python_calamine.CalamineError as exc:
        raise SpreadsheetError(_("The file is not a readable spreadsheet.")) from exc
    except (ValueError, OSError) as exc:
        raise SpreadsheetError(_("The file is not a readable spreadsheet.")) from exc


def _read_csv(data: bytes) -> Iterator[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SpreadsheetError(_("The CSV file is neither UTF-8 nor GBK text."))
    yield from csv.reader(io.StringIO(text, newline=""))


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
    """Write one sheet with a bold header row to ``stream`` (write-only mode, constant memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(list(row))
    workbook.save(stream)


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
