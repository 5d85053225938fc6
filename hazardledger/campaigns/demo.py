"""The demo's campaigns, made through the same services an office uses: the province's mines
campaign after the Xinjing open-pit collapse (domain.md section 7), handed down to the mining
cities and taken up by two of them, with an urging letter to a lagging one; and Guangzhou's
pre-flood "three preventions" check from its seasonal template. Their tasks are made and their
progress counted from what the earlier steps recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.accounts.models import User
from hazardledger.hazards.deadlines import local_today

from .choices import CircularKind, PhaseKind, TemplateKind
from .progress import progress_rebuild
from .seasonal import TEMPLATES, template_plan
from .services import (
    CampaignInput,
    campaign_issue,
    campaign_take_up,
    campaign_tasks_build,
    circular_send,
    take_up_defaults,
)

MINING_CITIES = ("4402", "4409", "4412", "4414", "4418")
TAKING_UP = ("4402", "4418")


# Share of a campaign's issued tasks inspected so far in the demo.
INSPECTED = {"mines": 0.45, "pre_flood": 0.35}


def _png() -> str:
    import base64
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (60, 24), "black").save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _inspect_some(ctx: Any, root: Any, share: float) -> int:
    """Inspect a share of the campaign's issued tasks from their tasks, by someone of the
    responsible body, through the inspections app's services."""
    import uuid

    from hazardledger.inspections.selectors import checklist_items_for_site
    from hazardledger.inspections.sync import inspection_sync

    from .models import Task
    from .services import task_inspect

    signature = _png()
    tasks = list(
        Task.objects.filter(root=root, issued=True, responsible__isnull=False)
        .select_related("site", "root", "responsible")
        .order_by("pk")
    )
    people: dict[int, User | None] = {}
    done = 0
    for task in tasks:
        if ctx.rng.random() > share:
            continue
        assert task.responsible_id is not None
        if task.responsible_id not in people:
            people[task.responsible_id] = (
                User.objects.filter(
                    organisation_id=task.responsible_id,
                    role__in=[Role.INSPECTOR, Role.GRID_WORKER],
                    is_active=True,
                )
                .order_by("pk")
                .first()
            )
        actor = people[task.responsible_id]
        if actor is None:
            continue
        inspection = task_inspect(actor=actor, task=task)
        assert inspection.checklist is not None
        # Every item passes: the hazards found during the campaign come from the hazards step
        # (each a finding that fits its site), linked by the progress rebuild below.
        results = [
            {
                "uuid": str(uuid.UUID(int=ctx.rng.getrandbits(128), version=4)),
                "item": item.pk,
                "outcome": "pass",
                "note": "",
                "photos": [],
            }
            for item in checklist_items_for_site(checklist=inspection.checklist, site=task.site)
        ]
        inspection_sync(
            actor=actor,
            inspection=inspection,
            document={
                "inspection": str(inspection.uuid),
                "submission": str(uuid.UUID(int=ctx.rng.getrandbits(128), version=4)),
                "finished_at": ctx.now.isoformat(),
                "note": "",
                "signatures": {
                    "inspector": signature,
                    "site": signature,
                    "site_representative": "现场负责人",
                },
                "results": results,
            },
        )
        done += 1
    return done


def _office(region: str) -> User | None:
    return (
        User.objects.filter(
            organisation__kind=OrganisationKind.OFFICE,
            organisation__region_id=region,
            role=Role.OFFICE,
            is_active=True,
        )
        .order_by("pk")
        .first()
    )


