"""Small template helpers used across apps."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms, template
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

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


def _values(form: forms.Form, name: str) -> list[Any]:
    """The non-empty values the form's data holds for ``name`` (a query string may repeat it)."""
    data: Any = form.data  # a QueryDict for a filter form, a plain dict when unbound
    values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
    return [value for value in values if value not in (None, "")]


@register.simple_tag
def carried_filters(form: forms.Form, shown: str) -> SafeString:
    """Hidden inputs for the filter form's fields that have a value but no control on the
    page (``shown`` names the fields that have one, space-separated).

    A link may set a filter the bar does not offer (the queue's ``review_overdue=1``, a site,
    a category, a field added to the filterset later); carried as hidden inputs, it survives
    every change of the visible filters, and the URL the form pushes keeps stating it.
    """
    visible = set(shown.split())
    inputs = [
        format_html('<input type="hidden" name="{}" value="{}">', name, value)
        for name in form.fields
        if name not in visible
        for value in _values(form, name)
    ]
    return SafeString("".join(inputs))  # each input is built by format_html


@register.simple_tag
def active_filter_count(form: forms.Form) -> int:
    """How many of the filter form's fields have a value (the sort order aside): the phone's
    "Filters (2)" button, whose form is folded away."""
    return sum(1 for name in form.fields if name != "sort" and _values(form, name))


@register.simple_tag(takes_context=True)
def panels(context: template.Context, page: str, obj: object) -> str:
    """Render the panels other apps registered for ``page`` ("site", "hazard") about ``obj``,
    in order (``core.extensions``); a panel whose context is None is not for this user."""
    from django.template.loader import render_to_string

    from hazardledger.core.extensions import panels_for

    request = context["request"]
    parts = []
    for panel in panels_for(page):
        panel_context = panel.context(request, obj)
        if panel_context is not None:
            parts.append(render_to_string(panel.template, panel_context, request=request))
    return mark_safe("".join(parts))  # noqa: S308 - each part is an autoescaped template


@register.filter
def join_list(items: Iterable[Any] | None) -> str:
    """``items`` joined as a list is in the active language: "、" in Chinese, ", " in English
    (``core.text.join_list``); the template autoescapes the result."""
    from hazardledger.core.text import join_list as join

    return join(items or [])
