"""Hostile input on the responsibility pages — the list's form, its import, the urging and
enforcement forms, the accountability view's filters: control characters, formulas, huge
numbers, broken formsets and files. Each is a clear answer (a form error, 400, 404), never a
500, and nothing changes."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from hazardledger.hazards.models import HazardEvent
from hazardledger.responsibility.models import (
    EscalationDecision,
    ResponsibilityEntry,
    ResponsibleOfficial,
)

from .test_views import entry_form, escalated_to_city

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HUGE = ["99999999999999999999", "9223372036854775808", "-9223372036854775809"]


def _unchanged(before: int) -> None:
    assert ResponsibilityEntry.objects.count() == before
    assert not ResponsibilityEntry.objects.filter(region_id="440106002").exists()


# --- the list's form --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"officials-0-name": "何书记\x00"},
        {"officials-0-post": "书记\x1b[31m"},
        {"officials-0-phone": "020\x07"},
        {"officials-1-username": "aud\x0bitor"},
        {"note": "备\x85注"},
        {"region": "440106\x00002"},
        {"officials-0-phone": '=HYPERLINK("http://evil.example")'},
        {"officials-0-name": "名" * 51},
        {"lead_department": HUGE[0]},
        {"lead_department": "abc"},
        {"version": HUGE[1]},
        {"version": "-1"},
        {"sector": '=cmd|"/c calc"!A1'},
        {"escalates_to": "440106001"},  # not a higher level
        {"officials-TOTAL_FORMS": "100000"},
        {"officials-TOTAL_FORMS": "abc"},
        {"officials-0-side": "emperor"},
        {"officials-1-username": "nobody"},
    ],
)
def test_a_hostile_entry_form_saves_nothing(client, users, chain, changes):
    before = ResponsibilityEntry.objects.count()
    client.force_login(users.manager_a)
    response = client.post(reverse("responsibility:entry-add"), entry_form(**changes))
    assert response.status_code == 200
    body = response.content.decode()
    assert "invalid-feedback" in body or "alert-danger" in body
    _unchanged(before)


def test_control_characters_are_named(client, users, chain):
    client.force_login(users.manager_a)
    response = client.post(
        reverse("responsibility:entry-add"), entry_form(**{"officials-0-name": "何\x07"})
    )
    assert "U+0007" in response.content.decode()


@pytest.mark.parametrize("pk", HUGE[:2])
def test_huge_entry_ids_are_not_found(client, users, chain, pk):
    client.force_login(users.manager_a)
    assert client.get(f"/responsibility/{pk}/edit/").status_code == 404
    assert client.post(f"/responsibility/{pk}/delete/").status_code == 404


def test_a_formula_in_a_name_is_text_in_the_export(client, users, chain):
    """A name that looks like a formula is kept as typed and exported as text, never as a
    live formula."""
    formula = '=HYPERLINK("http://evil.example","点击")'
    client.force_login(users.manager_a)
    response = client.post(
        reverse("responsibility:entry-add"), entry_form(**{"officials-0-name": formula[:50]})
    )
    assert response.status_code == 302
    assert ResponsibleOfficial.objects.filter(name=formula[:50]).exists()
    export = client.get(reverse("responsibility:entry-export"), {"region": "440106002"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    party = next(cell for cell in cells if cell.value == formula[:50])
    assert party.data_type == "s"


# --- the import -------------------------------------------------------------------------------


def _upload(content: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def _xlsx(rows: list[list[object]]) -> bytes:
    """A workbook of ``rows``; text that starts with "=" is stored as text, not a formula (as
    a spreadsheet holds a typed "'=1+2")."""
    book = Workbook()
    sheet = book.active
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ["行政区划代码", "行业领域", "党委负责人", "党委负责人职务"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("行政区划代码,行业领域\n4401\x00,危险化学品\n".encode(), "a.csv", "NUL"),
        (
            "行政区划代码,行业领域,党委负责人,党委负责人职务\n440106002,危险化学品,何\x07,书记\n".encode(),
            "a.csv",
            "control characters",
        ),
        (b"PK\x03\x04 not really a workbook", "a.xlsx", "not a readable spreadsheet"),
        (b"\x89PNG\r\n\x1a\n", "a.xlsx", "not a readable spreadsheet"),
        (b"just,text\n", "a.exe", "Unsupported file type"),
        ("名称,地址\n甲,乙\n".encode(), "a.csv", "No header row found"),
        (
            _xlsx([HEADER, [99999999999999999999, "危险化学品", "何", "书记"]]),
            "a.xlsx",
            "Give the code of a province",
        ),
        (_xlsx([HEADER, ["1e30", "危险化学品", "何", "书记"]]), "a.xlsx", "Give the code"),
        (
            _xlsx([HEADER, ["440106002", '=cmd|"/c calc"!A1', "何", "书记"]]),
            "a.xlsx",
            "Unknown sector",
        ),
        (_xlsx([HEADER]), "a.xlsx", "no rows to import"),
    ],
)
def test_a_hostile_import_writes_nothing(client, users, chain, content, name, message):
    before = ResponsibilityEntry.objects.count()
    client.force_login(users.manager_a)
    response = client.post(reverse("responsibility:entry-import"), {"file": _upload(content, name)})
    assert response.status_code == 200
    assert message in response.content.decode()
    _unchanged(before)


def test_a_formula_in_an_imported_name_is_kept_as_text(client, users, chain):
    client.force_login(users.manager_a)
    formula = "=1+2"
    rows = [HEADER, ["440106002", "危险化学品", formula, "书记"]]
    response = client.post(
        reverse("responsibility:entry-import"), {"file": _upload(_xlsx(rows), "a.xlsx")}
    )
    assert response.status_code == 302
    assert ResponsibleOfficial.objects.get(entry__region_id="440106002").name == formula


def test_an_enterprise_cannot_import(client, users, chain):
    client.force_login(users.officer_a)
    rows = [HEADER, ["440106002", "危险化学品", "何", "书记"]]
    response = client.post(
        reverse("responsibility:entry-import"), {"file": _upload(_xlsx(rows), "a.xlsx")}
    )
    assert response.status_code == 403
    assert not ResponsibilityEntry.objects.filter(region_id="440106002").exists()


# --- urging and ordering enforcement ----------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"message": "请整改\x00"},
        {"message": "请整改\x1b[31m"},
        {"message": "催" * 501},
        {"message": "   "},
        {"message": "请整改", "version": HUGE[0]},
        {"message": "请整改", "version": "abc"},
        {"message": "请整改", "version": ""},
        {"message": "请整改", "version": "7"},  # a stale page
    ],
)
def test_a_hostile_urging_changes_nothing(client, users, chain, data):
    hazard, day = escalated_to_city(chain, users)
    form = {"version": str(hazard.version), **data}
    with time_machine.travel(day + timedelta(hours=1), tick=False):
        client.force_login(users.manager_a)
        response = client.post(reverse("responsibility:hazard-urge", args=[hazard.pk]), form)
    assert response.status_code in (400, 409)
    assert 'data-testid="action-refused"' in response.content.decode()
    assert not HazardEvent.objects.filter(action="urge").exists()


@pytest.mark.parametrize("data", [{"note": "查处\x00"}, {"note": "查" * 1001}, {"note": ""}])
def test_a_hostile_decision_changes_nothing(client, users, chain, data):
    hazard, day = escalated_to_city(chain, users)
    with time_machine.travel(day + timedelta(hours=1), tick=False):
        client.force_login(users.manager_a)
        response = client.post(reverse("responsibility:hazard-decide", args=[hazard.pk]), data)
    assert response.status_code == 400
    assert not EscalationDecision.objects.exists()


@pytest.mark.parametrize("pk", HUGE[:2])
def test_huge_hazard_ids_are_not_found(client, users, chain, pk):
    client.force_login(users.manager_a)
    for name in ("urge", "enforcement"):
        response = client.post(f"/responsibility/hazards/{pk}/{name}/", {"message": "x"})
        assert response.status_code == 404


# --- the accountability view ------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-02-30"},
        {"start": "99999-01-01"},
        {"end": "not a date"},
        {"start": "2026-03-01", "end": "2020-01-01"},
        {"start": "2000-01-01", "end": "2026-01-01"},
        {"region": "9" * 40},
        {"sector": '=HYPERLINK("x")'},
    ],
)
def test_hostile_accountability_filters_fall_back(client, users, chain, query):
    client.force_login(users.manager_a)
    response = client.get(reverse("responsibility:accountability"), query)
    assert response.status_code == 200
    export = client.get(reverse("responsibility:accountability-export"), query)
    assert export.status_code == 200


def test_control_characters_in_the_address_are_refused(client, users, chain):
    client.force_login(users.manager_a)
    response = client.get(reverse("responsibility:accountability"), {"region": "44\x00"})
    assert response.status_code == 400
    assert client.get(reverse("responsibility:entry-list"), {"sector": "\x1b"}).status_code == 400
