"""Writes of campaigns: issue one, take one up for a region below, make its tasks, give tasks to
people or to a double-random draw, start an inspection from a task, send circulars.

Every service checks the actor (the campaign policy), validates everything at once
(``Invalid`` with every problem per field), writes in one ``atomic()`` block that composes with
its caller (the view holds the durable one) and records its audit entry and outbox event in
it. Making the tasks of a campaign that covers a province's sites is a job of its own
(``campaign_tasks_build``, enqueued when the campaign is committed), so issuing returns at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardledger.access.policy import is_unrestricted
from hazardledger.access.scope import restrict, user_sector_codes
from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.accounts.models import Organisation, User
from hazardledger.audit.services import record as audit_record
from hazardledger.core.errors import Invalid, NotAllowed
from hazardledger.core.images import UnreadableImage, image_check
from hazardledger.core.outbox import outbox_write
from hazardledger.core.uploads import save_on_commit
from hazardledger.inspections.choices import InspectionKind
from hazardledger.inspections.models import Checklist, Draw, Inspection
from hazardledger.inspections.selectors import checklists_for_site
from hazardledger.regions.models import Region, Sector
from hazardledger.regions.selectors import is_under, under_region
from hazardledger.registry.choices import SiteKind, SiteStatus
from hazardledger.registry.models import Site

from .choices import CircularKind, PhaseKind
from .constants import ASSIGN_MAX, BUILD_BATCH, DIRECTIVE_MAX_BYTES, TERRITORIAL_SECTORS
from .models import Campaign, CampaignDraw, CampaignInspection, CampaignPhase, Circular, Task
from .policies import CAMPAIGN_POLICY, CIRCULAR_POLICY, TASK_POLICY, ancestors
from .progress import sites_refresh, township
from .selectors import (
    Scope,
    campaign_delegated,
    campaign_progress,
    campaign_scope,
    campaign_subtree_ids,
)

DIRECTIVE_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


@dataclass(frozen=True)
class CampaignInput:
    """What a campaign is issued with (``campaign_issue``); a take-up
    (``campaign_take_up``) gives its own title, document number, dates, scope, leads and
    phases, and keeps the rest from its parent."""

    title: str
    starts_on: date
    ends_on: date
    regions: Sequence[str]
    sectors: Sequence[str]
    site_kinds: Sequence[str] = ()
    checklist_codes: Sequence[str] = ()
    delegated: Sequence[str] = ()
    phases: Sequence[tuple[str, date, date]] = ()
    document_number: str = ""
    directive_text: str = ""
    directive_file: Any = None
    coverage_target: int = 100
    closure_target: int = 90
    major_closed_by: date | None = None
    custom_targets: Sequence[str] = field(default_factory=tuple)
    leads: str = ""
    template: str = ""


def territorial_sectors() -> tuple[str, ...]:
    return tuple(getattr(settings, "CAMPAIGN_TERRITORIAL_SECTORS", TERRITORIAL_SECTORS))


def _level(actor: Any) -> str:
    """The region the actor's organisation acts for (the province for administrators)."""
    if is_unrestricted(actor) and getattr(actor, "organisation", None) is None:
        return "44"
    return str(actor.organisation.region_id)


def _directive_file(upload: Any, errors: dict[str, list[str]]) -> ContentFile | None:
    """The directive upload as a file to store, checked by its content (a PDF, JPEG or PNG of
    at most ``DIRECTIVE_MAX_BYTES``); None (and the problem in ``errors``) otherwise."""
    if upload is None:
        return None
    data = upload.read(DIRECTIVE_MAX_BYTES + 1)
    if len(data) > DIRECTIVE_MAX_BYTES:
        errors.setdefault("directive_file", []).append(
            _("The directive file may be at most %(mb)d MB.") % {"mb": DIRECTIVE_MAX_BYTES >> 20}
        )
        return None
    kind = filetype.guess(data[:8192]) if data else None
    extension = DIRECTIVE_TYPES.get(kind.mime if kind else "")
    if extension is None:
        errors.setdefault("directive_file", []).append(
            _("The directive must be a PDF, JPEG or PNG file, whatever its name says.")
        )
        return None
    if extension != "pdf":
        try:
            image_check(data, label=_("The directive"))
        except (UnreadableImage, ValueError) as exc:
            errors.setdefault("directive_file", []).append(str(getattr(exc, "message", exc)))
            return None
    return ContentFile(data, name=f"directive.{extension}")


