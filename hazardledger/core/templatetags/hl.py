"""Small template helpers used across apps."""

from __future__ import annotations

from django import template
from django.http import QueryDict

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """Return the current query string with ``changes`` applied (None removes a key).

    Used by pagination and sort links so that they keep the active filters.
    """
    request = context["request"]
    query: QueryDict = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def panels(context: template.Context, page: str, obj: object) -> str:
    """Render the panels other apps registered for ``page`` ("site", "hazard") about ``obj``,
    in order (``core.extensions``); a panel whose context is None is not for this user."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from hazardledger.core.extensions import panels_for

    request = context["request"]
    parts = []
    for panel in panels_for(page):
        panel_context = panel.context(request, obj)
        if panel_context is not None:
            parts.append(render_to_string(panel.template, panel_context, request=request))
    return mark_safe("".join(parts))  # noqa: S308 - each part is an autoescaped template
