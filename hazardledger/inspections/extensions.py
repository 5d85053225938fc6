"""What inspections add to shared pages (``core.extensions``): on the site page, the button
that starts an inspection (in the page's header, so that a phone shows it without scrolling)
and the card with the QR code to post at the site."""

from __future__ import annotations

from typing import Any

from hazardledger.access.scope import user_can
from hazardledger.core.extensions import DemoStep, Panel, register_demo_step, register_panel

from .models import Inspection


def _site_inspection(request: Any, site: Any) -> dict[str, Any]:
    return {"site": site}


def _hazard_inspection(request: Any, hazard: Any) -> dict[str, Any] | None:
    """The inspection that raised the hazard, for a user who may see it (else no panel)."""
    from .selectors import hazard_raised_by

    draft = hazard_raised_by(hazard=hazard, user=request.user)
    if draft is None:
        return None
    return {"draft": draft, "inspection": draft.inspection, "item": draft.result.item}


def _site_start(request: Any, site: Any) -> dict[str, Any] | None:
    """The header's "start an inspection", only for who may run one (the policy)."""
    if not user_can(request.user, Inspection, "conduct"):
        return None
    return {"site": site}


def register() -> None:
    register_panel(
        Panel(
            name="inspections-start",
            page="site-actions",
            template="inspections/partials/_site_start.html",
            context=_site_start,
            order=10,
        )
    )
    register_panel(
        Panel(
            name="inspections",
            page="site",
            template="inspections/partials/_site_inspection.html",
            context=_site_inspection,
            order=10,
        )
    )
    register_panel(
        Panel(
            name="inspection",
            page="hazard",
            template="inspections/partials/_hazard_inspection.html",
            context=_hazard_inspection,
            order=5,
        )
    )
    from .demo import demo_populate

    register_demo_step(
        DemoStep(name="inspections", run=demo_populate, order=30, after=("hazards", "risks"))
    )
