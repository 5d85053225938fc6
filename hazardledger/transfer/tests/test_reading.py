"""Reading untrusted spreadsheets: every hostile file is refused with a message, nothing more.

The files are built in ``files.py``; the sizes that matter are the settings' limits, lowered
here so that a "too large" file stays small.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from hazardledger.registry.models import Site
from hazardledger.transfer.spreadsheets import SpreadsheetError, read_sheet

from .files import (
    SPARSE_BOMB,
    ods_empty,
    ods_file,
    ods_row,
    ods_text,
    text_cell,
    xls_file,
    xlsx_file,
)

pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(settings.BASE_DIR)


def read(data: bytes, name: str = "sites.xlsx") -> list[list]:
    return read_sheet(io.BytesIO(data), name).rows


def refusal(data: bytes, name: str = "sites.xlsx") -> str:
    with pytest.raises(SpreadsheetError) as info:
        read(data, name)
    return str(info.value)


@pytest.fixture
def no_reader(monkeypatch):
    """Fail the test if the file reaches python-calamine (the child process)."""

    def refuse(*args, **kwargs):
        raise AssertionError("the file reached the reader")

    monkeypatch.setattr(subprocess, "run", refuse)


def rows_xml(count: int, columns: int = 2) -> str:
    letters = "ABCDEFGHIJ"[:columns]
    return "".join(
        f'<row r="{n}">' + "".join(text_cell(f"{c}{n}", f"{c}{n}") for c in letters) + "</row>"
        for n in range(1, count + 1)
    )


def test_the_sparse_bomb_is_refused_in_a_fresh_process_under_150_mb():
    """The issue's 1.6 KB sheet (A1, B1, XFD1048576) killed the server; a fresh process now
    refuses it with a message, and its peak memory stays small."""
    script = textwrap.dedent(
        """
        import io, json, resource, django
        django.setup()
        from django.utils import translation
        translation.activate("en")
        from hazardledger.transfer.spreadsheets import SpreadsheetError, read_sheet
        from hazardledger.transfer.tests.files import SPARSE_BOMB, xlsx_file
        answers = []
        for dimension in (None, "A1:XFD1048576"):
            try:
                read_sheet(io.BytesIO(xlsx_file(SPARSE_BOMB, dimension=dimension)), "s.xlsx")
                answers.append("read")
            except SpreadsheetError as exc:
                answers.append(str(exc))
        print(json.dumps({
            "answers": answers,
            "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        }))
        """
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "x",
        "PYTHONPATH": str(ROOT),
    }
    # Linux hands a forked child its parent's resident high-water mark, and exec keeps it, so
    # a child of this (large) test process would report the test's peak. A shell in between,
    # which forks the interpreter instead of exec-ing it, gives a process that starts small.
    done = subprocess.run(  # noqa: S603
        ["/bin/sh", "-c", '"$@"; exit $?', "sh", sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(result["answers"]) == 2
    for answer in result["answers"]:
        assert "reaches row 1,048,576" in answer
        assert "at most 200,000 rows" in answer
    assert result["peak_kb"] < 150 * 1024, result
    assert result["children_kb"] < 150 * 1024, result


def test_the_sparse_bomb_posted_to_the_site_import_creates_nothing(client, users):
    client.force_login(users.manager_a)
    upload = io.BytesIO(xlsx_file(SPARSE_BOMB))
    upload.name = "sites.xlsx"
    response = client.post(reverse("registry:site-import"), {"file": upload})
    assert response.status_code == 200
    assert "reaches row 1,048,576" in response.content.decode()
    assert not Site.objects.exists()


def test_a_bomb_the_scan_misses_ends_only_the_child_process(monkeypatch):
    """No scan follows every quirk of calamine's parsers; what slips past it aborts the child
    that runs calamine, and the caller gets a message."""
    monkeypatch.setattr(
        "hazardledger.transfer.spreadsheets.workbook_check", lambda data, limits: "xlsx"
    )
    message = refusal(xlsx_file(SPARSE_BOMB))
    assert "too large or too damaged to read" in message


def test_an_xls_bomb_ends_only_the_child_process(monkeypatch, tmp_path):
    # A cell at row 65,536, column 65,536: calamine asks for 137 GB while opening the file.
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the child's too
    message = refusal(xls_file([(0, 0, "名称"), (65535, 65535, 1.0)]), "sites.xls")
    assert "too large or too damaged to read" in message
    # The aborted child could not clean up after itself; the parent did.
    assert list(tmp_path.iterdir()) == []


def test_reading_leaves_no_temporary_file(monkeypatch, tmp_path):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    assert read(xlsx_file(text_cell("A1", "名称")))[0][0] == "名称"
    assert list(tmp_path.iterdir()) == []


def test_an_xls_past_the_row_limit_is_refused_by_the_child(settings):
    settings.IMPORT_MAX_ROWS = 100
    message = refusal(xls_file([(0, 0, "名称"), (150, 1, 1.0)]), "sites.xls")
    assert "reaches row 151" in message and "at most 100 rows" in message


def test_an_xls_is_read(settings):
    rows = read(xls_file([(0, 0, "名称"), (0, 1, "纬度"), (1, 0, "甲公司"), (1, 1, 23.1)]), "a.xls")
    assert rows == [["名称", "纬度"], ["甲公司", 23.1]]


@pytest.mark.parametrize("dimension", [None, "A1:B101"])
def test_a_sheet_past_the_row_limit_is_refused_before_it_is_read(settings, no_reader, dimension):
    # The 200,001-row file was parsed in full (11 s, +450 MB) before it was refused.
    settings.IMPORT_MAX_ROWS = 100
    message = refusal(xlsx_file(rows_xml(101), dimension=dimension))
    assert "reaches row 101" in message and "at most 100 rows" in message


def test_a_declared_dimension_past_the_limits_is_refused(no_reader):
    message = refusal(xlsx_file(rows_xml(2), dimension="A1:C900000"))
    assert "reaches row 900,000" in message


def test_a_sheet_past_the_column_limit_is_refused(no_reader):
    message = refusal(xlsx_file(f'<row r="1">{text_cell("GS1", "x")}</row>'))
    assert "reaches column GS" in message and "at most 200 columns" in message


def test_a_sheet_past_the_cell_limit_is_refused(settings, no_reader):
    settings.IMPORT_MAX_CELLS = 50
    message = refusal(xlsx_file(rows_xml(30, columns=2)))
    assert "30 rows and 2 columns" in message and "at most 50 cells" in message


def test_a_sheet_within_the_limits_is_read():
    assert read(xlsx_file(rows_xml(3))) == [["A1", "B1"], ["A2", "B2"], ["A3", "B3"]]


def test_a_zip_bomb_is_refused(no_reader):
    # 20 MB of zeros compress to about 20 KB: no sheet compresses a thousand times.
    data = xlsx_file(rows_xml(1), extra={"xl/media/image1.bin": b"\0" * (20 * 1024 * 1024)})
    assert "zip bomb" in refusal(data)


def test_a_workbook_unpacking_past_the_limit_is_refused(settings, no_reader):
    settings.IMPORT_MAX_UNPACKED_BYTES = 2000
    assert "unpacks to more than" in refusal(xlsx_file(rows_xml(20)))


def test_the_format_comes_from_the_content_not_the_name():
    # An xls saved with an .xlsx name is read as what it is.
    assert read(xls_file([(0, 0, "名称")]), "sites.xlsx") == [["名称"]]
    assert "not a readable spreadsheet" in refusal(b"MZ\x90\x00 not a workbook", "s.ods")


def test_a_binary_workbook_is_refused_with_a_way_out(no_reader):
    data = xlsx_file(rows_xml(1), extra={"xl/workbook.bin": b"\0\1"})
    assert "save the file as .xlsx" in refusal(data)


def test_an_ods_with_libreoffice_trailing_empty_rows_is_read():
    rows = (
        ods_row(ods_text("名称"), ods_text("类型"), ods_empty(1022))
        + ods_row(ods_text("甲"), ods_empty(1023))
        + ods_row(ods_empty(1024), repeated=1048574)
    )
    assert read(ods_file(rows), "sites.ods") == [["名称", "类型"], ["甲", ""]]


def test_an_ods_with_data_after_a_million_empty_rows_is_refused(no_reader):
    rows = ods_row(ods_text("a")) + ods_row(ods_empty(), repeated=1048570) + ods_row(ods_text("b"))
    assert "reaches row 1,048,572" in refusal(ods_file(rows), "s.ods")


def test_an_ods_cell_repeated_across_the_sheet_is_refused(no_reader):
    rows = ods_row(ods_text("a", repeated=16384))
    assert "reaches column XFD" in refusal(ods_file(rows), "s.ods")


def test_control_characters_in_cells_are_refused_naming_the_cells():
    data = xlsx_file(
        f'<row r="1">{text_cell("A1", "名称")}{text_cell("B1", "bell_x0007_")}</row>'
        f'<row r="2">{text_cell("A2", "line_x000D__x000A_break")}'
        f"{text_cell('C2', 'esc_x001B_')}</row>"
    )
    message = refusal(data)
    assert "Cells B1, C2 contain control characters (U+0007, U+001B)" in message


def test_a_csv_with_a_nul_byte_is_refused():
    # Issue item 6: "a CSV import with a NUL byte is accepted".
    assert "NUL characters" in refusal("名称,类型\r\n甲\x00,工贸\r\n".encode(), "s.csv")


def test_a_csv_with_control_characters_is_refused():
    assert "Cell A2 contains control characters (U+0007)" in refusal(
        "名称,类型\r\n甲\x07,工贸\r\n".encode(), "s.csv"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b\n" * 101, "reaches row 101"),
        ("a," * 300 + "\n", "more than 200 columns"),
        ('a,"' + "x" * 200_000 + '"\n', "longer than 131,072 characters"),
    ],
)
def test_a_csv_past_the_limits_is_refused(settings, text, message):
    settings.IMPORT_MAX_ROWS = 100
    assert message in refusal(text.encode(), "s.csv")