def demo_step(ctx: Any) -> None:
    """Issue the two campaigns, take the mines campaign up in two cities, make every level's
    tasks, count their progress and send one urging letter."""
    gd, gz = ctx.logins.get("gd-office"), ctx.logins.get("gz-office")
    if gd is None or gz is None:
        return
    today = local_today(ctx.now)
    start = today - timedelta(days=40)
    mines = campaign_issue(
        actor=gd,
        data=CampaignInput(
            title=f"{start.year}年全省矿山重大事故隐患专项排查整治",
            document_number=f"粤安委办〔{start.year}〕18号",
            directive_text=(
                "深刻吸取内蒙古阿拉善“2·22”露天煤矿坍塌事故教训，对照煤矿、金属非金属矿山重大事故"
                "隐患判定标准，全面排查露天矿山边坡、超层越界开采、边建设边生产和违法分包转包等"
                "重大事故隐患。企业主要负责人组织全面自查自改，部门开展精准执法，对重大事故隐患"
                "一律挂牌督办，做到整改责任、资金、措施、时限和预案“五落实”。"
            ),
            starts_on=start,
            ends_on=start + timedelta(days=119),
            regions=list(MINING_CITIES),
            sectors=["mines"],
            site_kinds=["coal_mine", "metal_mine"],
            checklist_codes=["coal_mine", "metal_mine"],
            delegated=list(MINING_CITIES),
            phases=[
                (PhaseKind.MOBILISATION, start, start + timedelta(days=9)),
                (PhaseKind.SELF_INSPECTION, start + timedelta(days=10), start + timedelta(days=49)),
                (PhaseKind.ENFORCEMENT, start + timedelta(days=50), start + timedelta(days=104)),
                (PhaseKind.SUMMING_UP, start + timedelta(days=105), start + timedelta(days=119)),
            ],
            coverage_target=100,
            closure_target=95,
            major_closed_by=start + timedelta(days=110),
            custom_targets=["露天矿山边坡在线监测覆盖率100%", "重大事故隐患一律挂牌督办"],
            leads="李振华，省应急管理厅副厅长\n陈国平，省安委办专职副主任",
        ),
    )
    campaign_tasks_build(campaign_id=mines.pk)
    for city in TAKING_UP:
        office = _office(city)
        if office is None:
            continue
        assert office.organisation is not None  # an office user acts for its office
        defaults = take_up_defaults(parent=mines, region=city)
        taken = campaign_take_up(
            actor=office,
            parent=mines,
            data=CampaignInput(
                title=f"{office.organisation.name.removesuffix('安全生产委员会办公室')}"
                "矿山重大事故隐患专项排查整治实施方案",
                starts_on=defaults["starts_on"],
                ends_on=defaults["ends_on"],
                regions=defaults["regions"],
                sectors=defaults["sectors"],
                site_kinds=defaults["site_kinds"],
                phases=defaults["phases"],
                leads="王建国，市应急管理局局长",
            ),
        )
        campaign_tasks_build(campaign_id=taken.pk)
    template = TEMPLATES[TemplateKind.PRE_FLOOD]
    flood_start = today - timedelta(days=12)
    flood = campaign_issue(
        actor=gz,
        data=CampaignInput(
            regions=["4401"],
            document_number=f"穗安委办〔{flood_start.year}〕7号",
            **template_plan(template=template, starts_on=flood_start, area="广州市"),
        ),
    )
    campaign_tasks_build(campaign_id=flood.pk)
    inspected = _inspect_some(ctx, mines, INSPECTED["mines"])
    inspected += _inspect_some(ctx, flood, INSPECTED["pre_flood"])
    progress_rebuild(root=mines)
    progress_rebuild(root=flood)
    late = next((c for c in MINING_CITIES if c not in TAKING_UP), None)
    if late is not None:
        circular_send(
            actor=gd,
            campaign=mines,
            kind=CircularKind.URGING,
            region=late,
            document_number=f"粤安委办督〔{today.year}〕3号",
            text=(
                "你市尚未部署矿山重大事故隐患专项排查整治工作，检查覆盖率明显落后于全省进度。"
                "请于5个工作日内召开专题会议部署，并将实施方案报省安委办。"
            ),
        )
    ctx.say(
        f"2 campaigns (mines: 2 cities took it up; pre-flood for Guangzhou), "
        f"{inspected} campaign inspections"
    )


def demo_clear() -> None:
    """Remove every campaign and what belongs to it (tests that rebuild the demo)."""
    from .models import Campaign

    for campaign in Campaign.objects.order_by("-pk"):
        campaign.delete()
