"""The cascading region picker's options (public reference data)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import is_valid_code, region_children


@require_GET
@login_required
def region_children_options(request: HttpRequest) -> HttpResponse:
    """``<option>`` elements for the children of ``?parent=<code>`` (empty for a bad code)."""
    parent = request.GET.get("parent", "")
    children = region_children(parent_code=parent) if is_valid_code(parent) else []
    return render(request, "regions/partials/_region_options.html", {"regions": children})
