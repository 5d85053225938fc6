"""The risk notice card (岗位安全风险告知卡, domain.md 0.4): HTML rendered to PDF by WeasyPrint.

The HTML is a page of its own (no Bootstrap, no network): inline CSS, A4 portrait, and a font
stack that starts with Noto Sans CJK SC so that Chinese text renders with the fonts-noto-cjk
package.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from .choices import ControlKind
from .constants import PUBLIC_EMERGENCY_NUMBERS
from .models import RiskPoint
from .selectors import risk_point_controls_by_kind

CARD_COLOURS = {
    "red": "#d9262c",
    "orange": "#f08c00",
    "yellow": "#f5c400",
    "blue": "#1c6fd1",
    "": "#868e96",
}


def notice_card_context(*, risk_point: RiskPoint) -> dict[str, Any]:
    """What the card shows: the point, its grade and colour, hazards, controls (emergency
    measures apart) and the emergency numbers, the site's own first."""
    groups = risk_point_controls_by_kind(risk_point=risk_point)
    labels = dict(ControlKind.choices)
    controls = [(labels[kind], items) for kind, items in groups if kind != ControlKind.EMERGENCY]
    emergency = next((items for kind, items in groups if kind == ControlKind.EMERGENCY), [])
    site = risk_point.site
    own_numbers = [n for n in (risk_point.emergency_phone, site.contact_phone) if n]
    current = risk_point.assessments.filter(is_current=True).first()
    return {
        "point": risk_point,
        "site": site,
        "assessment": current,
        "colour": CARD_COLOURS.get(risk_point.colour, CARD_COLOURS[""]),
        "text_colour": "#222" if risk_point.colour == "yellow" else "#fff",
        "controls": controls,
        "emergency_measures": emergency,
        "own_numbers": list(dict.fromkeys(own_numbers)),
        "public_numbers": PUBLIC_EMERGENCY_NUMBERS,
        "printed_on": timezone.localdate(),
    }


def notice_card_html(*, risk_point: RiskPoint) -> str:
    """The card as a standalone HTML document (the source of the PDF)."""
    return render_to_string("risks/riskpoint_card.html", notice_card_context(risk_point=risk_point))


def notice_card_pdf(*, risk_point: RiskPoint) -> bytes:
    """The card as PDF bytes."""
    from weasyprint import HTML  # imported here: loading WeasyPrint takes a moment

    return HTML(string=notice_card_html(risk_point=risk_point)).write_pdf()
