"""The inspection record (检查记录): HTML rendered to PDF by WeasyPrint.

A standalone page (no Bootstrap, no network): photos and signatures are embedded as data URIs,
and the font stack starts with Noto Sans CJK SC so that Chinese renders.
"""

from __future__ import annotations

import base64
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from .models import Inspection
from .selectors import inspection_hazards, inspection_results, inspection_summary


def _data_uri(field: Any, content_type: str) -> str:
    if not field:
        return ""
    try:
        with field.open("rb") as handle:
            data = handle.read()
    except OSError:
        return ""
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def inspection_record_context(*, inspection: Inspection, user: Any) -> dict[str, Any]:
    """What the record shows: the site, who and when, each item with its result, note and
    photos, the signatures, and the hazards the inspection raised (as ``user`` may see them)."""
    results = inspection_results(inspection=inspection)
    rows = [
        (result, [_data_uri(p.file, p.content_type) for p in result.photos.all()])
        for result in results
    ]
    return {
        "inspection": inspection,
        "site": inspection.site,
        "rows": rows,
        "summary": inspection_summary(inspection=inspection),
        "hazards": list(inspection_hazards(inspection=inspection, user=user)),
        "inspector_names": [user.display_name for user in inspection.inspectors.all()],
        "inspector_signature": _data_uri(inspection.inspector_signature, "image/png"),
        "site_signature": _data_uri(inspection.site_signature, "image/png"),
        "decisions": list(inspection.recheck_decisions.select_related("hazard")),
        "printed_at": timezone.localtime(),
    }


def inspection_record_html(*, inspection: Inspection, user: Any) -> str:
    return render_to_string(
        "inspections/inspection_record.html",
        inspection_record_context(inspection=inspection, user=user),
    )


def inspection_record_pdf_bytes(*, inspection: Inspection, user: Any) -> bytes:
    from weasyprint import HTML  # imported here: loading WeasyPrint takes a moment

    return HTML(string=inspection_record_html(inspection=inspection, user=user)).write_pdf()
