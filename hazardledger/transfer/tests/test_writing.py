"""Exports: whatever text is stored, every xlsx opens, and text comes out as text.

Issue 8 item 6: one control character in a stored name or description made every export that
included the row answer 500 (openpyxl's IllegalCharacterError). Item 7: a stored
``=HYPERLINK(…)`` came out as a live formula.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hazardledger.hazards.models import Hazard
from hazardledger.hazards.tests.factories import record
from hazardledger.registry.tests.factories import SiteFactory
from hazardledger.risks.tests.factories import RiskPointFactory
from hazardledger.transfer.spreadsheets import write_xlsx

pytestmark = pytest.mark.django_db

FORMULA_LIKE = [
    '=HYPERLINK("http://evil.example/x","Open")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "#N/A",
    "=",
]


def written(rows, headers=("a", "b", "c")) -> bytes:
    stream = io.BytesIO()
    write_xlsx(title="t", headers=list(headers), rows=rows, stream=stream)
    return stream.getvalue()


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def values(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_text_that_looks_like_a_formula_is_written_as_text_and_kept_exactly():
    data = written([[text] for text in FORMULA_LIKE], headers=["text"])
    assert "<f>" not in sheet_xml(data)
    # XML reads a carriage return back as a line feed, in openpyxl as in Excel.
    assert [row[0] for row in values(data)[1:]] == [t.replace("\r", "\n") for t in FORMULA_LIKE]


def test_numbers_and_dates_keep_their_types():
    data = written([[12, 3.5, date(2026, 3, 6)], [datetime(2026, 3, 6, 9, 30), None, True]])
    assert values(data)[1:] == [
        [12, 3.5, datetime(2026, 3, 6)],
        [datetime(2026, 3, 6, 9, 30), None, True],
    ]


def test_characters_an_xlsx_cannot_hold_are_dropped():
    data = written([["a\x01b\x1bc", "name\x07", "\x02point\ud800"]])
    assert values(data)[1] == ["abc", "name", "point"]


@pytest.fixture
def hostile_rows(users, orgs, sites):
    """A site, a hazard and a risk point in Guangzhou, stored with what the old inputs let in."""
    site = SiteFactory(
        name='=HYPERLINK("http://evil.example/x","Open")\x07',
        sector_id="hazardous_chemicals",
        region_id="440112001",
        organisation=orgs.ent_a,
        contact_person="=cmd|' /C calc'!A0",
        address="@SUM(1+1)*cmd|' /C calc'!A0",
    )
    hazard = record(site, users.officer_a)
    Hazard.objects.filter(pk=hazard.pk).update(
        description="+储罐\x01呼吸阀\x1b堵塞", location="-罐区"
    )
    RiskPointFactory(site=site, name="=1+1 储罐\x02区")
    return site


def _export(client, user, url_name):
    client.force_login(user)
    response = client.get(reverse(url_name))
    assert response.status_code == 200, (url_name, response.status_code)
    data = b"".join(response.streaming_content) if response.streaming else response.content
    assert "<f>" not in sheet_xml(data)
    return [" | ".join(str(v) for v in row if v is not None) for row in values(data)]


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "auditor"])
@pytest.mark.parametrize(
    ("url_name", "expected"),
    [
        (
            "registry:site-export",
            [
                '=HYPERLINK("http://evil.example/x","Open")',
                "=cmd|' /C calc'!A0",
                "@SUM(1+1)*cmd|' /C calc'!A0",
            ],
        ),
        ("hazards:hazard-export", ["+储罐呼吸阀堵塞", "-罐区"]),
        ("risks:riskpoint-export", ["=1+1 储罐区", '=HYPERLINK("http://evil.example/x","Open")']),
    ],
)
def test_every_export_opens_and_keeps_stored_text_as_text(
    client, users, hostile_rows, persona, url_name, expected
):
    rows = _export(client, getattr(users, persona), url_name)
    row = next((r for r in rows if expected[0] in r), None)
    assert row is not None, rows
    for text in expected:
        assert text in row
