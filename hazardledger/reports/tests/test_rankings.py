"""Rankings (排名通报): the divisions one level down ranked on an indicator, the previous
period's rank beside, exported as xlsx and PDF."""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hazardledger.inspections.checklists import checklists_load_shipped
from hazardledger.inspections.models import Checklist
from hazardledger.inspections.services import inspection_plan
from hazardledger.inspections.sync import inspection_sync
from hazardledger.inspections.tests.conftest import sync_document
from hazardledger.reports.choices import Indicator
from hazardledger.reports.rankings import Value, rank_codes

from .conftest import TODAY, at, committed, pdf_text
from .test_reports import client_for

pytestmark = pytest.mark.django_db

NOVEMBER = {"period": "month", "year": "2026", "number": "11"}


def ranked(response: Any) -> dict[str, tuple[int | None, int | None]]:
    """{district: (rank, previous rank)} of the ranked rows of a ranking page."""
    return {row.name: (row.rank, row.previous_rank) for row in response.context["rows"] if row.rank}


def test_competition_ranks_and_unranked_divisions() -> None:
    values = {
        "a": {"x": Value(1, 2)},
        "b": {"x": Value(3, 4)},
        "c": {"x": Value(2, 4)},
        "d": {"x": Value(0, 0)},
        "e": {"x": Value(0, 5)},
    }
    assert rank_codes(values, "x") == {"b": 1, "a": 2, "c": 2, "e": 4, "d": None}


def test_districts_of_guangzhou_ranked_on_closure_rate_with_the_previous_month(
    gz_ledger: SimpleNamespace, users: SimpleNamespace
) -> None:
    """November: Huangpu and Panyu each rectified one of two hazards found (tied first);
    October: Panyu rectified its one, Huangpu one of two."""
    with at(TODAY):
        response = client_for(users.manager_a).get(reverse("reports:ranking"), NOVEMBER)
    assert response.status_code == 200
    assert ranked(response) == {"黄埔区": (1, 2), "番禺区": (1, 1)}
    rows = response.context["rows"]
    assert len(rows) == 11  # every district, the unranked after the ranked
    assert [row.rank for row in rows[2:]] == [None] * 9


def test_overdue_rate_ranks_lower_first_and_has_no_previous_rank(
    gz_ledger: SimpleNamespace, users: SimpleNamespace
) -> None:
    with at(TODAY):
        response = client_for(users.manager_a).get(
            reverse("reports:ranking"), {**NOVEMBER, "indicator": Indicator.OVERDUE_RATE}
        )
    # Panyu: nothing of its one open hazard overdue; Huangpu: one of two.
    assert ranked(response) == {"番禺区": (1, None), "黄埔区": (2, None)}


def test_inspection_coverage_counts_sites_a_regulator_inspected(
    gz_ledger: SimpleNamespace, users: SimpleNamespace, sites: SimpleNamespace
) -> None:
    checklists_load_shipped()
    checklist = Checklist.objects.get(code="hazardous_chemicals", is_current=True)
    with at(date(2026, 11, 12)), committed():
        inspection = inspection_plan(
            actor=users.inspector_a,
            site=sites.plant_a,
            kind="routine",
            checklist=checklist,
            planned_on=date(2026, 11, 12),
            start=True,
        )
        inspection_sync(
            actor=users.inspector_a, inspection=inspection, document=sync_document(inspection)
        )
    with at(TODAY):
        response = client_for(users.manager_a).get(
            reverse("reports:ranking"), {**NOVEMBER, "indicator": Indicator.INSPECTION_COVERAGE}
        )
    rows = {row.name: row for row in response.context["rows"]}
    coverage = {name: row.values[Indicator.INSPECTION_COVERAGE] for name, row in rows.items()}
    assert (coverage["黄埔区"].part, coverage["黄埔区"].whole) == (1, 1)
    assert (coverage["番禺区"].part, coverage["番禺区"].whole) == (0, 1)
    assert (coverage["天河区"].part, coverage["天河区"].whole) == (0, 1)  # Wushan's house
    # October: nobody inspected, every district ties at 0 %.
    assert ranked(response) == {"黄埔区": (1, 1), "番禺区": (2, 1), "天河区": (2, 1)}


def test_the_ranking_exports_as_xlsx_and_pdf(
    gz_ledger: SimpleNamespace, users: SimpleNamespace
) -> None:
    client = client_for(users.manager_a)
    with at(TODAY):
        xlsx = client.get(reverse("reports:ranking-xlsx"), NOVEMBER)
        pdf = client.get(reverse("reports:ranking-pdf"), NOVEMBER)
    assert xlsx.status_code == 200 and pdf.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("排名", "行政区划", "整改率", "计数", "基数", "上期排名")
    assert rows[1][:6] == (1, "黄埔区", "50.0%", 1, 2, 2)
    assert rows[2][:6] == (1, "番禺区", "50.0%", 1, 2, 1)
    text = pdf_text(pdf.content)
    assert "广州市各地区整改率排名（2026年11月）" in text
    assert "上期：2026年10月" in text and "黄埔区" in text


def test_the_province_ranks_its_cities(gz_ledger: SimpleNamespace, users: SimpleNamespace) -> None:
    with at(TODAY):
        response = client_for(users.admin).get(reverse("reports:ranking"), NOVEMBER)
    # Guangzhou rectified 2 of 4 found in November, Shenzhen 0 of 1.
    assert ranked(response) == {"广州市": (1, 1), "深圳市": (2, 2)}
    assert len(response.context["rows"]) == 21


def test_a_sector_department_ranks_its_own_sectors(
    gz_ledger: SimpleNamespace, users: SimpleNamespace
) -> None:
    with at(TODAY):
        response = client_for(users.inspector_a).get(reverse("reports:ranking"), NOVEMBER)
    assert ranked(response) == {"黄埔区": (1, 2), "番禺区": (1, 1)}


def test_a_township_has_nothing_below_it_to_rank(users: SimpleNamespace) -> None:
    with at(TODAY):
        response = client_for(users.grid).get(reverse("reports:ranking"))
    assert response.status_code == 200
    assert b'data-testid="no-children"' in response.content


def test_enterprises_do_not_open_rankings(users: SimpleNamespace) -> None:
    with at(TODAY):
        for url in ("reports:ranking", "reports:ranking-xlsx", "reports:ranking-pdf"):
            assert client_for(users.officer_a).get(reverse(url)).status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        {"period": "month", "year": "99999999999999999999999", "number": "1"},
        {"period": "month", "year": "2026", "number": "13"},
        {"period": "quarter", "year": "2026", "number": "0"},
        {"period": "fortnight"},
        {"period": "month", "year": "2026\x00"},
        {"indicator": '=HYPERLINK("x")'},
        {"indicator": "closure_rate\x1b"},
        {"period": "year", "year": "2099"},
        {"year": "1e5"},
    ],
)
def test_hostile_ranking_queries_answer_400(users: SimpleNamespace, query: dict[str, str]) -> None:
    client = client_for(users.manager_a)
    with at(TODAY):
        for url in ("reports:ranking", "reports:ranking-xlsx", "reports:ranking-pdf"):
            assert client.get(reverse(url), query).status_code == 400, (url, query)
