"""Template filters of the reports app."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def percent(value: Any) -> str:
    """A fraction (0–1) as a percentage with one decimal; "—" when there is none."""
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value) * 100:.1f}%"
    except (TypeError, ValueError):
        return "—"


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` (None when missing), for tables keyed by a loop variable."""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None
