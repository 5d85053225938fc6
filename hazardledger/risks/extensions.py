"""What risk grading adds to shared pages (``core.extensions``): the site page's risk card."""

from __future__ import annotations

from typing import Any

from hazardledger.access.scope import user_can
from hazardledger.core.extensions import DemoStep, Panel, register_demo_step, register_panel

from .models import SiteInspectionSchedule
from .selectors import site_risk_summary


def _site_risk(request: Any, site: Any) -> dict[str, Any]:
    """The site's risk level, its risk point counts, its next inspection and a link to its
    risk list (``site`` was fetched through the user's scope)."""
    summary = site_risk_summary(
        site=site, with_schedule=user_can(request.user, SiteInspectionSchedule, "view")
    )
    return {"site": site, **summary}


def register() -> None:
    register_panel(
        Panel(
            name="risks",
            page="site",
            template="risks/partials/_site_risk_block.html",
            context=_site_risk,
            order=20,
        )
    )
    from .demo import demo_populate

    register_demo_step(DemoStep(name="risks", run=demo_populate, order=10, after=("registry",)))
