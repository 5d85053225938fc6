"""What the registry adds to shared pages: the overview's site figures (``core.extensions``)."""

from __future__ import annotations

from typing import Any

from hazardledger.core.extensions import DemoStep, Figure, register_demo_step, register_figure

from .choices import RISK_COLOURS, RiskGrade
from .selectors import site_summary


def _home_sites(request: Any) -> dict[str, Any]:
    summary = site_summary(user=request.user)
    risk_levels = [
        (grade, label, RISK_COLOURS[grade], summary["by_risk"].get(grade, 0))
        for grade, label in RiskGrade.choices
    ]
    return {
        "summary": summary,
        "risk_levels": risk_levels,
        "not_assessed": summary["by_risk"].get("", 0),
    }


def register() -> None:
    register_figure(
        Figure(
            name="registry.sites",
            context=_home_sites,
            cards="registry/partials/_home_site_count.html",
            block="registry/partials/_home_site_tables.html",
            order=10,
        )
    )
    from .demo import demo_step

    register_demo_step(DemoStep(name="registry", run=demo_step, order=5, after=("accounts",)))
