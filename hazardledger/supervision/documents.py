"""The rectification order (责令限期整改指令书) as a PDF: HTML rendered by WeasyPrint.

A standalone page (no Bootstrap, no network): the signature and the QR code are embedded as
data URIs, and the font stack starts with Noto CJK so that Chinese renders. The QR code opens
the order's page, which lists its hazards to whoever may see the order (scope-checked there).
"""

from __future__ import annotations

import base64
import io
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import timezone

from .models import RectificationOrder


def _signature_uri(order: RectificationOrder) -> str:
    if not order.signature:
        return ""
    try:
        with order.signature.open("rb") as handle:
            data = handle.read()
    except OSError:
        return ""
    extension = order.signature.name.rsplit(".", 1)[-1]
    content_type = {"jpg": "image/jpeg", "webp": "image/webp"}.get(extension, "image/png")
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def _qr_uri(url: str) -> str:
    stream = io.BytesIO()
    segno.make(url, error="m").save(stream, kind="svg", scale=4, border=1)
    return f"data:image/svg+xml;base64,{base64.b64encode(stream.getvalue()).decode()}"


def order_document_context(*, order: RectificationOrder, url: str) -> dict[str, Any]:
    """What the order shows: its heading, each hazard with basis and deadline, how to report
    completion, the inspectors with their enforcement ID numbers, the representative's
    signature, and a QR code of ``url`` (the order's page)."""
    return {
        "order": order,
        "items": list(order.items.order_by("position")),
        "signature": _signature_uri(order),
        "qr": _qr_uri(url),
        "url": url,
        "printed_at": timezone.localtime(),
    }


def order_document_html(*, order: RectificationOrder, url: str) -> str:
    return render_to_string(
        "supervision/order_document.html", order_document_context(order=order, url=url)
    )


def order_document_pdf_bytes(*, order: RectificationOrder, url: str) -> bytes:
    """The order as PDF bytes (A4)."""
    from weasyprint import HTML  # imported here: loading WeasyPrint takes a moment

    return HTML(string=order_document_html(order=order, url=url)).write_pdf()
