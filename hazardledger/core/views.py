"""The landing page: what the signed-in user is responsible for, at a glance."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hazardledger.hazards.selectors import hazard_list, ledger_totals
from hazardledger.registry.choices import RISK_COLOURS, RiskGrade
from hazardledger.registry.selectors import site_summary


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Sites in scope by sector and risk level, and the hazards that need attention.

    Four aggregate queries over the user's scope; every figure links to the filtered list.
    """
    summary = site_summary(user=request.user)
    risk_levels = [
        (grade, label, RISK_COLOURS[grade], summary["by_risk"].get(grade, 0))
        for grade, label in RiskGrade.choices
    ]
    context = {
        "summary": summary,
        "risk_levels": risk_levels,
        "not_assessed": summary["by_risk"].get("", 0),
        "hazards": ledger_totals(hazard_list(user=request.user)),
    }
    return render(request, "core/home.html", context)
