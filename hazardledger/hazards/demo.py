"""Demo province, the hazard ledger: hazards in every state at about 3 in 10 sites.

Each hazard's history is a path the state machine allows, written through the same chain
function the workflow uses (``history.chain_event``), with the fields each step changed, so
``verify_history`` passes on the demo and each hazard replays from its chain. Every event also
goes to the outbox, as the workflow's do, so the apps that react to hazards (the site risk
level) catch up once the transaction commits. Deterministic for a seed (draws only from
``ctx.rng``), bulk inserts, scales with the sites.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw

from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.accounts.demo import person_name
from hazardledger.accounts.models import Organisation, User
from hazardledger.audit.models import AuditEvent
from hazardledger.core.demo import DemoContext
from hazardledger.core.models import OutboxEvent
from hazardledger.core.outbox import outbox_write_many
from hazardledger.regions.selectors import is_under
from hazardledger.registry.models import Site

from .choices import (
    PARTY_MOVE_STATUSES,
    EvidenceKind,
    EvidenceStage,
    ExtensionStatus,
    HazardAction,
    HazardGrade,
    HazardSource,
    HazardStatus,
    InterimMeasure,
    QuickReportStatus,
)
from .deadlines import (
    days_overdue,
    default_deadline,
    is_overdue,
    local_today,
    review_due_date,
)
from .demo_findings import findings_for
from .history import chain_event, hazard_state, json_value, jsonable, state_changes
from .models import (
    Evidence,
    ExtensionRequest,
    Hazard,
    HazardEvent,
    QuickReport,
    RectificationPlan,
)
from .workflow import TRANSITIONS
from .workflow.effects import hazard_outbox_event

logger = logging.getLogger(__name__)
A, S = HazardAction, HazardStatus
HAZARDS_PER_SITE = 0.3
MAJOR_SHARE = 0.08
BATCH = 1000

# (final status, weight, path of (action, side)); sides: "ent" the responsible party,
# "acc" whoever accepts (the enterprise for a general hazard, the inspector for a major one),
# "reg" a regulator in scope.
# A major hazard's plan is approved by the enterprise's principal ("boss") before
# rectification starts: ``_with_approval`` adds that step to its paths.
PATHS: list[tuple[str, int, list[tuple[str, str]]]] = [
    (S.RECORDED, 12, []),
    (S.PLAN_PENDING, 2, [(A.PLAN, "ent")]),
    (S.RECTIFYING, 24, [(A.PLAN, "ent")]),
    (S.RECTIFYING, 5, [(A.PLAN, "ent"), (A.REQUEST_EXTENSION, "ent")]),
    (S.RECTIFYING, 3, [(A.PLAN, "ent"), (A.SUBMIT, "ent"), (A.REJECT, "acc")]),
    (S.FIXED, 4, [(A.FIX, "ent")]),
    (S.SUBMITTED, 10, [(A.PLAN, "ent"), (A.SUBMIT, "ent")]),
    (S.CLOSED, 24, [(A.PLAN, "ent"), (A.SUBMIT, "ent"), (A.ACCEPT, "acc")]),
    (
        S.CLOSED,
        4,
        [
            (A.PLAN, "ent"),
            (A.SUBMIT, "ent"),
            (A.REJECT, "acc"),
            (A.SUBMIT, "ent"),
            (A.ACCEPT, "acc"),
        ],
    ),
    (S.CLOSED, 6, [(A.FIX, "ent"), (A.CONFIRM, "acc")]),
    (S.VOIDED, 4, [(A.VOID, "reg")]),
    (S.REOPENED, 3, [(A.PLAN, "ent"), (A.SUBMIT, "ent"), (A.ACCEPT, "acc"), (A.REOPEN, "reg")]),
]

# What is found at a site, and which clause makes it major, follows the site's kind and sector
# (``demo_findings``): no reactor at a house, no major hazard under another sector's standard.


@dataclass
class Party:
    """Who acts: a real user when the demo has one, else a named stand-in of that role."""

    user: Any
    name: str
    role: str
    organisation: Any

    def fields(self) -> dict[str, Any]:
        return {
            "actor": self.user,
            "actor_name": self.name,
            "actor_role": self.role,
            "organisation": self.organisation,
        }


@dataclass
class Built:
    hazard: Hazard
    # (action, actor, time, reason, data, from status, to status, changes)
    steps: list[tuple[str, Party, datetime, str, dict[str, Any], str, str, dict[str, Any]]] = field(
        default_factory=list
    )
    plans: list[RectificationPlan] = field(default_factory=list)
    extension: ExtensionRequest | None = None
    evidence_events: list[int] = field(default_factory=list)


class _People:
    """The demo's users by organisation, and the regulators covering a region and sector."""

    def __init__(self, rng: Any) -> None:
        self.rng = rng
        self.by_org: dict[int | None, dict[str, User]] = {}
        for user in User.objects.exclude(role="").select_related("organisation"):
            self.by_org.setdefault(user.organisation_id, {}).setdefault(user.role, user)
        departments = Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT)
        self.departments = [
            (org.region_id, {sector.pk for sector in org.sectors.all()}, org)
            for org in departments.prefetch_related("sectors").order_by("-region_id", "pk")
        ]
        self.offices = list(
            Organisation.objects.filter(kind=OrganisationKind.OFFICE).order_by("-region_id", "pk")
        )
        self.townships = list(
            Organisation.objects.filter(kind=OrganisationKind.TOWNSHIP).order_by("pk")
        )
        self.orgs = {o.pk: o for o in Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE)}
        self._names: dict[tuple[int, str], str] = {}

    def _stand_in(self, org: Any, role: str) -> Party:
        key = (getattr(org, "pk", 0) or 0, role)
        if key not in self._names:
            self._names[key] = person_name(self.rng)
        return Party(None, self._names[key], role, org)

    def _user_or_stand_in(self, org: Any, role: str) -> Party:
        user = self.by_org.get(getattr(org, "pk", None), {}).get(role)
        if user is not None:
            return Party(user, user.display_name, role, org)
        return self._stand_in(org, role)

    def responsible(self, site: Site, role: str = Role.ENTERPRISE_OFFICER) -> Party:
        if site.organisation_id:
            return self._user_or_stand_in(self.orgs.get(site.organisation_id), role)
        township = next((t for t in self.townships if is_under(site.region_id, t.region_id)), None)
        return self._user_or_stand_in(township, Role.GRID_WORKER)

    def inspector(self, site: Site) -> Party:
        for region, sectors, org in self.departments:
            if is_under(site.region_id, region) and site.sector_id in sectors:
                return self._user_or_stand_in(org, Role.INSPECTOR)
        return self._stand_in(None, Role.INSPECTOR)

    def regulator(self, site: Site) -> Party:
        for org in self.offices:
            if is_under(site.region_id, org.region_id):
                return self._user_or_stand_in(org, Role.OFFICE)
        return self.inspector(site)


