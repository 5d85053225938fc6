"""The campaign's own progress counters (``Progress``): how the handlers keep them, and how
``campaign_progress_rebuild`` makes them again from the tasks and the links.

Counters are kept per cascade root × township × sector × site kind, so a level's figures are
the sum over its scope and a province's page sums a few thousand rows, however many sites it
covers. Every write is a difference: a task's first inspection adds one; a hazard's link keeps
what was last counted for it (``CampaignHazard``), and a change adds the difference between
the hazard as it is now and as counted, so a handler that runs again adds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min, Q
from django.db.models.functions import Substr

from hazardledger.hazards.choices import (
    PARTY_MOVE_STATUSES,
    HazardAction,
    HazardGrade,
    HazardStatus,
)
from hazardledger.hazards.models import Hazard, HazardEvent
from hazardledger.inspections.choices import InspectionKind

from .choices import FIGURES, HAZARD_FIGURES
from .models import Campaign, CampaignHazard, CampaignInspection, Progress, Task

TOWNSHIP = 9  # length of a township's division code: counters are kept per township


def township(region_code: str) -> str:
    """The township code of a site's region (a village counts with its township)."""
    return region_code[:TOWNSHIP]


def counters_add(
    *, campaign_id: int, region: str, sector: str, site_kind: str, delta: Mapping[str, int]
) -> None:
    """Add ``delta`` (figure: difference) to one row of counters, creating it if needed."""
    changes = {name: value for name, value in delta.items() if value}
    if not changes:
        return
    key = {
        "campaign_id": campaign_id,
        "region_id": township(region),
        "sector_id": sector,
        "site_kind": site_kind,
    }
    update = {name: F(name) + value for name, value in changes.items()}
    if Progress.objects.filter(**key).update(**update):
        return
    try:
        with transaction.atomic():
            Progress.objects.create(**key, **changes)
    except IntegrityError:  # created meanwhile by another handler: add to it
        Progress.objects.filter(**key).update(**update)


def task_counters_add(task: Task, **delta: int) -> None:
    counters_add(
        campaign_id=task.root_id,
        region=task.region_id,
        sector=task.sector_id,
        site_kind=task.site_kind,
        delta=delta,
    )


# --- hazards ---------------------------------------------------------------------------------


def hazard_contribution(
    *, grade: str, regulator_found: bool, status: str, listed: bool
) -> dict[str, int]:
    """What one hazard adds to each hazard figure (nothing when voided)."""
    if status == HazardStatus.VOIDED or not status:
        return dict.fromkeys(HAZARD_FIGURES, 0)
    major = grade == HazardGrade.MAJOR
    closed = status == HazardStatus.CLOSED
    return {
        "hazards": 1,
        "major": int(major),
        "closed": int(closed),
        "major_closed": int(major and closed),
        "dept_major": int(major and regulator_found),
        "dept_major_closed": int(major and regulator_found and closed),
        "self_major": int(major and not regulator_found),
        "self_major_closed": int(major and not regulator_found and closed),
        "listed": int(major and listed),
        "listed_closed": int(major and listed and closed),
    }


def _link_contribution(link: CampaignHazard) -> dict[str, int]:
    if not link.counted:
        return dict.fromkeys(HAZARD_FIGURES, 0)
    return hazard_contribution(
        grade=link.grade,
        regulator_found=link.regulator_found,
        status=link.status,
        listed=link.listed,
    )


def overdue_from(*, status: str, deadline: date | None) -> date | None:
    """The deadline while rectification is the party's move (the hazard is overdue once it
    is before today), else None (``hazards.deadlines``)."""
    return deadline if status in PARTY_MOVE_STATUSES else None


def hazard_link_refresh(*, link: CampaignHazard, hazard: Hazard, listed: bool = False) -> None:
    """Count ``hazard`` as it is now on its link: store its state on the link and add the
    difference to the counters. ``listed`` says it was listed for supervision (the listing
    level is cleared on delisting; the link remembers)."""
    before = _link_contribution(link)
    link.counted = True
    link.grade = hazard.grade
    link.regulator_found = hazard.regulator_found
    link.status = hazard.status
    link.listed = link.listed or listed or bool(hazard.listing_level)
    link.overdue_from = overdue_from(status=hazard.status, deadline=hazard.deadline)
    after = _link_contribution(link)
    link.save(
        update_fields=["counted", "grade", "regulator_found", "status", "listed", "overdue_from"]
    )
    counters_add(
        campaign_id=link.campaign_id,
        region=link.region_id,
        sector=link.sector_id,
        site_kind=link.site_kind,
        delta={name: after[name] - before[name] for name in HAZARD_FIGURES},
    )


def hazard_link(*, task: Task, hazard: Hazard, listed: bool = False) -> CampaignHazard:
    """Link ``hazard`` to the task's campaign (once) and count it as it is now."""
    link, _created = CampaignHazard.objects.get_or_create(
        campaign_id=task.root_id,
        hazard=hazard,
        defaults={
            "region_id": township(task.region_id),
            "sector_id": task.sector_id,
            "site_kind": task.site_kind,
        },
    )
    link = CampaignHazard.objects.select_for_update().get(pk=link.pk)
    hazard_link_refresh(link=link, hazard=hazard, listed=listed)
    return link


