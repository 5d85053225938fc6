"""What the hazard ledger adds to shared pages (``core.extensions``): the overview's hazard
figures and the site page's hazard card."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from hazardledger.access.scope import user_can
from hazardledger.core.extensions import (
    DemoStep,
    Figure,
    Panel,
    register_demo_step,
    register_figure,
    register_panel,
)

from .choices import OPEN_STATUSES, HazardGrade
from .models import Hazard
from .selectors import hazard_list, ledger_totals


def _home_hazards(request: Any) -> dict[str, Any]:
    return {"hazards": ledger_totals(hazard_list(user=request.user))}


def _site_hazards(request: Any, site: Any) -> dict[str, Any]:
    """The site's open hazards in the viewer's scope, and whether they may record one."""
    user = request.user
    counts = (
        hazard_list(user=user)
        .filter(site_id=site.pk, status__in=OPEN_STATUSES)
        .order_by()
        .aggregate(
            open_count=Count("id"), major_count=Count("id", filter=Q(grade=HazardGrade.MAJOR))
        )
    )
    return {"site": site, **counts, "can_add": user_can(user, Hazard, "add")}


def register() -> None:
    register_figure(
        Figure(
            name="hazards.totals",
            context=_home_hazards,
            cards="hazards/partials/_home_figures.html",
            order=20,
        )
    )
    register_panel(
        Panel(
            name="hazards",
            page="site",
            template="hazards/partials/_site_hazards.html",
            context=_site_hazards,
            order=30,
        )
    )
    from .demo import demo_populate

    register_demo_step(DemoStep(name="hazards", run=demo_populate, order=20, after=("registry",)))