def _validate(
    *,
    actor: Any,
    data: CampaignInput,
    within: Scope | None,
    level: str,
    period: tuple[date, date] | None,
) -> dict[str, list[str]]:
    """Every problem of ``data`` per field: dates and phases, scope regions under ``level``
    (and inside ``within``, a parent's scope), sectors the actor covers (and the parent's),
    known site kinds and checklists, regions handed down, targets, texts."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.title.strip():
        add("title", _("Give the campaign a title."))
    if data.ends_on < data.starts_on:
        add("ends_on", _("The campaign cannot end before it starts."))
    if period is not None and (data.starts_on < period[0] or data.ends_on > period[1]):
        add(
            "ends_on",
            _("The dates must lie within the parent campaign's (%(start)s to %(end)s).")
            % {"start": period[0], "end": period[1]},
        )
    kinds_seen = set()
    for kind, start, end in data.phases:
        if kind not in PhaseKind.values or kind in kinds_seen:
            add("phases", _("Each phase once, of the four phases."))
            continue
        kinds_seen.add(kind)
        if end < start or start < data.starts_on or end > data.ends_on:
            add(
                "phases",
                _("%(phase)s must lie within the campaign's dates.")
                % {"phase": PhaseKind(kind).label},
            )
    regions = sorted(set(data.regions))
    known = set(Region.objects.filter(code__in=regions).values_list("code", flat=True))
    if not regions:
        add("regions", _("Choose at least one region."))
    elif known != set(regions) or any(not is_under(code, level) for code in regions):
        add("regions", _("Choose regions in your area."))
    elif within is not None and any(
        not any(is_under(code, parent) for parent in within.regions) for code in regions
    ):
        add("regions", _("Choose regions inside the parent campaign's scope."))
    sectors = sorted(set(data.sectors))
    allowed = None if is_unrestricted(actor) else user_sector_codes(actor)
    if within is not None:
        allowed = set(within.sectors) if allowed is None else allowed & set(within.sectors)
    if not sectors:
        add("sectors", _("Choose at least one sector."))
    elif Sector.objects.filter(code__in=sectors).count() != len(sectors) or (
        allowed is not None and not set(sectors) <= allowed
    ):
        add("sectors", _("Choose sectors in your area (and in the parent campaign's)."))
    kinds = set(data.site_kinds)
    if not kinds <= set(SiteKind.values) or (
        within is not None and within.kinds and not kinds <= set(within.kinds)
    ):
        add("site_kinds", _("Choose site kinds of the parent campaign's."))
    if within is not None and within.kinds and not kinds:
        add("site_kinds", _("Choose site kinds of the parent campaign's."))
    codes = set(data.checklist_codes)
    if codes and Checklist.objects.filter(code__in=codes, is_current=True).count() != len(codes):
        add("checklist_codes", _("Choose current checklists."))
    for code in data.delegated:
        if len(code) <= len(level) or not any(
            is_under(code, r) or is_under(r, code) for r in regions
        ):
            add("delegated", _("Hand down only to regions below yours, in the campaign's scope."))
            break
    if not (0 <= data.coverage_target <= 100 and 0 <= data.closure_target <= 100):
        add("coverage_target", _("Targets are shares between 0 and 100 %."))
    if data.major_closed_by is not None and data.major_closed_by < data.starts_on:
        add("major_closed_by", _("This date must fall within the campaign."))
    if len(data.directive_text) > 20_000:
        add("directive_text", _("The directive text is too long."))
    return errors


def _save(
    *,
    actor: Any,
    data: CampaignInput,
    parent: Campaign | None,
    level: str,
    checked_file: ContentFile | None,
) -> Campaign:
    organisation = actor.organisation
    root_id = None if parent is None else parent.root_pk
    campaign = Campaign(
        parent=parent,
        root_id=root_id,
        issuer=organisation,
        issuer_name=organisation.name[:200],
        region_id=level,
        document_number=data.document_number.strip()[:60],
        title=data.title.strip()[:200],
        directive_text=data.directive_text.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        site_kinds=sorted(set(data.site_kinds)),
        checklist_codes=list(dict.fromkeys(data.checklist_codes)),
        coverage_target=data.coverage_target,
        closure_target=data.closure_target,
        major_closed_by=data.major_closed_by,
        custom_targets=[t.strip() for t in data.custom_targets if t.strip()][:20],
        leads=data.leads.strip()[:2000],
        template=data.template,
        created_by=actor,
        created_by_name=actor.display_name[:150],
    )
    if checked_file is not None:
        save_on_commit(campaign.directive_file, checked_file)
    campaign.save()
    campaign.regions.set(Region.objects.filter(code__in=sorted(set(data.regions))))
    campaign.sectors.set(Sector.objects.filter(code__in=sorted(set(data.sectors))))
    campaign.delegated.set(Region.objects.filter(code__in=sorted(set(data.delegated))))
    CampaignPhase.objects.bulk_create(
        [
            CampaignPhase(campaign=campaign, kind=kind, starts_on=start, ends_on=end)
            for kind, start, end in data.phases
        ]
    )
    return campaign


def _enqueue_build(campaign_id: int) -> None:
    from .tasks import campaign_tasks_build_task

    transaction.on_commit(lambda: campaign_tasks_build_task.enqueue(campaign_id))


def campaign_issue(*, actor: Any, data: CampaignInput) -> Campaign:
    """Issue a campaign for the actor's level (a safety committee office; administrators for
    the province).

    Steps: check the role (``NotAllowed``); validate everything (``Invalid``: dates and
    phases, regions under the actor's, sectors the actor covers, site kinds, current
    checklists, regions handed down, targets, the directive file by its content); save the
    campaign, its scope and phases (the file is written on commit); write the audit entry
    and the ``campaigns.campaign.issue`` event (the offices it is handed down to are told);
    on commit, enqueue the job that makes its tasks.
    """
    if not CAMPAIGN_POLICY.user_has_permission(actor, "add") or actor.organisation is None:
        raise NotAllowed
    level = _level(actor)
    errors = _validate(actor=actor, data=data, within=None, level=level, period=None)
    checked = _directive_file(data.directive_file, errors)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        campaign = _save(actor=actor, data=data, parent=None, level=level, checked_file=checked)
        audit_record(
            actor=actor,
            action="campaigns.campaign.issue",
            obj=campaign,
            after={"title": campaign.title, "regions": sorted(set(data.regions))},
            data={"delegated": sorted(set(data.delegated))},
        )
        outbox_write(
            topic="campaigns.campaign.issue",
            obj=campaign,
            actor=actor,
            data={"delegated": sorted(set(data.delegated)), "parent_id": None},
        )
        _enqueue_build(campaign.pk)
    return campaign


def take_up_defaults(*, parent: Campaign, region: str) -> dict[str, Any]:
    """What a take-up for ``region`` starts from: the parent's scope inside the region, its
    dates, phases and sectors."""
    scope = campaign_scope(parent)
    regions = []
    for code in scope.regions:
        if is_under(code, region):
            regions.append(code)
        elif is_under(region, code):
            regions.append(region)
    return {
        "regions": sorted(set(regions)),
        "sectors": list(scope.sectors),
        "site_kinds": list(scope.kinds),
        "starts_on": parent.starts_on,
        "ends_on": parent.ends_on,
        "phases": [(p.kind, p.starts_on, p.ends_on) for p in parent.phases.all()],
    }


def can_take_up(*, actor: Any, parent: Campaign) -> bool:
    """True when the actor's office may take ``parent`` up for its region now: its role, its
    region one the parent handed down, and no take-up for it yet."""
    if not CAMPAIGN_POLICY.user_has_permission(actor, "take_up"):
        return False
    organisation = getattr(actor, "organisation", None)
    if organisation is None or organisation.kind not in (
        OrganisationKind.OFFICE,
        OrganisationKind.SYSTEM,
    ):
        return False
    region = str(organisation.region_id)
    return (
        region in campaign_delegated(parent)
        and not Campaign.objects.filter(parent=parent, region_id=region).exists()
    )


def campaign_take_up(*, actor: Any, parent: Campaign, data: CampaignInput) -> Campaign:
    """Take ``parent`` up for the actor's region, as a campaign of its own inside it.

    The actor's region must be one the parent handed down (``NotAllowed`` otherwise, or when
    it was taken up already). Its scope, dates and phases lie inside the parent's; the title,
    document number, leads, phases and the regions it hands further down are its own; the
    checklists and targets are the parent's. On commit the job moves the parent's tasks in
    its scope to it (and issues those not handed further down). Writes the audit entry and
    the ``campaigns.campaign.take_up`` event.
    """
    if not can_take_up(actor=actor, parent=parent):
        raise NotAllowed(_("Your region was not handed this campaign, or has taken it up."))
    level = _level(actor)
    within = campaign_scope(parent)
    data = replace(
        data,
        checklist_codes=list(parent.checklist_codes),
        coverage_target=parent.coverage_target,
        closure_target=parent.closure_target,
        major_closed_by=parent.major_closed_by,
        custom_targets=list(parent.custom_targets),
        template=parent.template,
        site_kinds=list(data.site_kinds) or list(within.kinds),
    )
    errors = _validate(
        actor=actor,
        data=data,
        within=within,
        level=level,
        period=(parent.starts_on, parent.ends_on),
    )
    checked = _directive_file(data.directive_file, errors)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=parent.pk)
        if Campaign.objects.filter(parent=locked, region_id=level).exists():
            raise NotAllowed(_("Your region was not handed this campaign, or has taken it up."))
        campaign = _save(actor=actor, data=data, parent=locked, level=level, checked_file=checked)
        audit_record(
            actor=actor,
            action="campaigns.campaign.take_up",
            obj=campaign,
            after={"title": campaign.title, "parent": parent.pk},
            data={"delegated": sorted(set(data.delegated))},
        )
        outbox_write(
            topic="campaigns.campaign.take_up",
            obj=campaign,
            actor=actor,
            data={"delegated": sorted(set(data.delegated)), "parent_id": parent.pk},
        )
        _enqueue_build(campaign.pk)
    return campaign


# --- tasks -----------------------------------------------------------------------------------


class Responsibles:
    """Who is responsible for a site in a campaign, loaded once per build.

    A site of a territorial sector (``territorial_sectors``) is its township's; any other
    site is the sector department's of the lowest level at or above the site's township that
    has one. A territorial site whose township has no organisation goes to the department too.
    """

    def __init__(self, *, region: str) -> None:
        self.territorial = set(territorial_sectors())
        self.townships = dict(
            Organisation.objects.filter(
                under_region("region", region), kind=OrganisationKind.TOWNSHIP
            )
            .order_by("pk")
            .values_list("region_id", "pk")
        )
        self.departments: dict[tuple[str, str], int] = {}
        through = Organisation.sectors.through
        rows = (
            through.objects.filter(organisation__kind=OrganisationKind.DEPARTMENT)
            .filter(
                under_region("organisation__region", region)
                | Q(organisation__region_id__in=ancestors(region))
            )
            .order_by("organisation_id")
            .values_list("organisation__region_id", "sector_id", "organisation_id")
        )
        for code, sector, pk in rows:
            self.departments.setdefault((code, sector), pk)

    def for_site(self, *, region: str, sector: str) -> int | None:
        if sector in self.territorial:
            found = self.townships.get(township(region))
            if found is not None:
                return found
        for length in (9, 6, 4, 2):
            found = self.departments.get((region[:length], sector))
            if found is not None:
                return found
        return None


def _phase_end(campaign: Campaign, kind: str) -> date:
    phase = next((p for p in campaign.phases.all() if p.kind == kind), None)
    return phase.ends_on if phase is not None else campaign.ends_on


def _handed_down(region: str, delegated: Sequence[str]) -> bool:
    return any(is_under(region, code) for code in delegated)


def _build_root(campaign: Campaign) -> int:
    """Make a task for every operating site in the root's scope (idempotent)."""
    scope = campaign_scope(campaign)
    delegated = campaign_delegated(campaign)
    responsibles = Responsibles(region=campaign.region_id)
    due, self_due = (
        _phase_end(campaign, PhaseKind.ENFORCEMENT),
        _phase_end(campaign, PhaseKind.SELF_INSPECTION),
    )
    sites = (
        Site.objects.filter(scope.q(sector="sector_id", kind="kind"), status=SiteStatus.OPERATING)
        .order_by("pk")
        .values_list("pk", "region_id", "sector_id", "organisation_id", "kind")
    )
    made = 0
    batch: list[Task] = []
    for pk, region, sector, organisation, kind in sites.iterator(chunk_size=BUILD_BATCH):
        issued = not _handed_down(region, delegated)
        batch.append(
            Task(
                root=campaign,
                campaign=campaign,
                site_id=pk,
                region_id=region,
                sector_id=sector,
                organisation_id=organisation,
                site_kind=kind,
                issued=issued,
                responsible_id=responsibles.for_site(region=region, sector=sector)
                if issued
                else None,
                due_on=due,
                self_due_on=self_due if organisation and issued else None,
            )
        )
        if len(batch) >= BUILD_BATCH:
            made += len(Task.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        made += len(Task.objects.bulk_create(batch, ignore_conflicts=True))
    return made


def _move_to(campaign: Campaign) -> int:
    """Move the parent's tasks in the take-up's scope to it, and issue those it did not hand
    further down, for their responsible organisations (idempotent)."""
    assert campaign.parent is not None
    scope = campaign_scope(campaign)
    delegated = campaign_delegated(campaign)
    responsibles = Responsibles(region=campaign.region_id)
    due, self_due = (
        _phase_end(campaign, PhaseKind.ENFORCEMENT),
        _phase_end(campaign, PhaseKind.SELF_INSPECTION),
    )
    tasks = Task.objects.filter(root_id=campaign.root_pk, campaign=campaign.parent).filter(
        scope.q()
    )
    groups = (
        tasks.values_list("region_id", "sector_id").distinct().order_by("region_id", "sector_id")
    )
    moved = 0
    for region, sector in list(groups):
        issued = not _handed_down(region, delegated)
        moved += tasks.filter(region_id=region, sector_id=sector).update(
            campaign=campaign,
            issued=issued,
            responsible_id=responsibles.for_site(region=region, sector=sector) if issued else None,
            due_on=due,
        )
    Task.objects.filter(campaign=campaign, issued=True, organisation__isnull=False).update(
        self_due_on=self_due
    )
    return moved


def campaign_tasks_build(*, campaign_id: int) -> int:
    """Make the campaign's tasks: a root's for every operating site in its scope, a take-up's
    by moving its parent's tasks in its scope to it; then refresh the sites-in-scope counters
    and write the ``campaigns.campaign.tasks`` event (who has tasks now is told). Idempotent;
    returns how many tasks were made or moved."""
    with transaction.atomic():
        campaign = Campaign.objects.select_related("parent").get(pk=campaign_id)
        made = _build_root(campaign) if campaign.parent_id is None else _move_to(campaign)
        sites_refresh(root_id=campaign.root_pk)
        first = campaign.tasks_built_at is None
        Campaign.objects.filter(pk=campaign.pk).update(tasks_built_at=timezone.now())
        audit_record(
            actor=None,
            action="campaigns.campaign.tasks",
            obj=campaign,
            data={"tasks": made},
        )
        if first:
            outbox_write(
                topic="campaigns.campaign.tasks",
                obj=campaign,
                actor=campaign.created_by,
                data={"tasks": made},
            )
    return made


def tasks_assign(
    *, actor: Any, campaign: Campaign, task_ids: Sequence[int], user_ids: Sequence[int]
) -> int:
    """Give tasks of the campaign to people (replacing whom they were given to).

    The tasks must be issued tasks the actor may assign (the task policy's "assign": their
    scope) and, unless the actor is an office or an administrator, tasks of the actor's own
    organisation; the people must be active users of the actor's organisation or of the tasks'
    responsible organisations, who may inspect. Writes the audit entry and the
    ``campaigns.campaign.assign`` event (the people are told). Returns how many tasks.
    """
    if not TASK_POLICY.user_has_permission(actor, "assign"):
        raise NotAllowed
    ids = sorted({int(pk) for pk in task_ids})[:ASSIGN_MAX]
    tasks = restrict(
        Task.objects.filter(
            pk__in=ids,
            root_id=campaign.root_pk,
            campaign_id__in=campaign_subtree_ids(campaign),
            issued=True,
        ),
        actor,
        "assign",
    )
    office = is_unrestricted(actor) or actor.role == Role.OFFICE
    if not office:
        tasks = tasks.filter(responsible_id=actor.organisation_id)
    chosen = list(tasks.values_list("pk", "responsible_id"))
    errors: dict[str, list[str]] = {}
    if not chosen or len(chosen) != len(ids):
        errors["tasks"] = [_("Choose tasks you may assign.")]
    organisations = {actor.organisation_id, *(r for _pk, r in chosen if r)}
    people = list(
        User.objects.filter(
            pk__in=set(user_ids),
            is_active=True,
            organisation_id__in=organisations,
            role__in=[Role.INSPECTOR, Role.GRID_WORKER, Role.OFFICE],
        )
    )
    if not people or len(people) != len(set(user_ids)):
        errors["users"] = [_("Choose people of your organisation or of the tasks' organisations.")]
    if errors:
        raise Invalid(errors)
    through = Task.assignees.through
    with transaction.atomic():
        task_pks = [pk for pk, _r in chosen]
        through.objects.filter(task_id__in=task_pks).delete()
        through.objects.bulk_create(
            [through(task_id=pk, user_id=user.pk) for pk in task_pks for user in people]
        )
        audit_record(
            actor=actor,
            action="campaigns.task.assign",
            obj=campaign,
            data={"tasks": task_pks[:200], "count": len(task_pks), "users": [u.pk for u in people]},
        )
        outbox_write(
            topic="campaigns.campaign.assign",
            obj=campaign,
            actor=actor,
            data={"user_ids": sorted(u.pk for u in people), "tasks": len(task_pks)},
        )
    return len(chosen)


def draw_regions(*, actor: Any, scope: Scope) -> list[str]:
    """The campaign's scope regions inside the actor's area (the actor's region where a
    scope region is above it)."""
    own = _level(actor)
    regions = set()
    for code in scope.regions:
        if is_under(code, own):
            regions.add(code)
        elif is_under(own, code):
            regions.add(own)
    return sorted(regions)


def campaign_draw(
    *,
    actor: Any,
    campaign: Campaign,
    size: int,
    inspector_ids: Sequence[int],
    planned_on: date,
    seed: int | None = None,
) -> Draw:
    """Give tasks to a double-random draw: seal a draw (``inspections.draws.draw_seal``) over
    the campaign's scope inside the actor's area and sectors, and link it to the campaign, so
    the inspections it plans when performed belong to the campaign and their sites' tasks go
    to the drawn pairs (``handlers.draw_planned``). The draw's own rules and errors apply."""
    from hazardledger.inspections.draws import draw_seal

    if not CAMPAIGN_POLICY.user_has_permission_for_instance(actor, "draw", campaign):
        raise NotAllowed
    scope = campaign_scope(campaign)
    allowed = None if is_unrestricted(actor) else user_sector_codes(actor)
    sectors = [s for s in scope.sectors if allowed is None or s in allowed]
    with transaction.atomic():
        draw = draw_seal(
            actor=actor,
            title=f"{campaign.title}·双随机抽查"[:200],
            regions=draw_regions(actor=actor, scope=scope),
            sectors=sectors,
            site_kinds=list(scope.kinds),
            size=size,
            inspector_ids=inspector_ids,
            planned_on=planned_on,
            seed=seed,
        )
        CampaignDraw.objects.create(campaign=campaign, draw=draw)
        audit_record(
            actor=actor, action="campaigns.campaign.draw", obj=campaign, data={"draw": draw.pk}
        )
    return draw


def task_checklist(*, task: Task) -> Checklist | None:
    """The checklist to inspect the task's site with: the first of the campaign's that fits
    the site, else the site's first fitting checklist."""
    fitting = checklists_for_site(site=task.site)
    codes = list(task.root.checklist_codes)
    for code in codes:
        found = next((c for c in fitting if c.code == code), None)
        if found is not None:
            return found
    return fitting[0] if fitting else None


def task_inspect(*, actor: Any, task: Task) -> Inspection:
    """Start an inspection of the task's site now, for the campaign: the enterprise's
    self-inspection (an enterprise user), else a campaign inspection; with the campaign's
    checklist for the site. The inspection belongs to the campaign from the start
    (``CampaignInspection``, explicit). The inspections app's rules and errors apply."""
    from hazardledger.inspections.services import inspection_plan

    organisation = getattr(actor, "organisation", None)
    enterprise = organisation is not None and organisation.is_enterprise
    kind = InspectionKind.SELF if enterprise else InspectionKind.CAMPAIGN
    if not task.issued:
        raise Invalid({"task": [_("This site waits for the level below to take the campaign up.")]})
    checklist = task_checklist(task=task)
    with transaction.atomic():
        inspection = inspection_plan(
            actor=actor,
            site=task.site,
            kind=kind,
            checklist=checklist,
            planned_on=timezone.localdate(),
            start=True,
        )
        CampaignInspection.objects.get_or_create(
            campaign_id=task.root_id,
            inspection=inspection,
            defaults={
                "region_id": township(task.region_id),
                "sector_id": task.sector_id,
                "kind": kind,
                "explicit": True,
            },
        )
    return inspection


# --- circulars -------------------------------------------------------------------------------


def may_circulate(*, actor: Any, campaign: Campaign) -> bool:
    """True when the actor is the office running the campaign (or an administrator)."""
    if not CIRCULAR_POLICY.user_has_permission(actor, "add"):
        return False
    return is_unrestricted(actor) or actor.organisation_id == campaign.issuer_id


def circular_send(
    *,
    actor: Any,
    campaign: Campaign,
    kind: str,
    region: str,
    text: str,
    document_number: str = "",
) -> Circular:
    """Send a circular (通报) or a letter urging rectification (督促函) to a region below the
    campaign's level, in its scope, from the office running the campaign. The region's figures
    on the day are kept with it. Writes the audit entry and the ``campaigns.circular.send``
    event (the region's office and leadership are told). Raises ``NotAllowed`` for anyone
    but that office, ``Invalid`` for another region, kind or an empty text."""
    if not may_circulate(actor=actor, campaign=campaign):
        raise NotAllowed
    errors: dict[str, list[str]] = {}
    if kind not in CircularKind.values:
        errors["kind"] = [_("Choose a circular or an urging letter.")]
    scope = campaign_scope(campaign)
    target = Region.objects.filter(code=region).first()
    if (
        target is None
        or len(region) <= len(campaign.region_id)
        or not is_under(region, campaign.region_id)
        or not any(is_under(region, c) or is_under(c, region) for c in scope.regions)
    ):
        errors["region"] = [_("Choose a region below the campaign's level, in its scope.")]
    if not text.strip():
        errors["text"] = [_("Write the text.")]
    if errors:
        raise Invalid(errors)
    assert target is not None
    today = timezone.localdate()
    report = campaign_progress(campaign=campaign, user=None, today=today, at=region)
    total = report.total
    figures = {
        **total.figures,
        "overdue": total.overdue,
        "coverage": total.coverage,
        "closure": total.closure,
        "as_of": today.isoformat(),
    }
    with transaction.atomic():
        circular = Circular.objects.create(
            campaign=campaign,
            kind=kind,
            region=target,
            region_name=target.name[:100],
            document_number=document_number.strip()[:60],
            text=text.strip()[:5000],
            figures=figures,
            issuer_id=actor.organisation_id,
            issuer_name=(actor.organisation.name if actor.organisation else "")[:200],
            sent_by=actor,
            sent_by_name=actor.display_name[:150],
        )
        audit_record(
            actor=actor,
            action="campaigns.circular.send",
            obj=circular,
            after={"kind": kind, "region": region},
            data={"campaign": campaign.pk},
        )
        outbox_write(
            topic="campaigns.circular.send",
            obj=circular,
            actor=actor,
            data={"campaign_id": campaign.pk, "kind": kind},
        )
    return circular
