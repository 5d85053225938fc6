"""Filters shared by the filtersets of every app."""

from __future__ import annotations

import django_filters

from .forms import IdField


class IdFilter(django_filters.Filter):
    """Rows whose ``field_name`` (a key, e.g. ``site_id``) equals the given id.

    The value is read by ``IdField``: text that is not a number, or a number no row can have
    (below 1 or beyond 64 bits), is an invalid filter value like any other, which lists and
    exports alike leave out, instead of a query the database would reject with a 500.
    """

    field_class = IdField
