"""The landing page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hazardledger.registry.selectors import site_summary


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What the user is responsible for: their scope and the sites in it by sector and status."""
    return render(request, "core/home.html", {"summary": site_summary(user=request.user)})
