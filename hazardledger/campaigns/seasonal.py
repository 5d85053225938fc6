"""Seasonal campaign templates: what an office launches every year, ready in one action.

Each template fixes the sectors (or lets the office pick them: "learn from one case"), the
checklists, the length and phases, the targets and the directive's wording; ``template_plan``
turns it into the values ``services.campaign_issue`` takes, for the office's region (or the
regions it picks under it) and a start date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .choices import PhaseKind, TemplateKind

# The checklist(s) a "learn from one case" campaign checks each sector with.
SECTOR_CHECKLISTS: dict[str, tuple[str, ...]] = {
    "mines": ("coal_mine", "metal_mine"),
    "hazardous_chemicals": ("hazardous_chemicals",),
    "industry_trade": ("industry_trade",),
    "town_gas": ("town_gas",),
    "building_construction": ("building_construction",),
    "crowded_places": ("fire_crowded_places",),
    "fire_protection": ("fire_crowded_places",),
    "tourist_facilities": ("fire_crowded_places",),
    "self_built_houses": ("self_built_houses",),
    "fishing_vessels": ("fishing_vessels",),
    "water_traffic": ("inland_water",),
    "road_traffic": ("road_transport",),
}


@dataclass(frozen=True)
class Template:
    """A seasonal campaign: ``sectors`` empty means the office picks them (then each picked
    sector brings its checklists, ``SECTOR_CHECKLISTS``); ``days`` is its length; ``phases``
    are (kind, first day, last day) counted from the start (day 0)."""

    kind: str
    title_zh: str
    directive_zh: str
    sectors: tuple[str, ...]
    checklists: tuple[str, ...]
    days: int
    phases: tuple[tuple[str, int, int], ...]
    coverage_target: int = 100
    closure_target: int = 90
    major_closed_days: int | None = None
    custom_targets: tuple[str, ...] = ()


_FOUR_PHASES = (
    (PhaseKind.MOBILISATION, 0, 6),
    (PhaseKind.SELF_INSPECTION, 7, 27),
    (PhaseKind.ENFORCEMENT, 28, 51),
    (PhaseKind.SUMMING_UP, 52, 59),
)

TEMPLATES: dict[str, Template] = {
    TemplateKind.PRE_FLOOD: Template(
        kind=TemplateKind.PRE_FLOOD,
        title_zh="{year}年汛前安全生产大检查（防汛、防台风、防旱“三防”）",
        directive_zh=(
            "为做好{year}年“三防”工作，确保汛期安全生产形势稳定，决定在{area}开展汛前安全生产"
            "大检查。重点检查自建房、建筑施工工地、矿山、危险化学品企业、旅游景区和人员密集场所"
            "的防汛防台措施、应急预案和物资、排水设施、危险区域人员转移方案，按《汛前三防检查表》"
            "逐项检查，发现隐患立即整改，不能立即整改的落实“五落实”并挂账督办。"
        ),
        sectors=(
            "self_built_houses",
            "building_construction",
            "mines",
            "hazardous_chemicals",
            "tourist_facilities",
            "crowded_places",
        ),
        checklists=("flood_season",),
        days=45,
        phases=(
            (PhaseKind.MOBILISATION, 0, 4),
            (PhaseKind.SELF_INSPECTION, 5, 19),
            (PhaseKind.ENFORCEMENT, 20, 39),
            (PhaseKind.SUMMING_UP, 40, 44),
        ),
        major_closed_days=40,
        custom_targets=("汛期前完成危险区域人员转移预案演练", "排水、挡水设施全部检查一遍"),
    ),
    TemplateKind.FIRE_PREVENTION: Template(
        kind=TemplateKind.FIRE_PREVENTION,
        title_zh="{year}年冬春火灾防控专项检查",
        directive_zh=(
            "冬春季节风干物燥、用火用电用气增多，火灾风险上升。决定在{area}开展冬春火灾防控专项"
            "检查，重点检查人员密集场所、消防安全重点单位、“九小场所”和旅游设施的疏散通道、"
            "消防设施、电气线路和燃气使用，依法查处消防违法行为。"
        ),
        sectors=("crowded_places", "fire_protection", "tourist_facilities"),
        checklists=("fire_crowded_places",),
        days=90,
        phases=(
            (PhaseKind.MOBILISATION, 0, 6),
            (PhaseKind.SELF_INSPECTION, 7, 36),
            (PhaseKind.ENFORCEMENT, 37, 79),
            (PhaseKind.SUMMING_UP, 80, 89),
        ),
    ),
    TemplateKind.HOLIDAY: Template(
        kind=TemplateKind.HOLIDAY,
        title_zh="{year}年节假日期间安全生产检查",
        directive_zh=(
            "节假日期间人员流动大、企业生产经营活动集中，决定在{area}开展节前安全生产检查，重点检查"
            "人员密集场所、旅游景区、道路和水上交通、城镇燃气和危险化学品企业，严格落实值班值守和"
            "领导带班制度。"
        ),
        sectors=(
            "crowded_places",
            "tourist_facilities",
            "road_traffic",
            "water_traffic",
            "town_gas",
            "hazardous_chemicals",
        ),
        checklists=(
            "fire_crowded_places",
            "road_transport",
            "inland_water",
            "town_gas",
            "hazardous_chemicals",
        ),
        days=21,
        phases=(
            (PhaseKind.MOBILISATION, 0, 2),
            (PhaseKind.SELF_INSPECTION, 3, 9),
            (PhaseKind.ENFORCEMENT, 10, 18),
            (PhaseKind.SUMMING_UP, 19, 20),
        ),
    ),
    TemplateKind.LEARN_FROM_CASE: Template(
        kind=TemplateKind.LEARN_FROM_CASE,
        title_zh="{year}年“举一反三”安全生产专项整治",
        directive_zh=(
            "深刻吸取{accident}教训，举一反三，决定在{area}开展专项整治，对照重大事故隐患判定标准"
            "全面排查同类风险隐患，企业全面自查自改，部门精准执法，对重大事故隐患挂牌督办。"
        ),
        sectors=(),
        checklists=(),
        days=60,
        phases=_FOUR_PHASES,
        major_closed_days=55,
    ),
}


def template_checklists(template: Template, sectors: Sequence[str]) -> list[str]:
    """The checklists a campaign from ``template`` uses for ``sectors``."""
    if template.checklists:
        return list(template.checklists)
    codes: list[str] = []
    for sector in sectors:
        for code in SECTOR_CHECKLISTS.get(sector, ()):
            if code not in codes:
                codes.append(code)
    return codes


def template_plan(
    *,
    template: Template,
    starts_on: date,
    area: str,
    sectors: Sequence[str] | None = None,
    accident: str = "",
) -> dict[str, Any]:
    """The campaign ``template`` makes from ``starts_on`` (title, directive, dates, phases,
    checklists, targets); ``sectors`` for a template that lets the office pick them."""
    chosen = list(template.sectors or sectors or ())
    values = {"year": starts_on.year, "area": area, "accident": accident or "近期事故"}
    return {
        "title": template.title_zh.format(**values),
        "directive_text": template.directive_zh.format(**values),
        "starts_on": starts_on,
        "ends_on": starts_on + timedelta(days=template.days - 1),
        "sectors": chosen,
        "site_kinds": [],
        "checklist_codes": template_checklists(template, chosen),
        "phases": [
            (kind, starts_on + timedelta(days=first), starts_on + timedelta(days=last))
            for kind, first, last in template.phases
        ],
        "coverage_target": template.coverage_target,
        "closure_target": template.closure_target,
        "major_closed_by": starts_on + timedelta(days=template.major_closed_days)
        if template.major_closed_days is not None
        else None,
        "custom_targets": list(template.custom_targets),
        "template": template.kind,
    }
