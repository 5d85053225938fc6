"""The progress report in the form offices send upward: a spreadsheet (one row per region one
level down, then per sector, then the total) and a PDF (WeasyPrint, A4 landscape, Noto CJK)
with the same table and the national special action's table (domain.md 0.5)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from hazardledger.transfer.spreadsheets import write_xlsx

from .selectors import ProgressReport, ProgressRow

# (figure or derived share, zh, en): the columns of the spreadsheet and the PDF.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("sites", "检查对象数", "Sites in scope"),
    ("self_inspected", "企业已自查", "Self-inspected"),
    ("inspected", "部门已检查", "Inspected by regulators"),
    ("coverage", "检查覆盖率(%)", "Coverage (%)"),
    ("hazards", "发现隐患", "Hazards found"),
    ("major", "其中重大隐患", "Major hazards"),
    ("closed", "已整改", "Closed"),
    ("closure", "整改率(%)", "Closure rate (%)"),
    ("overdue", "逾期未整改", "Overdue"),
    ("dept_major", "部门检查发现重大隐患", "Major hazards found by regulators"),
    ("dept_major_closed", "其中已整改", "of which rectified"),
    ("self_major", "企业自查发现重大隐患", "Major hazards found by self-inspection"),
    ("self_major_closed", "其中已整改", "of which rectified"),
    ("listed", "挂牌督办", "Listed for supervision"),
    ("listed_closed", "其中已整改", "of which rectified"),
)


def _english() -> bool:
    return (translation.get_language() or "zh-hans").startswith("en")


def _value(row: ProgressRow, name: str) -> Any:
    if name == "coverage":
        return row.coverage
    if name == "closure":
        return row.closure
    if name == "overdue":
        return row.overdue
    return row.figures[name]


def report_headers() -> list[str]:
    english = _english()
    first = "Region / sector" if english else "地区/行业"
    return [
        first,
        "Lagging" if english else "滞后",
        *[en if english else zh for _n, zh, en in COLUMNS],
    ]


def report_rows(report: ProgressReport) -> Iterator[list[Any]]:
    """The regions, the sectors, then the total, each with every column."""
    english = _english()
    lagging = "lagging" if english else "滞后"
    total = "Total" if english else "合计"
    for row in [*report.rows, *report.sectors]:
        yield [row.name, lagging if row.laggard else "", *[_value(row, n) for n, _z, _e in COLUMNS]]
    yield [
        f"{total}（{report.at_name}）",
        lagging if report.total.laggard else "",
        *[_value(report.total, n) for n, _z, _e in COLUMNS],
    ]


def report_title(report: ProgressReport) -> str:
    english = _english()
    suffix = "progress" if english else "进展情况"
    return f"{report.campaign.title} {suffix}"


def report_xlsx_bytes(report: ProgressReport) -> bytes:
    stream = io.BytesIO()
    write_xlsx(
        title="Progress" if _english() else "进展情况",
        headers=report_headers(),
        rows=report_rows(report),
        stream=stream,
    )
    return stream.getvalue()


def report_html(report: ProgressReport) -> str:
    return render_to_string(
        "campaigns/progress_document.html",
        {
            "report": report,
            "columns": [(name, en if _english() else zh) for name, zh, en in COLUMNS],
            "rows": [(row, [_value(row, name) for name, _z, _e in COLUMNS]) for row in report.rows],
            "sector_rows": [
                (row, [_value(row, name) for name, _z, _e in COLUMNS]) for row in report.sectors
            ],
            "total": [_value(report.total, name) for name, _z, _e in COLUMNS],
            "printed_at": timezone.localtime(),
        },
    )


def report_pdf_bytes(report: ProgressReport) -> bytes:
    """The report as PDF bytes (A4 landscape)."""
    from weasyprint import HTML  # loading WeasyPrint takes a moment

    return HTML(string=report_html(report)).write_pdf()
