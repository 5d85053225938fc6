"""Spreadsheet files built byte by byte, hostile ones included (no binary fixture is committed).

- ``xlsx_file``: an xlsx whose first sheet is the given ``<sheetData>`` XML (and dimension);
- ``ods_file``: an ods whose content.xml holds the given table rows;
- ``xls_file``: a BIFF8 workbook in a minimal OLE2 container, with the given cells.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/></Types>'
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
# The sheet of the issue: A1, B1 and one cell at XFD1048576 (1,048,576 rows × 16,384 columns).
SPARSE_BOMB = (
    '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>'
    '<row r="1048576"><c r="XFD1048576"><v>3</v></c></row>'
)


def text_cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def xlsx_file(sheet_data: str, *, dimension: str | None = None, extra: dict | None = None) -> bytes:
    """An xlsx whose first sheet's ``<sheetData>`` is ``sheet_data``; ``extra`` adds members."""
    dimension_xml = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dimension_xml}<sheetData>{sheet_data}</sheetData></worksheet>"
    )
    members = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        **(extra or {}),
    }
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return stream.getvalue()


def ods_file(rows_xml: str) -> bytes:
    """An ods with one table made of ``rows_xml`` (``<table:table-row>`` elements)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
        f"{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return stream.getvalue()


def ods_row(*cells: str, repeated: int = 1) -> str:
    """A table row; each cell is ods cell XML (``ods_text``, ``ods_empty``)."""
    attribute = f' table:number-rows-repeated="{repeated}"' if repeated > 1 else ""
    return f"<table:table-row{attribute}>{''.join(cells)}</table:table-row>"


def ods_text(text: str, repeated: int = 1) -> str:
    attribute = f' table:number-columns-repeated="{repeated}"' if repeated > 1 else ""
    return (
        f'<table:table-cell office:value-type="string"{attribute}>'
        f"<text:p>{escape(text)}</text:p></table:table-cell>"
    )


def ods_empty(repeated: int = 1) -> str:
    attribute = f' table:number-columns-repeated="{repeated}"' if repeated > 1 else ""
    return f"<table:table-cell{attribute}/>"


# --- xls: BIFF8 records in an OLE2 compound file ----------------------------------------------

_FREE, _END_OF_CHAIN, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x0006))


def xls_file(cells: Iterable[tuple[int, int, str | float]]) -> bytes:
    """A one-sheet xls holding ``cells`` as (row, column, value), both 0-based."""
    sheet = bytearray(_bof(0x0010))
    for row, column, value in cells:
        if isinstance(value, str):
            text = value.encode("utf-16-le")
            data = struct.pack("<HHHHB", row, column, 0, len(value), 1) + text
            sheet += _record(0x0204, data)  # LABEL, text in UTF-16
        else:
            sheet += _record(0x0203, struct.pack("<HHHd", row, column, 0, value))  # NUMBER
    sheet += _record(0x000A, b"")
    name = "Sheet1"
    globals_end = len(_bof(0x0005)) + len(
        _record(0x0085, struct.pack("<IBBBB", 0, 0, 0, len(name), 0) + name.encode())
    )
    globals_end += len(_record(0x000A, b""))
    bound_sheet = struct.pack("<IBBBB", globals_end, 0, 0, len(name), 0) + name.encode()
    stream = _bof(0x0005) + _record(0x0085, bound_sheet) + _record(0x000A, b"") + bytes(sheet)
    # Streams under 4096 bytes live in the mini stream; pad past it to keep the container simple.
    stream += b"\0" * max(0, 4096 - len(stream))
    return _compound_file(stream)


def _directory_entry(name: str, kind: int, start: int, size: int, child: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", _NO_STREAM, _NO_STREAM, child)
        + b"\0" * 16
        + struct.pack("<IQQ", 0, 0, 0)
        + struct.pack("<IQ", start, size)
    )


def _compound_file(stream: bytes) -> bytes:
    """An OLE2 file (version 3, 512-byte sectors): sector 0 is the FAT, sector 1 the
    directory, the workbook stream follows."""
    size = 512
    stream_sectors = -(-len(stream) // size)
    fat = [_FAT_SECTOR, _END_OF_CHAIN]
    fat += [2 + i + 1 for i in range(stream_sectors - 1)] + [_END_OF_CHAIN]
    fat += [_FREE] * (size // 4 - len(fat))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END_OF_CHAIN, 0, _END_OF_CHAIN, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", _FREE) * 108
    )
    directory = (
        _directory_entry("Root Entry", 5, _END_OF_CHAIN, 0, 1)
        + _directory_entry("Workbook", 2, 2, len(stream), _NO_STREAM)
        + _directory_entry("", 0, 0, 0, _NO_STREAM) * 2
    )
    body = stream.ljust(stream_sectors * size, b"\0")
    return header + struct.pack(f"<{size // 4}I", *fat) + directory + body
