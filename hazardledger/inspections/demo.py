"""The demo province's inspections: the shipped checklists, completed inspections with their
results, and one double-random draw in Guangzhou for hazardous chemicals."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from hazardledger.accounts.choices import Role
from hazardledger.accounts.models import User
from hazardledger.core.demo import DemoContext
from hazardledger.regions.selectors import is_under
from hazardledger.registry.models import Site

from .checklists import checklists_load_shipped
from .choices import DraftStatus, InspectionKind, InspectionStatus, ItemOutcome
from .draws import draw_perform, draw_seal
from .models import Checklist, HazardDraft, Inspection, ItemResult
from .selectors import checklist_items_for_site

# Share of sites with a completed inspection, and chance that an item fails.
INSPECTED_SHARE = 20
FAIL_CHANCE = 0.06
# Notes that fit any failed item (the item says what failed).
FAIL_NOTES = ["现场检查发现不符合要求", "资料不全，未能提供记录", "现场整改未完成"]


def _uuid(ctx: DemoContext) -> uuid.UUID:
    return uuid.UUID(int=ctx.rng.getrandbits(128), version=4)


def _inspectors_by_scope() -> list[tuple[str, set[str] | None, User]]:
    found = []
    users = User.objects.filter(role=Role.INSPECTOR).select_related("organisation").order_by("id")
    for user in users:
        org = user.organisation
        assert org is not None  # a user with a role has one (User.clean)
        sectors = None if org.all_sectors else set(org.sectors.values_list("code", flat=True))
        found.append((org.region_id, sectors, user))
    return found


def _inspector_for(site: Site, inspectors: list[tuple[str, set[str] | None, User]]) -> User | None:
    for region, sectors, user in inspectors:
        if is_under(site.region_id, region) and (sectors is None or site.sector_id in sectors):
            return user
    return None


def _completed_inspections(ctx: DemoContext, checklists: list[Checklist]) -> int:
    sites = list(Site.objects.order_by("pk"))
    inspectors = _inspectors_by_scope()
    chosen = ctx.rng.sample(sites, max(len(sites) // INSPECTED_SHARE, 5))
    planned: list[tuple[Inspection, User, Checklist]] = []
    for site in sorted(chosen, key=lambda s: s.pk):
        fitting = [c for c in checklists if c.sectors and c.applies_to(site)]
        inspector = _inspector_for(site, inspectors)
        if not fitting or inspector is None:
            continue
        checklist = fitting[0]
        done = ctx.now - timedelta(days=ctx.rng.randint(1, 180), minutes=ctx.rng.randint(0, 600))
        inspection = Inspection(
            uuid=_uuid(ctx),
            site=site,
            kind=ctx.rng.choice([InspectionKind.ROUTINE, InspectionKind.CAMPAIGN]),
            status=InspectionStatus.SUBMITTED,
            checklist=checklist,
            planned_on=timezone.localdate(done),
            started_at=done - timedelta(minutes=45),
            finished_at=done,
            submitted_at=done,
            latitude=site.latitude,
            longitude=site.longitude,
            gps_accuracy=ctx.rng.randint(5, 40) if site.latitude is not None else None,
            site_representative=site.contact_person,
            created_by=inspector,
            submitted_by=inspector,
            submitted_by_name=inspector.display_name,
            submission_uuid=_uuid(ctx),
        )
        inspection.copy_scope_from(site)
        planned.append((inspection, inspector, checklist))
    Inspection.objects.bulk_create([i for i, _u, _c in planned], batch_size=500)
    through = Inspection.inspectors.through
    through.objects.bulk_create(
        [through(inspection_id=i.pk, user_id=u.pk) for i, u, _c in planned], batch_size=1000
    )
    results: list[ItemResult] = []
    failed: list[ItemResult] = []
    for inspection, _user, checklist in planned:
        assert inspection.submitted_at is not None  # built as submitted, above
        # Only the items that apply to the site (an open pit has no ventilation items).
        for item in checklist_items_for_site(checklist=checklist, site=inspection.site):
            fail = ctx.rng.random() < FAIL_CHANCE
            result = ItemResult(
                uuid=_uuid(ctx),
                inspection=inspection,
                item=item,
                outcome=ItemOutcome.FAIL if fail else ItemOutcome.PASS,
                note=ctx.rng.choice(FAIL_NOTES) if fail else "",
                recorded_at=inspection.submitted_at,
            )
            result.copy_scope_from(inspection.site)
            results.append(result)
            if fail:
                failed.append(result)
    ItemResult.objects.bulk_create(results, batch_size=2000)
    HazardDraft.objects.bulk_create(
        [
            HazardDraft(
                result=result,
                inspection=result.inspection,
                region_id=result.region_id,
                sector_id=result.sector_id,
                organisation_id=result.organisation_id,
                status=DraftStatus.DRAFT,
                checklist_grade=result.item.grade,
                grade=result.item.grade,
                clause=result.item.major_clause,
                basis=result.item.basis,
                description=f"{result.item.text_zh}：{result.note}",
                location="",
                category=result.item.category,
            )
            for result in failed
        ],
        batch_size=1000,
    )
    return len(planned)


def _guangzhou_draw(ctx: DemoContext) -> Any:
    inspector = ctx.logins.get("gz-inspector")
    if inspector is None:
        return None
    colleagues = [
        user
        for region, sectors, user in _inspectors_by_scope()
        if is_under(region, "4401")
        and user.pk != inspector.pk
        and sectors is not None
        and "hazardous_chemicals" in sectors
    ][:2]
    pool = [inspector, *colleagues]
    if len(pool) < 2:
        return None
    draw = draw_seal(
        actor=inspector,
        title="广州市危险化学品企业“双随机、一公开”抽查",
        regions=["4401"],
        sectors=["hazardous_chemicals"],
        site_kinds=[],
        size=8,
        inspector_ids=[u.pk for u in pool],
        planned_on=timezone.localdate(ctx.now) + timedelta(days=7),
        seed=ctx.rng.getrandbits(63),
    )
    return draw_perform(actor=inspector, draw=draw)


def demo_populate(ctx: DemoContext) -> None:
    """Load the shipped checklists; complete an inspection at one site in
    ``INSPECTED_SHARE`` (pass mostly, a few failures left as drafts to confirm); make one
    double-random draw in Guangzhou for hazardous chemicals, planned for gz-inspector and two
    colleagues."""
    checklists_load_shipped()
    checklists = list(Checklist.objects.filter(is_current=True).order_by("code"))
    count = _completed_inspections(ctx, checklists)
    draw = _guangzhou_draw(ctx)
    drawn = len(draw.result["sites"]) if draw is not None else 0
    ctx.say(f"{len(checklists)} checklists, {count} completed inspections, {drawn} sites drawn")
