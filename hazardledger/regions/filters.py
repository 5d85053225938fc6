"""The region filter shared by every list that filters tenant rows by division."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .selectors import is_valid_code, under_region


class RegionFilter(django_filters.CharFilter):
    """Rows whose region is the given division or lies under it; a malformed code matches
    nothing (rather than everything), so a tampered URL never widens a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Region"))
        kwargs.setdefault("field_name", "region")
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        value = (value or "").strip()
        if not value:
            return qs
        if not is_valid_code(value):
            return qs.none()
        return qs.filter(under_region(self.field_name, value))
