"""Outbox handlers of campaigns (registered in ``CampaignsConfig.ready``): they record which
inspections and hazards belong to a campaign and keep its counters (``progress.py``).

They run after the change that wrote the event has committed, in the task worker, each in its
own transaction; they are idempotent (links are unique, a task's first visit is a conditional
update, a hazard's counters move by the difference from what its link last counted), and one
that raises leaves the ledger's change alone and is retried by the outbox sweep.

- ``inspection_submitted`` (``inspections.inspection.submit``): an inspection submitted during
  a campaign at a site in its scope, started from one of its tasks or draws or done with one
  of its checklists, belongs to it; the site's first regulator visit or self-inspection counts.
- ``inspection_planned`` (``inspections.inspection.plan``): an inspection planned by a draw
  made for a campaign belongs to it, and its site's task goes to the drawn pair.
- ``draft_confirmed`` (``inspections.inspection.draft_confirm``): the hazard a campaign's
  inspection raised belongs to the campaign.
- ``hazard_changed`` (``hazards.hazard.*``): a hazard recorded during a campaign at a site in
  scope belongs to it; every change of a linked hazard moves the counters by its difference.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from hazardledger.core.models import OutboxEvent
from hazardledger.hazards.choices import HazardAction
from hazardledger.hazards.models import Hazard
from hazardledger.inspections.models import HazardDraft, Inspection

from .models import CampaignDraw, CampaignHazard, CampaignInspection, Task
from .progress import (
    hazard_link,
    hazard_link_refresh,
    inspection_counts_for,
    task_mark_inspected,
    township,
)

_DRAFT_HAZARD = re.compile(r"^drafts\.\d+\.hazard_id$")


def _tasks_during(*, site_id: Any, on: date) -> list[Task]:
    """The site's tasks in campaigns running on ``on`` (their roots' periods)."""
    return list(
        Task.objects.filter(
            site_id=site_id, root__starts_on__lte=on, root__ends_on__gte=on
        ).select_related("root")
    )


def inspection_submitted(event: OutboxEvent) -> None:
    """Link a submitted inspection to the campaigns it belongs to and count the visit."""
    data = event.data
    if not data.get("inspected_on"):
        return
    on = date.fromisoformat(data["inspected_on"])
    inspection = Inspection.objects.select_related("checklist").filter(pk=event.object_id).first()
    if inspection is None:
        return
    for task in _tasks_during(site_id=inspection.site_id, on=on):
        link = CampaignInspection.objects.filter(
            campaign_id=task.root_id, inspection=inspection
        ).first()
        code = inspection.checklist.code if inspection.checklist else None
        if link is None:
            if not inspection_counts_for(root=task.root, kind=inspection.kind, checklist_code=code):
                continue
            link, _created = CampaignInspection.objects.get_or_create(
                campaign_id=task.root_id,
                inspection=inspection,
                defaults={
                    "region_id": township(task.region_id),
                    "sector_id": task.sector_id,
                    "kind": inspection.kind,
                },
            )
        CampaignInspection.objects.filter(pk=link.pk, inspected_on__isnull=True).update(
            inspected_on=on
        )
        task_mark_inspected(task=task, inspection_id=inspection.pk, kind=inspection.kind, on=on)
        hazards = Hazard.objects.filter(
            pk__in=HazardDraft.objects.filter(inspection=inspection, hazard__isnull=False).values(
                "hazard_id"
            )
        )
        for hazard in hazards:
            hazard_link(task=task, hazard=hazard)


def inspection_planned(event: OutboxEvent) -> None:
    """An inspection a campaign's draw planned belongs to the campaign; its site's task goes
    to the drawn pair (and the draw)."""
    changes = event.data.get("changes") or {}
    draw_id = (changes.get("draw_id") or [None, None])[1]
    if not draw_id:
        return
    made_for = CampaignDraw.objects.filter(draw_id=draw_id).select_related("campaign").first()
    if made_for is None:
        return
    task = Task.objects.filter(
        root_id=made_for.campaign.root_pk, site_id=event.data.get("site_id")
    ).first()
    if task is None:
        return
    CampaignInspection.objects.get_or_create(
        campaign_id=task.root_id,
        inspection_id=int(event.object_id),
        defaults={
            "region_id": township(task.region_id),
            "sector_id": task.sector_id,
            "kind": event.data.get("kind", ""),
            "explicit": True,
        },
    )
    Task.objects.filter(pk=task.pk).update(draw_id=draw_id)
    inspectors = (changes.get("inspector_ids") or [[], []])[1]
    through = Task.assignees.through
    through.objects.bulk_create(
        [through(task_id=task.pk, user_id=user_id) for user_id in inspectors],
        ignore_conflicts=True,
    )


def draft_confirmed(event: OutboxEvent) -> None:
    """The hazard a campaign's inspection raised belongs to the campaign."""
    changes = event.data.get("changes") or {}
    hazard_ids = [new for key, (_old, new) in changes.items() if _DRAFT_HAZARD.match(key) and new]
    if not hazard_ids:
        return
    roots = list(
        CampaignInspection.objects.filter(inspection_id=event.object_id).values_list(
            "campaign_id", flat=True
        )
    )
    if not roots:
        return
    tasks = Task.objects.filter(root_id__in=roots, site_id=event.data.get("site_id"))
    for hazard in Hazard.objects.filter(pk__in=hazard_ids):
        for task in tasks:
            hazard_link(task=task, hazard=hazard)


def hazard_changed(event: OutboxEvent) -> None:
    """Link a hazard recorded during a campaign at a site in scope; count every linked
    hazard's change by the difference it makes."""
    hazard = Hazard.objects.filter(pk=event.object_id).first()
    if hazard is None:
        return
    listed = event.topic == f"hazards.hazard.{HazardAction.LIST}"
    if event.topic == f"hazards.hazard.{HazardAction.RECORD}":
        for task in _tasks_during(site_id=hazard.site_id, on=hazard.found_on):
            hazard_link(task=task, hazard=hazard, listed=listed)
    for link in CampaignHazard.objects.select_for_update().filter(hazard=hazard):
        hazard_link_refresh(link=link, hazard=hazard, listed=listed)


HANDLERS = (
    ("campaigns.inspection_submitted", ("inspections.inspection.submit",), inspection_submitted),
    ("campaigns.inspection_planned", ("inspections.inspection.plan",), inspection_planned),
    ("campaigns.draft_confirmed", ("inspections.inspection.draft_confirm",), draft_confirmed),
    ("campaigns.hazard_changed", ("hazards.hazard.*",), hazard_changed),
)
