"""What inspections add to shared pages (``core.extensions``): the site page's card that
starts an inspection, with the QR code to post at the site."""

from __future__ import annotations

from typing import Any

from hazardledger.core.extensions import DemoStep, Panel, register_demo_step, register_panel


def _site_inspection(request: Any, site: Any) -> dict[str, Any]:
    return {"site": site}


def register() -> None:
    register_panel(
        Panel(
            name="inspections",
            page="site",
            template="inspections/partials/_site_inspection.html",
            context=_site_inspection,
            order=10,
        )
    )
    from .demo import demo_populate

    register_demo_step(
        DemoStep(name="inspections", run=demo_populate, order=30, after=("hazards", "risks"))
    )
