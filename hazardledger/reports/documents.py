"""The files the reports app writes: a report's and a ranking's xlsx and PDF, and a statistics
return's PDF.

PDFs are HTML rendered by WeasyPrint (A4, Noto CJK first in the font stack so that Chinese
renders, charts as inline SVG from ``charts``, no network). Spreadsheets go through
``transfer.spreadsheets.write_xlsx`` (every text cell written as text); a report's sections
follow each other on one sheet, each under a heading row.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardledger.transfer.spreadsheets import write_xlsx

from . import charts
from .choices import Indicator
from .figures import ReportFigures
from .rankings import RankedRegion, percent, ranking_rows


def pdf_bytes(html: str) -> bytes:
    """``html`` as PDF bytes (WeasyPrint, imported here: loading it takes a moment)."""
    from weasyprint import HTML

    return bytes(HTML(string=html).write_pdf())


def xlsx_bytes(*, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    stream = io.BytesIO()
    write_xlsx(title=title, headers=headers, rows=rows, stream=stream)
    return stream.getvalue()


# --- reports ---------------------------------------------------------------------------------


def _summary_rows(s: dict[str, Any]) -> list[tuple[str, Any]]:
    """The summary figures in order: (label, value); rates as percentages."""
    return [
        (_("Hazards found in the period"), s["found"]),
        (_("Of these, rectified"), s["rectified"]),
        (_("Closure rate"), percent(s.get("closure_rate"))),
        (_("Of these, rectified on time"), s["rectified_on_time"]),
        (_("On-time closure rate"), percent(s.get("on_time_rate"))),
        (_("Hazards closed in the period"), s["closed"]),
        (_("Open hazards now"), s["open"]),
        (_("Overdue now"), s["overdue"]),
        (_("Overdue rate"), percent(s.get("overdue_rate"))),
        (_("Open major hazards now"), s["major_open"]),
        (_("Listed for supervision now"), s["listed_now"]),
        (_("Escalated now"), s["escalated"]),
        (_("Sites with a regulatory inspection in the period"), s["inspected_sites"]),
        (_("Inspection coverage"), percent(s.get("coverage_rate"))),
    ]


def _table_headers() -> list[str]:
    return [
        _("Found"),
        _("Rectified"),
        _("Closure rate"),
        _("On-time rate"),
        _("Open"),
        _("Overdue"),
        _("Overdue rate"),
        _("Open major"),
    ]


def _table_row(row: dict[str, Any]) -> list[Any]:
    return [
        row["found"],
        row["rectified"],
        percent(row.get("closure_rate")),
        percent(row.get("on_time_rate")),
        row["open"],
        row["overdue"],
        percent(row.get("overdue_rate")),
        row["major_open"],
    ]


def report_context(*, report: Any, figures: ReportFigures) -> dict[str, Any]:
    """What a report's PDF shows (and its charts, drawn here)."""
    trend_labels = [f"{m['month']:%Y-%m}"[2:] for m in figures.trend]
    trend_chart = charts.bar_chart(
        trend_labels,
        [
            charts.Series(_("Found"), [m["found"] for m in figures.trend], charts.COLOURS[0]),
            charts.Series(_("Closed out"), [m["closed"] for m in figures.trend], charts.COLOURS[2]),
        ],
        title=_("Hazards found and closed by month"),
    )
    region_chart = ""
    if figures.regions:
        region_chart = charts.horizontal_bars(
            [row["name"] for row in figures.regions],
            [row.get("closure_rate") for row in figures.regions],
            title=_("Closure rate by division"),
        )
    return {
        "report": report,
        "figures": figures,
        "summary": _summary_rows(figures.summary),
        "headers": _table_headers(),
        "regions": [
            (row["name"], _table_row(row), percent(row.get("coverage_rate")))
            for row in figures.regions
        ],
        "sectors": [(row["name"], _table_row(row)) for row in figures.sectors],
        "grade_source": figures.by_grade_source,
        "action_table": figures.action_table,
        "trend": figures.trend,
        "trend_chart": trend_chart,
        "region_chart": region_chart,
        "printed_at": timezone.localtime(),
        "percent": percent,
    }


def report_pdf(*, report: Any, figures: ReportFigures) -> bytes:
    context = report_context(report=report, figures=figures)
    for row in context["grade_source"]:
        row["closure_rate_text"] = percent(row.get("closure_rate"))
    for row in context["action_table"]:
        row["closure_rate_text"] = percent(row.get("closure_rate"))
    return pdf_bytes(render_to_string("reports/report_document.html", context))


