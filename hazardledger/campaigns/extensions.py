"""What campaigns add to shared pages (``core.extensions``): the campaigns a site is in, with
its task's state, on the site page; and the demo's campaigns."""

from __future__ import annotations

from typing import Any

from hazardledger.core.extensions import DemoStep, Panel, register_demo_step, register_panel


def _site_campaigns(request: Any, site: Any) -> dict[str, Any] | None:
    """The site's tasks in campaigns the viewer may see (running or recent)."""
    from hazardledger.access.scope import restrict

    from .models import Task

    tasks = list(
        restrict(Task.objects.filter(site=site), request.user)
        .select_related("root", "campaign", "responsible")
        .order_by("-root__starts_on")[:5]
    )
    return {"tasks": tasks} if tasks else None


def register() -> None:
    from .demo import demo_clear, demo_step

    register_panel(
        Panel(
            name="campaigns",
            page="site",
            template="campaigns/partials/_site_campaigns.html",
            context=_site_campaigns,
            order=50,
        )
    )
    register_demo_step(
        DemoStep(
            name="campaigns",
            run=demo_step,
            order=60,
            after=("hazards", "inspections", "supervision"),
            clear=demo_clear,
        )
    )
