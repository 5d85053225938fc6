"""Template tags other apps' pages use to show risk grading (the site detail page)."""

from __future__ import annotations

from typing import Any

from django import template

from hazardledger.access.scope import user_can

from ..models import SiteInspectionSchedule
from ..selectors import site_risk_summary

register = template.Library()


@register.inclusion_tag("risks/partials/_site_risk_block.html", takes_context=True)
def site_risk_block(context: template.Context, site: Any) -> dict[str, Any]:
    """The site's risk level, its risk point counts, its next inspection and a link to its risk
    list. ``site`` must already have been fetched through the user's scope."""
    user = context["request"].user
    summary = site_risk_summary(
        site=site, with_schedule=user_can(user, SiteInspectionSchedule, "view")
    )
    return {"site": site, **summary}