def report_xlsx(*, report: Any, figures: ReportFigures) -> bytes:
    """The report's figures on one sheet: the summary, then each table under its heading."""
    rows: list[list[Any]] = [
        [_("Division"), report.region.name],
        [_("Period"), f"{figures.start:%Y-%m-%d} – {figures.end:%Y-%m-%d}"],
        [_("Sectors"), report_sectors_label(report)],
        [],
        [_("Summary")],
    ]
    rows += [[label, value] for label, value in _summary_rows(figures.summary)]
    if figures.regions:
        rows += [
            [],
            [_("By division")],
            [_("Division"), *_table_headers(), _("Inspection coverage")],
        ]
        rows += [
            [row["name"], *_table_row(row), percent(row.get("coverage_rate"))]
            for row in figures.regions
        ]
    rows += [[], [_("By sector")], [_("Sector"), *_table_headers()]]
    rows += [[row["name"], *_table_row(row)] for row in figures.sectors]
    rows += [
        [],
        [_("By grade and source")],
        [_("Grade"), _("Source"), _("Found"), _("Rectified"), _("Closure rate")],
    ]
    rows += [
        [
            r["grade_label"],
            r["source_label"],
            r["found"],
            r["rectified"],
            percent(r.get("closure_rate")),
        ]
        for r in figures.by_grade_source
    ]
    rows += [[], [_("Major hazards (as the 2023 national action reported them)")]]
    rows += [[_("Breakdown"), _("Found"), _("Rectified"), _("Closure rate")]]
    rows += [
        [
            r["label"],
            r["found"],
            "" if r["rectified"] is None else r["rectified"],
            percent(r["closure_rate"]),
        ]
        for r in figures.action_table
    ]
    rows += [[], [_("Trend by month")], [_("Month"), _("Found"), _("Rectified"), _("Closed out")]]
    rows += [
        [f"{m['month']:%Y-%m}", m["found"], m["rectified"], m["closed"]] for m in figures.trend
    ]
    rows += [
        [],
        [_("Oldest open major hazards")],
        [_("Number"), _("Site"), _("Division"), _("Date found"), _("Deadline")],
    ]
    rows += [
        [h.pk, h.site.name, h.region.name, h.found_on, h.deadline] for h in figures.oldest_major
    ]
    rows += [
        [],
        [_("Most overdue hazards")],
        [_("Number"), _("Site"), _("Division"), _("Date found"), _("Deadline")],
    ]
    rows += [
        [h.pk, h.site.name, h.region.name, h.found_on, h.deadline] for h in figures.most_overdue
    ]
    return xlsx_bytes(title=_("Report"), headers=[report.title], rows=rows)


def report_sectors_label(report: Any) -> str:
    """The sectors a report counts, by name ("all sectors" when it counts every one)."""
    from hazardledger.regions.models import Sector

    if not report.sectors:
        return _("All sectors")
    names = {sector.code: sector.name for sector in Sector.objects.filter(code__in=report.sectors)}
    return "、".join(names.get(code, code) for code in report.sectors)


# --- rankings --------------------------------------------------------------------------------


def ranking_headers(indicator: str) -> list[str]:
    labels = dict(Indicator.choices)
    return [
        _("Rank"),
        _("Division"),
        str(labels[indicator]),
        _("Counted"),
        _("Base"),
        _("Previous rank"),
        *(str(labels[i]) for i in Indicator.values),
    ]


def ranking_xlsx(*, indicator: str, rows: list[RankedRegion]) -> bytes:
    return xlsx_bytes(
        title=_("Ranking"),
        headers=ranking_headers(indicator),
        rows=ranking_rows(rows, indicator),
    )


def ranking_pdf(*, title: str, subtitle: str, indicator: str, rows: list[RankedRegion]) -> bytes:
    labels = dict(Indicator.choices)
    context = {
        "title": title,
        "subtitle": subtitle,
        "indicator_label": labels[indicator],
        "headers": ranking_headers(indicator),
        "rows": ranking_rows(rows, indicator),
        "chart": charts.horizontal_bars(
            [row.name for row in rows],
            [row.values[indicator].value for row in rows],
            title=str(labels[indicator]),
        ),
        "printed_at": timezone.localtime(),
    }
    return pdf_bytes(render_to_string("reports/ranking_document.html", context))


# --- statistics returns ----------------------------------------------------------------------


def signature_uri(field: Any) -> str:
    """A stored signature as a data URI for the PDF ("" when missing or unreadable)."""
    if not field:
        return ""
    try:
        with field.open("rb") as handle:
            data = handle.read()
    except OSError:
        return ""
    extension = field.name.rsplit(".", 1)[-1]
    content_type = {"jpg": "image/jpeg", "webp": "image/webp"}.get(extension, "image/png")
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def return_pdf(*, statistics_return: Any, context: dict[str, Any]) -> bytes:
    context = {
        **context,
        "signature": signature_uri(statistics_return.signature),
        "printed_at": timezone.localtime(),
    }
    return pdf_bytes(render_to_string("reports/return_document.html", context))
