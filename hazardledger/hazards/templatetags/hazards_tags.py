"""Template tags other apps' pages use to show a site's hazards."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q

from hazardledger.access.scope import user_can
from hazardledger.hazards.choices import OPEN_STATUSES, HazardGrade
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.selectors import hazard_list

register = template.Library()


@register.inclusion_tag("hazards/partials/_site_hazards.html", takes_context=True)
def site_hazard_block(context: template.Context, site: Any) -> dict[str, Any]:
    """A small card on the site page: its open hazards (in the viewer's scope) and links."""
    user = context["request"].user
    counts = (
        hazard_list(user=user)
        .filter(site_id=site.pk, status__in=OPEN_STATUSES)
        .order_by()
        .aggregate(
            open_count=Count("id"), major_count=Count("id", filter=Q(grade=HazardGrade.MAJOR))
        )
    )
    return {"site": site, **counts, "can_add": user_can(user, Hazard, "add")}
