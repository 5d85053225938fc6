"""What the hazard ledger adds to shared pages (``core.extensions``): the work queue's
sections, the site page's hazard card and the demo step.

The queue's workflow sections are read from the transition table: each names the actions it
is for, and its hazards are those on which the user may take one of them now
(``selectors.hazards_awaiting``); ``tests/test_queue.py`` ties them to the table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hazardledger.core.extensions import (
    DemoStep,
    Panel,
    QueueSection,
    register_demo_step,
    register_panel,
    register_queue_section,
)

from .choices import OPEN_STATUSES, HazardAction, HazardGrade
from .deadlines import overdue_q, review_overdue_q
from .models import Hazard
from .policies import HAZARD_POLICY
from .selectors import hazard_list, hazards_assigned, hazards_awaiting

A = HazardAction

# The workflow's sections: (name, title, the actions it is for, the ledger's query). Fixing on
# the spot answers a recorded hazard as a plan does, so it waits in the same section.
WORKFLOW_SECTIONS: tuple[tuple[str, Any, tuple[str, ...], str], ...] = (
    ("to_plan", _("To plan"), (A.PLAN, A.FIX), "status=recorded"),
    (
        "to_approve_plan",
        _("Plans to approve"),
        (A.APPROVE_PLAN,),
        "status=plan_pending",
    ),
    ("to_rectify", _("To rectify"), (A.SUBMIT,), "status=rectifying"),
    ("to_accept", _("To accept"), (A.ACCEPT, A.CONFIRM), "status=submitted"),
    (
        "extensions",
        _("Extension requests to decide"),
        (A.APPROVE_EXTENSION, A.REFUSE_EXTENSION),
        "",
    ),
)


def _awaiting(actions: tuple[str, ...]) -> Callable[[Any], QuerySet[Hazard] | None]:
    """A section's queryset: the hazards on which the user may take one of ``actions``."""

    def queryset(user: Any) -> QuerySet[Hazard] | None:
        return hazards_awaiting(user=user, actions=actions)

    return queryset


def _overdue(user: Any) -> QuerySet[Hazard]:
    return hazard_list(user=user).filter(overdue_q())


def _assigned(user: Any) -> QuerySet[Hazard]:
    return hazards_assigned(user=user)


def _review_overdue(user: Any) -> QuerySet[Hazard] | None:
    """Reviews past their due date that the user could decide (the reviewing body's)."""
    awaiting = hazards_awaiting(user=user, actions=(A.ACCEPT,))
    return None if awaiting is None else awaiting.filter(review_overdue_q())


def _open_major(user: Any) -> QuerySet[Hazard]:
    return hazard_list(user=user).filter(grade=HazardGrade.MAJOR, status__in=OPEN_STATUSES)


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
    return {"site": site, **counts, "can_add": HAZARD_POLICY.user_has_permission(user, "add")}


def register() -> None:
    for order, (name, title, actions, link) in enumerate(WORKFLOW_SECTIONS, start=1):
        register_queue_section(
            QueueSection(
                name=name,
                title=title,
                queryset=_awaiting(actions),
                order=10 * order,
                link=link,
                actions=actions,
            )
        )
    register_queue_section(
        QueueSection(
            name="assigned",
            title=_("Assigned to me"),
            queryset=_assigned,
            order=45,
            link="",
        )
    )
    register_queue_section(
        QueueSection(
            name="overdue", title=_("Overdue"), queryset=_overdue, order=50, link="overdue=1"
        )
    )
    register_queue_section(
        QueueSection(
            name="review_overdue",
            title=_("Reviews overdue"),
            queryset=_review_overdue,
            order=55,
            link="review_overdue=1",
        )
    )
    register_queue_section(
        QueueSection(
            name="major",
            title=_("Open major hazards in my scope"),
            queryset=_open_major,
            order=60,
            link="grade=major&status=open",
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
    from .demo import demo_clear, demo_populate

    register_demo_step(
        DemoStep(name="hazards", run=demo_populate, order=20, after=("registry",), clear=demo_clear)
    )
