"""Monthly and quarterly reports: asked for on the page, made by the worker (the immediate
backend in tests) with its progress shown, kept for download by the body that asked.

The acceptance test: the Guangzhou monthly report's PDF and xlsx hold the figures a query of
the ledger itself gives (not the rollups), and its Chinese text reads right.
"""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from hazardledger.hazards.choices import (
    OPEN_STATUSES,
    PARTY_MOVE_STATUSES,
    HazardGrade,
    HazardStatus,
)
from hazardledger.hazards.models import Hazard
from hazardledger.regions.selectors import under_region
from hazardledger.reports.choices import ReportStatus
from hazardledger.reports.models import GeneratedReport

from .conftest import TODAY, at, committed, pdf_text

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ask(client: Client, **data: Any) -> Any:
    with committed():
        return client.post(reverse("reports:report-add"), data)


def ledger_figures(region: str, start: date, end: date, today: date) -> dict[str, int]:
    """The month's figures counted from the hazard table (not the rollups)."""
    hazards = Hazard.objects.filter(under_region("region", region))
    found = hazards.filter(found_on__gte=start, found_on__lte=end).exclude(
        status=HazardStatus.VOIDED
    )
    closed_in = [
        h
        for h in hazards.filter(status=HazardStatus.CLOSED)
        if start
        <= h.closed_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).date()
        <= end
    ]
    return {
        "found": found.count(),
        "rectified": found.filter(status=HazardStatus.CLOSED).count(),
        "closed": len(closed_in),
        "open": hazards.filter(status__in=OPEN_STATUSES).count(),
        "overdue": hazards.filter(Q(deadline__lt=today, status__in=PARTY_MOVE_STATUSES)).count(),
        "major_open": hazards.filter(grade=HazardGrade.MAJOR, status__in=OPEN_STATUSES).count(),
    }


def test_guangzhou_monthly_report_holds_the_ledgers_figures_in_pdf_and_xlsx(
    gz_ledger: SimpleNamespace, users: SimpleNamespace
) -> None:
    with at(TODAY):
        client = client_for(users.manager_a)
        response = ask(client, period="month", year=2026, number=11)
        report = GeneratedReport.objects.get()
        assert response.status_code == 302
        assert response["Location"] == report.get_absolute_url()
        report.refresh_from_db()
        assert report.status == ReportStatus.DONE, report.error
        assert report.progress == 100
        expected = ledger_figures("4401", date(2026, 11, 1), date(2026, 11, 30), TODAY)
        pdf = client.get(reverse("reports:report-pdf", args=[report.pk]))
        xlsx = client.get(reverse("reports:report-xlsx", args=[report.pk]))
    assert expected == {
        "found": 4,  # nov_fixed, nov_b_fixed, nov_rectifying, nov_major (the voided one aside)
        "rectified": 2,
        "closed": 3,  # and oct_open, closed on 18 November
        "open": 3,  # oct_major, nov_rectifying, nov_major
        "overdue": 1,  # oct_major: its plan's deadline was 7 November
        "major_open": 2,
    }
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(pdf.streaming_content))
    assert "广州市" in text and "事故隐患排查治理情况月报" in text
    lines = {line.strip() for line in text.splitlines()}

    def pdf_value(label: str) -> str:
        matches = [line for line in lines if line.startswith(label)]
        assert matches, f"{label!r} not in the PDF:\n{text}"
        return matches[0].split()[-1]

    assert pdf_value("本期排查发现隐患") == str(expected["found"])
    assert pdf_value("其中已整改") == str(expected["rectified"])
    assert pdf_value("本期整改销号隐患") == str(expected["closed"])
    assert pdf_value("当前未整改隐患") == str(expected["open"])
    assert pdf_value("当前逾期隐患") == str(expected["overdue"])
    assert pdf_value("当前未整改重大隐患") == str(expected["major_open"])
    assert pdf_value("整改率") == "50.0%"
    # Every district of Guangzhou is listed, Huangpu and Panyu with their hazards.
    assert "黄埔区" in text and "番禺区" in text and "从化区" in text

    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert cells["本期排查发现隐患"] == expected["found"]
    assert cells["其中已整改"] == expected["rectified"]
    assert cells["本期整改销号隐患"] == expected["closed"]
    assert cells["当前未整改隐患"] == expected["open"]
    assert cells["当前未整改重大隐患"] == expected["major_open"]
    assert sheet.cell(row=1, column=1).value == report.title


