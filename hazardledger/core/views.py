"""The landing page: what the signed-in user is responsible for, at a glance."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .extensions import FIGURES


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The overview: the figures each app registers (``core.extensions.FIGURES``), for the
    user's scope, each linking to its filtered list. The page's context is the union of the
    figures' contexts, so each fragment reads what its own app computed."""
    shown = []
    context: dict[str, Any] = {}
    for figure in FIGURES.all():
        figure_context = figure.context(request)
        if figure_context is None:
            continue
        context.update(figure_context)
        shown.append(figure)
    context["cards"] = [figure.cards for figure in shown if figure.cards]
    context["blocks"] = [figure.block for figure in shown if figure.block]
    return render(request, "core/home.html", context)