def _demo_files() -> tuple[str, str, str, int]:
    """One demo photo and its thumbnail in storage, shared by every demo evidence row."""
    image = Image.new("RGB", (960, 720), (196, 206, 214))
    draw = ImageDraw.Draw(image)
    draw.rectangle((120, 160, 840, 600), outline=(60, 90, 120), width=12)
    draw.line((120, 600, 840, 160), fill=(200, 40, 40), width=10)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    data = out.getvalue()
    name, thumb = "hazards/evidence/demo/demo-photo.jpg", "hazards/thumbs/demo/demo-photo.jpg"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(data))
    if not default_storage.exists(thumb):
        image.thumbnail((400, 400))
        small = io.BytesIO()
        image.save(small, format="JPEG", quality=70)
        default_storage.save(thumb, ContentFile(small.getvalue()))
    return name, thumb, hashlib.sha256(data).hexdigest(), len(data)


def _plan_for(rng: Any, hazard: Hazard, planned_on: date, party: Party) -> dict[str, Any]:
    return {
        "responsible_unit": "安全环保部" if hazard.organisation_id else "社区网格",
        "responsible_person": party.name,
        "measures": f"针对“{hazard.description}”制定整改措施，落实专人负责并复查",
        "funds": Decimal(rng.choice([800, 2000, 5000, 12000, 30000, 150000])),
        "deadline": planned_on + timedelta(days=rng.randint(7, 60)),
        "contingency_plan": "设置警戒区，配备应急器材，异常时立即撤人",
        "governance_programme": (
            "治理目标与任务、方法与措施、经费与物资、机构与人员、时限与要求、安全措施与应急预案"
            if hazard.is_major
            else ""
        ),
    }


