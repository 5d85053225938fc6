"""Template tags other apps' pages use to show a site's hazards."""

from __future__ import annotations

from typing import Any

from django import template

from hazardledger.access.scope import user_can
from hazardledger.hazards.choices import OPEN_STATUSES, HazardGrade
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.selectors import hazard_list

register = template.Library()


@register.inclusion_tag("hazards/partials/_site_hazards.html", takes_context=True)
def site_hazard_block(context: template.Context, site: Any) -> dict[str, Any]:
    """A small card on the site page: its open hazards (in the viewer's scope) and links."""
    user = context["request"].user
    open_hazards = hazard_list(user=user).filter(site_id=site.pk, status__in=OPEN_STATUSES)
    return {
        "site": site,
        "open_count": open_hazards.count(),
        "major_count": open_hazards.filter(grade=HazardGrade.MAJOR).count(),
        "can_add": user_can(user, Hazard, "add"),
    }
