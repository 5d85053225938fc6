"""Reads of checklists, inspections and draws, always through the user's scope."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q, QuerySet

from hazardledger.access.scope import restrict
from hazardledger.hazards.choices import OPEN_STATUSES
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.selectors import hazard_list
from hazardledger.hazards.workflow import allowed_actions
from hazardledger.registry.models import Site

from .choices import DraftStatus, ItemOutcome
from .models import Checklist, ChecklistItem, Draw, HazardDraft, Inspection, ItemResult


def checklist_current_list() -> QuerySet[Checklist]:
    """The current version of every checklist, with its item and major-item counts."""
    return (
        Checklist.objects.filter(is_current=True)
        .annotate(
            item_count=Count("items"),
            major_count=Count("items", filter=~Q(items__major_clause="")),
        )
        .order_by("code")
    )


def checklists_for_site(
    *, site: Site, current: Sequence[Checklist] | None = None
) -> list[Checklist]:
    """Current checklists that fit the site: those naming its sector (and kind) first, then
    those for every sector (such as the pre-flood-season checklist).

    ``current`` is the list of current checklists when the caller already holds it (a draw
    asks for many sites); otherwise they are read here.
    """
    if current is None:
        current = list(Checklist.objects.filter(is_current=True))
    fitting = [c for c in current if c.applies_to(site)]
    return sorted(fitting, key=lambda c: (not c.sectors, not c.site_kinds, c.code))


def checklist_items(*, checklist: Checklist) -> QuerySet[ChecklistItem]:
    return checklist.items.order_by("position")


def checklist_items_for_site(*, checklist: Checklist, site: Site) -> list[ChecklistItem]:
    """The checklist's items that apply to ``site`` (``ChecklistItem.applies_to_site``: an
    open-pit mine gets the slope items, an underground mine the ventilation items), in
    order. What the field page shows and what a submission must answer."""
    return [item for item in checklist_items(checklist=checklist) if item.applies_to_site(site)]


def inspection_list(*, user: Any, action: str = "view") -> QuerySet[Inspection]:
    """Inspections the user may ``action``, with what every list shows."""
    qs = Inspection.objects.select_related("site", "checklist", "region", "sector")
    return restrict(qs, user, action)


def inspection_results(*, inspection: Inspection) -> list[ItemResult]:
    """The inspection's results in checklist order, with their items and photos (caller
    checked scope)."""
    return list(
        inspection.results.select_related("item")
        .prefetch_related("photos")
        .order_by("item__position")
    )


def inspection_drafts_to_confirm(*, inspection: Inspection) -> list[HazardDraft]:
    """The inspection's drafts still awaiting confirmation, in checklist order (caller checked
    scope)."""
    return list(
        inspection.drafts.filter(status=DraftStatus.DRAFT)
        .select_related("result__item")
        .order_by("result__item__position")
    )


def hazard_draft_queryset() -> QuerySet[HazardDraft]:
    """Drafts with what their pages show; pass it through ``restrict`` or
    ``get_object_for_user`` before use."""
    return HazardDraft.objects.select_related("inspection", "inspection__site", "result__item")


def hazard_raised_by(*, hazard: Any, user: Any) -> HazardDraft | None:
    """The confirmed draft (with its inspection and item) that raised ``hazard``, when the
    user may see that inspection; None for a hazard no inspection raised, or one whose
    inspection is outside the user's scope (the page then says nothing about it)."""
    draft = hazard_draft_queryset().filter(hazard_id=hazard.pk).first()
    if draft is None:
        return None
    if not inspection_list(user=user).filter(pk=draft.inspection_id).exists():
        return None
    return draft


def inspection_summary(*, inspection: Inspection) -> dict[str, int]:
    """Counts of pass, fail and not-applicable results, and drafts still to confirm."""
    counts = dict(inspection.results.values_list("outcome").annotate(n=Count("id")).order_by())
    return {
        "pass": counts.get(ItemOutcome.PASS, 0),
        "fail": counts.get(ItemOutcome.FAIL, 0),
        "na": counts.get(ItemOutcome.NOT_APPLICABLE, 0),
        "drafts": inspection.drafts.filter(status=DraftStatus.DRAFT).count(),
    }


def inspection_hazards(*, inspection: Inspection, user: Any) -> QuerySet[Hazard]:
    """The hazards the inspection raised, as the user may see them."""
    return hazard_list(user=user).filter(inspection_draft__inspection=inspection)


def recheck_candidates(*, inspection: Inspection, user: Any) -> list[tuple[Hazard, list[str]]]:
    """Open hazards at the re-check's site that the user may see, each with the re-check
    actions (accept, reject) the ledger's state machine allows the user now."""
    hazards = hazard_list(user=user).filter(site_id=inspection.site_id, status__in=OPEN_STATUSES)
    found = []
    for hazard in hazards.order_by("-grade", "deadline", "id"):
        actions = [
            a for a in allowed_actions(hazard=hazard, actor=user) if a in ("accept", "reject")
        ]
        found.append((hazard, actions))
    return found


def draw_list(*, user: Any) -> QuerySet[Draw]:
    """Draws the user may see (published within their scope), newest first, with their
    sectors."""
    return restrict(Draw.objects.select_related("region").prefetch_related("sectors"), user, "view")


def draw_inspections(*, draw: Draw) -> QuerySet[Inspection]:
    return draw.inspections.select_related("site").prefetch_related("inspectors").order_by("id")