def _with_approval(grade: str, final: str, steps: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``steps`` with the principal's approval after each plan of a major hazard (not the last
    plan of a path that ends with the plan awaiting approval); a general hazard's as they
    are."""
    if grade != HazardGrade.MAJOR:
        return steps
    out: list[tuple[str, str]] = []
    for index, step in enumerate(steps):
        out.append(step)
        last = index == len(steps) - 1
        if step[0] == A.PLAN and not (last and final == S.PLAN_PENDING):
            out.append((A.APPROVE_PLAN, "boss"))
    return out


def demo_populate(ctx: DemoContext) -> None:
    """Hazards at ``HAZARDS_PER_SITE`` of the sites in every state of the workflow, with
    overdue ones, pending extension requests, and open major hazards at enterprise A's
    Guangzhou hazardous-chemicals sites and elsewhere; then a few quick reports.

    Steps: draw each hazard's site, grade and path; bulk-create the hazards; build each one's
    events through ``chain_event`` (times increasing, never in the future; each with the
    fields it changed) with its plans, extension request and evidence; bulk-create those, the
    audit entries and the outbox events (the site risk level follows from them once the
    transaction commits); store the chain anchors.
    """
    rng = ctx.rng
    now = ctx.now
    today = local_today(now)
    people = _People(rng)
    sites = list(Site.objects.order_by("pk"))
    if not sites:
        return
    ent_a = ctx.logins.get("ent-a")
    ent_a_org = getattr(ent_a, "organisation_id", None)
    fixed_major = [
        s
        for s in sites
        if s.organisation_id == ent_a_org
        and s.sector_id == "hazardous_chemicals"
        and is_under(s.region_id, "4401")
    ]
    count = max(len(sites) * 3 // 10, 10)
    weights = [w for _s, w, _p in PATHS]
    # Only a site whose sector has a determination standard gets major hazards.
    findings = {site.pk: findings_for(site) for site in sites}
    with_majors = [site for site in sites if findings[site.pk][1]] or sites[:1]
    plan = []
    # Enterprise A's Guangzhou plants always have open major hazards: one overdue in
    # rectification, one waiting for gz-inspector's acceptance, one whose plan waits for the
    # principal's approval.
    for i, site in enumerate(fixed_major[:3] or with_majors[:1]):
        plan.append((site, HazardGrade.MAJOR, [PATHS[2], PATHS[6], PATHS[1]][i % 3], i == 0))
    # One hazard along every path, so that every state is there however small the province
    # (a plan awaits approval only for a major hazard).
    for path in PATHS:
        if path[0] == S.PLAN_PENDING:
            plan.append((rng.choice(with_majors), HazardGrade.MAJOR, path, False))
        else:
            plan.append((rng.choice(sites), HazardGrade.GENERAL, path, False))
    for _ in range(count - len(plan)):
        site = rng.choice(sites)
        path = rng.choices(PATHS, weights=weights)[0]
        major = rng.random() < MAJOR_SHARE and not any(a in (A.FIX,) for a, _ in path[2])
        major = major and bool(findings[site.pk][1])
        plan.append((site, HazardGrade.MAJOR if major else HazardGrade.GENERAL, path, False))

    photo, thumb, sha, size = _demo_files()
    built: list[Built] = []
    for site, grade, (final, _w, path_steps), force_overdue in plan:
        general, majors = findings[site.pk]
        if not majors:
            grade = HazardGrade.GENERAL
        steps = _with_approval(grade, final, path_steps)
        finding = rng.choice(majors if grade == HazardGrade.MAJOR else general)
        age = rng.randint(70, 200) if force_overdue else rng.randint(2, 200)
        found_at = now - timedelta(days=age, hours=rng.randint(0, 8))
        hazard = Hazard(
            site=site,
            region_id=site.region_id,
            sector_id=site.sector_id,
            organisation_id=site.organisation_id,
            location=finding.location,
            description=finding.description,
            category=finding.category,
            grade=grade,
            grade_basis=finding.basis if grade == HazardGrade.MAJOR else "",
            source=rng.choice(HazardSource.values),
            found_on=local_today(found_at),
            status=HazardStatus.RECORDED,
        )
        # Every hazard has its deadline from the start: the default for its grade.
        hazard.deadline = default_deadline(grade=grade, found_on=hazard.found_on)
        hazard.regulator_found = hazard.source == HazardSource.REGULATORY_INSPECTION
        if hazard.is_major:
            hazard.interim_measures = rng.sample(
                [
                    InterimMeasure.PEOPLE_WITHDRAWN,
                    InterimMeasure.STOPPED_PARTLY,
                    InterimMeasure.WARNINGS_POSTED,
                ],
                2,
            )
            hazard.reported_at = found_at
        finder = people.inspector(site) if hazard.regulator_found else people.responsible(site)
        hazard.found_by_name = finder.name
        hazard.found_by = finder.user
        hazard.recorded_by = finder.user
        item = Built(hazard)
        state = hazard_state(hazard)
        first = {name: [None, value] for name, value in state.items()}
        item.steps.append((A.RECORD, finder, found_at, "", {"grade": grade}, "", S.RECORDED, first))
        span = (now - found_at).total_seconds()
        offsets = sorted(rng.uniform(0.05, 0.95) * span for _ in steps)
        if force_overdue:
            offsets = [span * 0.05 for _ in steps]
        if any(action == A.REQUEST_EXTENSION for action, _side in steps):
            # Planned soon after it was found, so that the request comes before the deadline.
            offsets = [span * 0.02 * (index + 1) for index in range(len(steps))]
        status: str = S.RECORDED
        deadline: date | None = hazard.deadline
        review_due: date | None = None
        completed = accepted_at = None
        accepted_by = ""
        last_submitter: Any = None
        previous_at = found_at
        past_overdue = 0
        for (action, side), offset in zip(steps, offsets, strict=True):
            deadline_before = deadline
            at = max(found_at + timedelta(seconds=offset), previous_at + timedelta(minutes=5))
            if action == A.REQUEST_EXTENSION and deadline is not None:
                # An extension is requested before the deadline.
                at = previous_at + timedelta(hours=1)
            previous_at = at
            if side == "ent":
                party = people.responsible(site)
            elif side == "boss":
                party = people.responsible(site, Role.ENTERPRISE_PRINCIPAL)
            elif side == "acc":
                # "Who inspects, re-checks": a regulator accepts what a regulator found.
                if hazard.is_major or hazard.regulator_found:
                    party = people.inspector(site)
                else:
                    party = people.responsible(
                        site, rng.choice([Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_OFFICER])
                    )
            else:
                party = people.inspector(site) if rng.random() < 0.5 else people.regulator(site)
            data: dict[str, Any] = {}
            reason = ""
            # The hazard's fields the step sets, as the workflow's effects set them.
            updates: dict[str, Any] = {}
            if action == A.PLAN:
                plan_fields = _plan_for(rng, hazard, local_today(at), party)
                if force_overdue:
                    plan_fields["deadline"] = today - timedelta(days=rng.randint(5, 40))
                # The plan may shorten the deadline, never extend it.
                if deadline is not None and plan_fields["deadline"] > deadline:
                    plan_fields["deadline"] = deadline
                plan_fields["responsible_user_id"] = (
                    party.user.pk if party.user is not None and site.organisation_id else None
                )
                deadline = plan_fields["deadline"]
                updates.update(deadline=deadline, assignee=plan_fields["responsible_user_id"])
                data = {"plan": plan_fields}
                item.plans.append(
                    RectificationPlan(
                        region_id=site.region_id,
                        created_by=party.user,
                        created_at=at,
                        **plan_fields,
                    )
                )
            elif action in (A.FIX, A.SUBMIT):
                reason = "已按措施整改完毕，附整改后照片"
                data = {
                    "files": [
                        {"name": "整改后.jpg", "type": "image/jpeg", "size": size, "sha256": sha}
                    ]
                }
                completed = at
                updates["completed_at"] = at
                if action == A.SUBMIT and hazard.is_major:
                    review_due = review_due_date(
                        applied_on=local_today(at), coal_mine=site.kind == "coal_mine"
                    )
                    updates["review_due"] = review_due
                last_submitter = party
                item.evidence_events.append(len(item.steps))
            elif action in (A.ACCEPT, A.CONFIRM):
                reason = "现场复核，整改到位，同意销号"
                accepted_at, accepted_by = at, party.name[:100]
                updates.update(closed_at=at, accepted_by_name=accepted_by, review_due=None)
                review_due = None
                if last_submitter is not None and last_submitter.name == party.name:
                    data = {"self_accepted": True}
            elif action == A.REJECT:
                reason = "整改资料不全，请补充检测报告后重新提交"
                completed = review_due = None
                updates.update(completed_at=None, review_due=None)
                if deadline is not None and deadline < local_today(at):
                    # The deadline has passed: the rejection sets a new one.
                    deadline = local_today(at) + timedelta(days=30)
                    updates["deadline"] = deadline
            elif action == A.REQUEST_EXTENSION:
                assert deadline is not None  # every path files a plan before asking for more time
                reason = "设备采购周期较长，申请延期"
                requested = (deadline or today) + timedelta(days=rng.randint(15, 30))
                data = {"current_deadline": deadline, "requested_deadline": requested}
                item.extension = ExtensionRequest(
                    region_id=site.region_id,
                    current_deadline=deadline,
                    requested_deadline=requested,
                    reason=reason,
                    requested_by=party.user,
                    requested_by_name=party.name,
                    requested_by_role=party.role,
                    requested_at=at,
                )
            elif action == A.VOID:
                reason = "重复录入" if rng.random() < 0.5 else "经核实不构成隐患，属录入错误"
                data = {"void_reason": "error"}
            elif action == A.REOPEN:
                reason = "复查发现问题反弹，整改不到位"
                completed = accepted_at = None
                accepted_by = ""
                # The regulator enters the new deadline.
                deadline = local_today(at) + timedelta(days=30)
                updates.update(
                    closed_at=None, accepted_by_name="", completed_at=None, deadline=deadline
                )
            # The state machine's own table: a path it does not allow fails here.
            new_status = TRANSITIONS[(status, action)].target_for(grade)
            updates["status"] = new_status
            # As the workflow does: the days overdue under a deadline that moves, or until the
            # party hands the rectification over, are kept (a late closure is not on time).
            late = days_overdue(status=status, deadline=deadline_before, today=local_today(at))
            if late and (deadline != deadline_before or new_status not in PARTY_MOVE_STATUSES):
                past_overdue += late
                updates["past_overdue_days"] = past_overdue
            after = {**state, **{name: json_value(value) for name, value in updates.items()}}
            changes = state_changes(state, after)
            state = after
            item.steps.append((action, party, at, reason, data, status, new_status, changes))
            if action in (A.ACCEPT, A.CONFIRM):
                for p in item.plans:
                    p.closed_at = p.closed_at or at
            open_plan = item.plans[-1] if item.plans else None
            if open_plan is not None and open_plan.closed_at is None and deadline is not None:
                # The open plan's deadline is the hazard's.
                open_plan.deadline = deadline
            status = new_status
        hazard.status = status
        hazard.deadline = deadline
        hazard.review_due = review_due
        hazard.assignee_id = state.get("assignee")
        hazard.completed_at = completed
        hazard.accepted_by_name = accepted_by if status == S.CLOSED else ""
        hazard.closed_at = accepted_at if status == S.CLOSED else None
        hazard.past_overdue_days = past_overdue
        hazard.version = len(item.steps)
        built.append(item)

    Hazard.objects.bulk_create([b.hazard for b in built], batch_size=BATCH)
    events: list[HazardEvent] = []
    plans: list[RectificationPlan] = []
    extensions: list[ExtensionRequest] = []
    audits: list[AuditEvent] = []
    outbox: list[OutboxEvent] = []
    for item in built:
        hazard = item.hazard
        for action, party, at, reason, data, source, to, changes in item.steps:
            event = chain_event(
                hazard=hazard,
                action=action,
                from_status=source,
                to_status=to,
                actor=party.user,
                at=at,
                reason=reason,
                data=data,
                changes=changes,
                actor_name=party.name,
                actor_role=party.role,
                organisation=party.organisation,
            )
            events.append(event)
            outbox.append(
                hazard_outbox_event(
                    hazard=hazard, event=event, actor=party.user, from_status=source, to_status=to
                )
            )
            audits.append(
                AuditEvent(
                    created_at=at,
                    action=f"hazards.hazard.{action}",
                    actor=party.user,
                    actor_name=party.name,
                    actor_role=party.role,
                    organisation=party.organisation,
                    organisation_name=str(party.organisation or ""),
                    object_type="hazards.hazard",
                    object_id=str(hazard.pk),
                    object_repr=str(hazard)[:200],
                    before={"status": source} if source else None,
                    after={"status": to},
                    data=jsonable({"event": event.seq, "hash": event.hash, "reason": reason}),
                )
            )
        for p in item.plans:
            p.hazard = hazard
            plans.append(p)
        if item.extension is not None and hazard.status == S.RECTIFYING:
            item.extension.hazard = hazard
            item.extension.status = ExtensionStatus.PENDING
            extensions.append(item.extension)
        # The open plan of a hazard that is no longer in rectification was closed with it.
        if hazard.status in (S.CLOSED, S.REOPENED, S.VOIDED):
            for p in item.plans:
                p.closed_at = p.closed_at or item.steps[-1][2]

    HazardEvent.objects.bulk_create(events, batch_size=BATCH)
    Hazard.objects.bulk_update(
        [b.hazard for b in built], ["history_seq", "history_head"], batch_size=BATCH
    )
    RectificationPlan.objects.bulk_create(plans, batch_size=BATCH)
    ExtensionRequest.objects.bulk_create(extensions, batch_size=BATCH)
    AuditEvent.objects.bulk_create(audits, batch_size=BATCH)
    event_ids = {
        (e.hazard_id, e.seq): e.pk
        for e in HazardEvent.objects.filter(hazard_id__in=[b.hazard.pk for b in built]).only(
            "pk", "hazard_id", "seq"
        )
    }
    evidence = [
        Evidence(
            hazard=item.hazard,
            event_id=event_ids[(item.hazard.pk, index + 1)],
            region_id=item.hazard.region_id,
            stage=EvidenceStage.FIX,
            kind=EvidenceKind.PHOTO,
            file=photo,
            thumbnail=thumb,
            original_name="整改后.jpg",
            content_type="image/jpeg",
            size=size,
            sha256=sha,
            uploaded_by=item.steps[index][1].user,
            uploaded_at=item.steps[index][2],
        )
        for item in built
        for index in item.evidence_events
    ]
    Evidence.objects.bulk_create(evidence, batch_size=BATCH)
    # Handlers (the site risk level) see the demo's hazards as they see the workflow's.
    outbox_write_many(outbox, batch_size=BATCH)
    reports = _quick_reports(ctx, people, photo, thumb, sha, size, fixed_major or sites[:1])
    by_status: dict[str, int] = {}
    for item in built:
        by_status[item.hazard.status] = by_status.get(item.hazard.status, 0) + 1
    overdue = sum(
        is_overdue(status=b.hazard.status, deadline=b.hazard.deadline, today=today) for b in built
    )
    ctx.say(
        f"{len(built)} hazards ({', '.join(f'{k} {v}' for k, v in sorted(by_status.items()))}), "
        f"{overdue} overdue, {len(events)} history events, {reports} quick reports"
    )


def _quick_reports(
    ctx: DemoContext,
    people: _People,
    photo: str,
    thumb: str,
    sha: str,
    size: int,
    sites: list[Site],
) -> int:
    """Two quick reports by enterprise A's worker waiting for triage, one rejected."""
    reporter = ctx.logins.get("ent-a-worker") or ctx.logins.get("ent-a")
    officer = ctx.logins.get("ent-a")
    if reporter is None:
        return 0
    site = sites[0]
    rows = [
        ("3号泵机封处滴漏", "泵房", QuickReportStatus.NEW, ""),
        ("消防栓箱被货物遮挡", "成品仓库", QuickReportStatus.NEW, ""),
        ("地面有少量积水", "装卸区", QuickReportStatus.REJECTED, "已当班清理，不构成隐患"),
    ]
    created = 0
    for offset, (text, where, status, reason) in enumerate(rows):
        at = ctx.now - timedelta(hours=3 + offset * 5)
        report = QuickReport(
            site=site,
            region_id=site.region_id,
            sector_id=site.sector_id,
            organisation_id=site.organisation_id,
            location=where,
            description=text,
            reporter=reporter,
            reporter_name=reporter.display_name,
            status=status,
            rejection_reason=reason,
            triaged_by_name=officer.display_name if reason and officer else "",
            triaged_at=at + timedelta(hours=1) if reason else None,
        )
        report.save()
        QuickReport.objects.filter(pk=report.pk).update(created_at=at)
        Evidence.objects.create(
            quick_report=report,
            region_id=site.region_id,
            stage=EvidenceStage.REPORT,
            kind=EvidenceKind.PHOTO,
            file=photo,
            thumbnail=thumb,
            original_name="现场照片.jpg",
            content_type="image/jpeg",
            size=size,
            sha256=sha,
            uploaded_by=reporter,
            uploaded_at=at,
        )
        created += 1
    return created


def demo_clear() -> None:
    """Remove every hazard-ledger row (for tests that rebuild the demo in one database).

    The history is append-only: on PostgreSQL its rows can only go by ``TRUNCATE`` (which the
    row trigger does not see and which needs the table owner), never by ``DELETE``.
    """
    from django.db import connection

    Evidence.objects.all().delete()
    QuickReport.objects.all().delete()
    ExtensionRequest.objects.all().delete()
    RectificationPlan.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Deferred foreign-key checks of this transaction must run before a TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE hazards_hazardevent, hazards_evidence")
    else:
        HazardEvent.objects.all().delete()
    Hazard.objects.all().delete()
    AuditEvent.objects.filter(object_type__startswith="hazards.").delete()
