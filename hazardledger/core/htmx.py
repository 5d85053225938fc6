"""HTMX helpers: one rule for when a view answers with a fragment instead of a page."""

from __future__ import annotations

from django.http import HttpRequest


def is_partial(request: HttpRequest) -> bool:
    """True for an HTMX request that wants a fragment (HTMX, and not a boosted navigation)."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.boosted


class HtmxTemplateMixin:
    """Render ``partial_template_name`` for HTMX fragment requests, the full page otherwise."""

    partial_template_name: str | None = None

    def get_template_names(self) -> list[str]:
        if self.partial_template_name and is_partial(self.request):  # type: ignore[attr-defined]
            return [self.partial_template_name]
        return super().get_template_names()  # type: ignore[misc]
