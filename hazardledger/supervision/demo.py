"""The demo's supervision listings: the Guangzhou office and the provincial office list some of
the open major hazards the hazards step left, through the same service an office uses, so each
listing is in its hazard's history and the published lists are not empty."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hazardledger.access.policy import policy_for
from hazardledger.hazards.choices import OPEN_STATUSES, HazardGrade, ProductionStop
from hazardledger.hazards.deadlines import local_today

from .services.listings import ListingProposal, listing_create

# Who lists, how many, and the prefix of their document numbers.
LISTERS = (("gz-office", 2, "穗安委办督"), ("gd-office", 1, "粤安委办督"))
OFFICIALS = (
    {"name": "陈志强", "post": "区应急管理局局长"},
    {"name": "刘海燕", "post": "街道办事处主任"},
)


def demo_step(ctx: Any) -> None:
    """List a few open major hazards (oldest first) per office, each once."""
    today = local_today(ctx.now)
    listed: set[int] = set()
    count = 0
    for login, wanted, prefix in LISTERS:
        office = ctx.logins.get(login)
        if office is None:
            continue
        candidates = (
            policy_for("hazards.hazard")
            .instances_user_has_permission_for(office, "list")
            .filter(grade=HazardGrade.MAJOR, status__in=OPEN_STATUSES)
            .exclude(pk__in=listed)
            .order_by("found_on", "pk")[:wanted]
        )
        for serial, hazard in enumerate(candidates, start=1):
            stop = ProductionStop.PART if serial == 1 else ProductionStop.NONE
            listing_create(
                actor=office,
                hazard=hazard,
                proposal=ListingProposal(
                    required_by=today + timedelta(days=30 + 15 * serial),
                    stop=stop,
                    officials=OFFICIALS,
                    grounds="重大事故隐患，整改难度大，需政府督办",
                ),
                document_number=f"{prefix}〔{today.year}〕{serial}号",
            )
            listed.add(hazard.pk)
            count += 1
    ctx.say(f"{count} hazards listed for supervision")


def demo_clear() -> None:
    """Remove every listing and order (for tests that rebuild the demo in one database)."""
    from .models import Listing, OrderItem, OrderSequence, RectificationOrder

    Listing.objects.all().delete()
    OrderItem.objects.all().delete()
    RectificationOrder.objects.all().delete()
    OrderSequence.objects.all().delete()