def test_the_report_page_polls_its_status_until_done(
    gz_ledger: SimpleNamespace, users: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    """While queued the status fragment asks for itself every few seconds; once done it links
    the files and stops polling."""
    with at(TODAY):
        client = client_for(users.manager_a)
        # Without running the commit callbacks, the report stays queued.
        client.post(reverse("reports:report-add"), {"period": "quarter", "year": 2026, "number": 4})
        report = GeneratedReport.objects.get()
        assert report.status == ReportStatus.QUEUED
        page = client.get(report.get_absolute_url())
        assert b'hx-trigger="every 2s"' in page.content
        fragment = client.get(report.get_absolute_url(), headers={"HX-Request": "true"})
        assert b"<html" not in fragment.content and b'data-status="queued"' in fragment.content
        from hazardledger.reports.services import report_generate

        assert report_generate(report_id=report.pk)
        assert not report_generate(report_id=report.pk)  # a second run finds nothing to claim
        fragment = client.get(report.get_absolute_url(), headers={"HX-Request": "true"})
    assert b'data-status="done"' in fragment.content
    assert b"hx-trigger" not in fragment.content
    assert reverse("reports:report-pdf", args=[report.pk]).encode() in fragment.content
    report.refresh_from_db()
    assert report.title.startswith("广州市") and "季报" in report.title


def test_a_report_is_the_asking_bodys_only(
    gz_ledger: SimpleNamespace, users: SimpleNamespace, orgs: SimpleNamespace
) -> None:
    """Another body (Shenzhen's office, Guangzhou's emergency bureau), an enterprise: 404 for
    the report and its files; a colleague of the same body may download it."""
    with at(TODAY):
        ask(client_for(users.manager_a), period="month", year=2026, number=11)
        report = GeneratedReport.objects.get()
        colleague = users.manager_a.__class__.objects.create(
            username="gz_office_2", role="office", organisation=orgs.gz_office
        )
        urls = [
            report.get_absolute_url(),
            reverse("reports:report-pdf", args=[report.pk]),
            reverse("reports:report-xlsx", args=[report.pk]),
        ]
        for outsider in (users.manager_b, users.inspector_a, users.officer_a, users.auditor):
            for url in urls:
                assert client_for(outsider).get(url).status_code in (403, 404), (outsider, url)
        for url in urls:
            assert client_for(users.manager_b).get(url).status_code == 404
            assert client_for(colleague).get(url).status_code == 200
        assert client_for(users.admin).get(urls[1]).status_code == 200


def test_a_sector_department_reports_its_sectors_only(
    gz_ledger: SimpleNamespace, users: SimpleNamespace
) -> None:
    """Guangzhou's emergency bureau covers hazardous chemicals and industry and trade: its
    report counts those sectors (both sites here), and records them."""
    with at(TODAY):
        ask(client_for(users.inspector_a), period="month", year=2026, number=11, region="440112")
        report = GeneratedReport.objects.get()
        assert report.status == ReportStatus.DONE, report.error
        assert report.region_id == "440112"
        assert sorted(report.sectors) == ["hazardous_chemicals", "industry_trade"]


@pytest.mark.parametrize(
    "data",
    [
        {"period": "month", "year": 2026, "number": 13},
        {"period": "quarter", "year": 2026, "number": 5},
        {"period": "month", "year": 99999999999999999999999, "number": 1},
        {"period": "month", "year": -1, "number": 1},
        {"period": "week", "year": 2026, "number": 1},
        {"period": "month", "year": "2026\x00", "number": 1},
        {"period": "month", "year": 2026, "number": 11, "region": "4403"},
        {"period": "month", "year": 2026, "number": 11, "region": "4401\x07"},
        {"period": "month", "year": 2026, "number": 11, "region": "=1+1"},
        {"period": "month", "year": 2099, "number": 1},
    ],
)
def test_hostile_report_requests_are_refused_and_change_nothing(
    users: SimpleNamespace, data: dict[str, Any]
) -> None:
    with at(TODAY):
        response = ask(client_for(users.manager_a), **data)
    assert 400 <= response.status_code < 500
    assert not GeneratedReport.objects.exists()


def test_an_enterprise_cannot_ask_for_reports(users: SimpleNamespace) -> None:
    with at(TODAY):
        response = ask(client_for(users.officer_a), period="month", year=2026, number=11)
        assert response.status_code == 403
        assert client_for(users.officer_a).get(reverse("reports:report-list")).status_code == 403
    assert not GeneratedReport.objects.exists()


def test_a_failing_report_is_marked_failed(
    users: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hazardledger.reports import services

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "report_figures", boom)
    with at(TODAY):
        ask(client_for(users.manager_a), period="month", year=2026, number=11)
        report = GeneratedReport.objects.get()
        page = client_for(users.manager_a).get(report.get_absolute_url())
    assert report.status == ReportStatus.FAILED and "disk full" in report.error
    assert not report.pdf and not report.xlsx
    assert b'data-status="failed"' in page.content