# --- inspections -----------------------------------------------------------------------------


def inspection_counts_for(*, root: Campaign, kind: str, checklist_code: str | None) -> bool:
    """True when an inspection not started from the campaign still belongs to it: not a
    re-check, and done with one of the campaign's checklists (any, when it names none)."""
    if kind == InspectionKind.RECHECK:
        return False
    return not root.checklist_codes or checklist_code in root.checklist_codes


def task_mark_inspected(*, task: Task, inspection_id: int, kind: str, on: date) -> bool:
    """Record the task's first regulator visit or self-inspection (a conditional update, so
    it counts once); True when it counted now."""
    if kind == InspectionKind.SELF:
        done = Task.objects.filter(pk=task.pk, self_inspected_on__isnull=True).update(
            self_inspected_on=on, self_inspection_id=inspection_id
        )
        if done:
            task_counters_add(task, self_inspected=1)
    else:
        done = Task.objects.filter(pk=task.pk, inspected_on__isnull=True).update(
            inspected_on=on, inspection_id=inspection_id
        )
        if done:
            task_counters_add(task, inspected=1)
    return bool(done)


# --- rebuilding ------------------------------------------------------------------------------


def sites_refresh(*, root_id: int) -> None:
    """Set the "sites in scope" counters from the root's tasks (one grouped query)."""
    rows = (
        Task.objects.filter(root_id=root_id)
        .annotate(township=Substr("region_id", 1, TOWNSHIP))
        .values("township", "sector_id", "site_kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    Progress.objects.bulk_create(
        [
            Progress(
                campaign_id=root_id,
                region_id=row["township"],
                sector_id=row["sector_id"],
                site_kind=row["site_kind"],
                sites=row["n"],
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["campaign", "region", "sector", "site_kind"],
        update_fields=["sites"],
        batch_size=2000,
    )


def _listed_hazards(hazard_ids: Iterable[int]) -> set[int]:
    """The hazards among ``hazard_ids`` that were ever listed for supervision."""
    ids = list(hazard_ids)
    found: set[int] = set()
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        found.update(
            HazardEvent.objects.filter(hazard_id__in=chunk, action=HazardAction.LIST).values_list(
                "hazard_id", flat=True
            )
        )
    return found


def _tasks_of_sites(root_id: int, site_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The root's task rows of ``site_ids`` by site (in chunks: a province has a million)."""
    ids = sorted(set(site_ids))
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 2000):
        rows = Task.objects.filter(root_id=root_id, site_id__in=ids[start : start + 2000]).values(
            "pk", "site_id", "region_id", "sector_id", "site_kind"
        )
        found.update({row["site_id"]: dict(row) for row in rows})
    return found


def progress_rebuild(*, root: Campaign) -> dict[str, int]:
    """Make the root's counters again from its tasks and links.

    Steps: link the inspections submitted during the campaign at sites in scope that belong
    to it (``inspection_counts_for``) and set each task's first visit and self-inspection
    from the links; link the hazards found during the campaign at those sites; store every
    link's hazard as it is now (listed: ever, from the hazards' histories); then replace the
    counters with the sums of the tasks and the links. Memory grows with the inspections and
    hazards, not with the sites in scope. Returns the totals.
    """
    from django.utils import timezone

    from hazardledger.inspections.choices import InspectionStatus
    from hazardledger.inspections.models import Inspection

    root_id = root.pk
    tasks = Task.objects.filter(root_id=root_id)
    inspections = list(
        Inspection.objects.filter(
            site_id__in=tasks.values("site_id"),
            status=InspectionStatus.SUBMITTED,
            submitted_at__date__gte=root.starts_on,
            submitted_at__date__lte=root.ends_on,
        ).values_list("pk", "site_id", "kind", "submitted_at", "checklist__code")
    )
    explicit = set(
        CampaignInspection.objects.filter(campaign_id=root_id, explicit=True).values_list(
            "inspection_id", flat=True
        )
    )
    by_site = _tasks_of_sites(root_id, (row[1] for row in inspections))
    links = []
    for pk, site_id, kind, submitted_at, code in inspections:
        if pk not in explicit and not inspection_counts_for(
            root=root, kind=kind, checklist_code=code
        ):
            continue
        task = by_site[site_id]
        links.append(
            CampaignInspection(
                campaign_id=root_id,
                inspection_id=pk,
                region_id=township(task["region_id"]),
                sector_id=task["sector_id"],
                kind=kind,
                inspected_on=timezone.localdate(submitted_at),
            )
        )
    CampaignInspection.objects.bulk_create(links, ignore_conflicts=True, batch_size=2000)
    for link in links:  # rows that existed keep their explicit flag; set the day
        CampaignInspection.objects.filter(
            campaign_id=root_id, inspection_id=link.inspection_id, inspected_on__isnull=True
        ).update(inspected_on=link.inspected_on)
    firsts = (
        CampaignInspection.objects.filter(campaign_id=root_id, inspected_on__isnull=False)
        .annotate(site=F("inspection__site_id"))
        .values("site", "kind")
        .annotate(first=Min("inspected_on"), inspection=Min("inspection_id"))
        .order_by()
    )
    tasks.exclude(
        inspected_on__isnull=True,
        inspection__isnull=True,
        self_inspected_on__isnull=True,
        self_inspection__isnull=True,
    ).update(inspected_on=None, inspection=None, self_inspected_on=None, self_inspection=None)
    for row in firsts:
        if row["kind"] == InspectionKind.SELF:
            tasks.filter(site_id=row["site"], self_inspected_on__isnull=True).update(
                self_inspected_on=row["first"], self_inspection_id=row["inspection"]
            )
        else:
            tasks.filter(site_id=row["site"]).filter(
                Q(inspected_on__isnull=True) | Q(inspected_on__gt=row["first"])
            ).update(inspected_on=row["first"], inspection_id=row["inspection"])

    hazards = list(
        Hazard.objects.filter(
            site_id__in=tasks.values("site_id"),
            found_on__gte=root.starts_on,
            found_on__lte=root.ends_on,
        ).values_list("pk", "site_id")
    )
    by_site = _tasks_of_sites(root_id, (site_id for _pk, site_id in hazards))
    CampaignHazard.objects.bulk_create(
        [
            CampaignHazard(
                campaign_id=root_id,
                hazard_id=hazard_id,
                region_id=township(by_site[site_id]["region_id"]),
                sector_id=by_site[site_id]["sector_id"],
                site_kind=by_site[site_id]["site_kind"],
            )
            for hazard_id, site_id in hazards
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    link_rows = CampaignHazard.objects.filter(campaign_id=root_id)
    listed = _listed_hazards(link_rows.values_list("hazard_id", flat=True))
    states = link_rows.values(
        "hazard_id",
        "region_id",
        "sector_id",
        "site_kind",
        "hazard__grade",
        "hazard__regulator_found",
        "hazard__status",
        "hazard__deadline",
        "hazard__listing_level",
    )
    changed = []
    for state in states.iterator(chunk_size=5000):
        status = state["hazard__status"]
        changed.append(
            CampaignHazard(
                campaign_id=root_id,
                hazard_id=state["hazard_id"],
                region_id=state["region_id"],
                sector_id=state["sector_id"],
                site_kind=state["site_kind"],
                counted=True,
                grade=state["hazard__grade"],
                regulator_found=state["hazard__regulator_found"],
                status=status,
                listed=state["hazard_id"] in listed or bool(state["hazard__listing_level"]),
                overdue_from=overdue_from(status=status, deadline=state["hazard__deadline"]),
            )
        )
    CampaignHazard.objects.bulk_create(
        changed,
        update_conflicts=True,
        unique_fields=["campaign", "hazard"],
        update_fields=["counted", "grade", "regulator_found", "status", "listed", "overdue_from"],
        batch_size=2000,
    )
    return counters_recompute(root_id=root_id)


def counters_recompute(*, root_id: int) -> dict[str, int]:
    """Replace the root's counters with the sums of its tasks and hazard links; returns the
    totals."""
    sums: dict[tuple[str, str, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(FIGURES, 0)
    )
    tasks = (
        Task.objects.filter(root_id=root_id)
        .annotate(township=Substr("region_id", 1, TOWNSHIP))
        .values("township", "sector_id", "site_kind")
        .annotate(
            n=Count("id"),
            done=Count("id", filter=Q(inspected_on__isnull=False)),
            self_done=Count("id", filter=Q(self_inspected_on__isnull=False)),
        )
        .order_by()
    )
    for row in tasks:
        figures = sums[(row["township"], row["sector_id"], row["site_kind"])]
        figures["sites"] += row["n"]
        figures["inspected"] += row["done"]
        figures["self_inspected"] += row["self_done"]
    links = CampaignHazard.objects.filter(campaign_id=root_id, counted=True).values(
        "region_id", "sector_id", "site_kind", "grade", "regulator_found", "status", "listed"
    )
    for link in links.iterator(chunk_size=5000):
        figures = sums[(link["region_id"], link["sector_id"], link["site_kind"])]
        contribution = hazard_contribution(
            grade=link["grade"],
            regulator_found=link["regulator_found"],
            status=link["status"],
            listed=link["listed"],
        )
        for name, value in contribution.items():
            figures[name] += value
    with transaction.atomic():
        Progress.objects.filter(campaign_id=root_id).delete()
        Progress.objects.bulk_create(
            [
                Progress(
                    campaign_id=root_id,
                    region_id=region,
                    sector_id=sector,
                    site_kind=kind,
                    **figures,
                )
                for (region, sector, kind), figures in sums.items()
            ],
            batch_size=2000,
        )
    totals = dict.fromkeys(FIGURES, 0)
    for figures in sums.values():
        for name, value in figures.items():
            totals[name] += value
    return totals


def contribution_sum(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The figures of ``rows`` added up."""
    totals = dict.fromkeys(FIGURES, 0)
    for row in rows:
        for name in FIGURES:
            totals[name] += int(row.get(name) or 0)
    return totals
