"""Demo province, risk grading: risk points with assessments and controls at a share of the
enterprise sites, the sites' risk levels, and when regulators last inspected them.

Deterministic for a seed (draws only from ``ctx.rng``), bulk inserts in chunks of sites, so it
scales with the number of sites.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from hazardledger.accounts.demo import person_name, phone_number
from hazardledger.core.demo import DemoContext
from hazardledger.regions.selectors import is_under
from hazardledger.registry.choices import SiteKind, SiteStatus
from hazardledger.registry.models import Site

from .choices import ControlKind, ControlLevel, RiskPointKind
from .constants import LEC_SCALE_SETS, inspection_interval_months
from .grading import Result, lec_assess, matrix_assess
from .models import ControlMeasure, RiskAssessment, RiskPoint, SiteInspectionSchedule
from .services import assessment_from_result, site_risk_levels_refresh

# Share of the other enterprise sites that have a risk register in the demo.
REGISTER_SHARE = 0.6
CHUNK = 2000

E, M, T, P, X = (
    ControlKind.ENGINEERING,
    ControlKind.MANAGEMENT,
    ControlKind.TRAINING,
    ControlKind.PERSONAL_PROTECTION,
    ControlKind.EMERGENCY,
)
CO, WS, TM, PO = ControlLevel.COMPANY, ControlLevel.WORKSHOP, ControlLevel.TEAM, ControlLevel.POST
PLACE, ACTIVITY = RiskPointKind.PLACE, RiskPointKind.ACTIVITY


@dataclass(frozen=True)
class Template:
    """A plausible risk point: what it is, what can happen, typical LEC factors, controls."""

    name: str
    kind: str
    location: str
    hazards: tuple[str, ...]
    consequences: str
    lec: tuple[str, str, str]
    controls: tuple[tuple[str, str, str], ...]


def _t(
    name: str,
    kind: str,
    location: str,
    hazards: str,
    consequences: str,
    lec: tuple[str, str, str],
    *controls: tuple[str, str, str],
) -> Template:
    return Template(name, kind, location, tuple(hazards.split()), consequences, lec, controls)


POWER_ROOM = _t(
    "配电房", PLACE, "变配电室", "electric_shock fire", "电气设备漏电致人触电，短路引发电气火灾",
    ("1", "6", "15"),
    (E, WS, "配电柜加装漏电保护器，门口设挡鼠板，配备绝缘垫"),
    (M, TM, "执行工作票、操作票制度，非电工不得进入"),
    (P, PO, "倒闸操作穿戴绝缘手套、绝缘靴"),
    (X, WS, "发生触电立即切断电源后施救，拨打120"),
)  # fmt: skip
CONFINED_SPACE = _t(
    "有限空间作业", ACTIVITY, "污水池、地下管井", "poisoning other",
    "有毒有害气体或缺氧导致中毒窒息，盲目施救扩大伤亡", ("3", "2", "40"),
    (M, CO, "有限空间作业实行审批，先通风、再检测、后作业"),
    (E, WS, "配备强制通风机和四合一气体检测报警仪"),
    (P, PO, "作业人员佩戴正压式空气呼吸器和安全绳"),
    (X, CO, "设专人监护，严禁盲目施救，立即报告并拨打119"),
)  # fmt: skip
HOT_WORK = _t(
    "动火作业", ACTIVITY, "生产装置区", "fire other_explosion",
    "动火点周边可燃物或可燃气体引发火灾爆炸",
    ("3", "3", "15"),
    (M, CO, "执行动火作业许可，动火前可燃气体分析合格"),
    (E, WS, "清除动火点周边可燃物，配备灭火器和接火盆"),
    (T, TM, "动火人员持特种作业操作证上岗"),
    (X, WS, "起火时立即停止作业，使用灭火器初起扑救"),
)  # fmt: skip
FORKLIFT = _t(
    "叉车作业", ACTIVITY, "仓库及厂内道路", "vehicle struck_by_object",
    "叉车碰撞、倾翻、货物坠落伤人",
    ("3", "6", "3"),
    (M, TM, "厂内限速5公里/小时，人车分流"),
    (T, PO, "叉车司机持证上岗，班前检查车辆"),
    (P, PO, "作业人员穿反光背心、戴安全帽"),
)  # fmt: skip

CHEMICAL = (
    _t(
        "储罐区", PLACE, "罐区", "fire other_explosion poisoning",
        "易燃液体泄漏遇点火源引发火灾、爆炸，有毒物料泄漏致人中毒", ("3", "6", "40"),
        (E, CO, "储罐设高低液位报警和紧急切断阀，联锁投用"),
        (M, WS, "执行罐区巡检制度，每班巡检两次并记录"),
        (P, PO, "进入罐区穿防静电工作服，严禁携带火种"),
        (X, CO, "泄漏时关闭切断阀，启动围堰收集和喷淋，疏散下风向人员"),
    ),
    _t(
        "装卸作业", ACTIVITY, "汽车装卸站台", "fire other_explosion vehicle",
        "装卸过程静电、溢流引发火灾爆炸，车辆溜车伤人", ("3", "6", "15"),
        (E, WS, "装卸鹤管设静电接地报警器和防溢流装置"),
        (M, TM, "装卸时司机离车、车辆熄火并拔下钥匙，专人监护"),
        (T, PO, "装卸人员岗前培训考核合格后上岗"),
        (X, WS, "发生泄漏立即停止装卸，使用吸附棉围堵"),
    ),
    _t(
        "反应釜", PLACE, "生产车间反应区", "vessel_explosion poisoning fire",
        "反应失控超温超压导致容器爆炸、有毒物料泄漏", ("3", "6", "15"),
        (E, CO, "反应釜设温度压力联锁和紧急泄放装置"),
        (M, WS, "严格执行操作规程和工艺指标"),
        (T, TM, "操作人员熟练掌握紧急停车程序"),
        (X, CO, "超温超压时启动紧急冷却并停止进料"),
    ),
    _t(
        "甲类仓库", PLACE, "危险化学品仓库", "fire other_explosion",
        "易燃易爆物品混存、通风不良引发火灾爆炸", ("3", "6", "15"),
        (E, WS, "仓库设可燃气体报警、防爆电气和机械通风"),
        (M, TM, "化学品分区分类存放，严格出入库登记"),
        (X, WS, "发生火灾立即报警，使用干粉灭火器扑救，疏散人员"),
    ),
    POWER_ROOM,
    CONFINED_SPACE,
    HOT_WORK,
    FORKLIFT,
)  # fmt: skip
FUEL = (
    _t(
        "卸油作业", ACTIVITY, "卸油口", "fire other_explosion",
        "卸油时静电或油气积聚遇明火引发火灾爆炸", ("3", "2", "40"),
        (E, WS, "卸油口设静电接地和油气回收装置"),
        (M, TM, "卸油时专人监护，油罐车静置15分钟后方可卸油"),
        (X, WS, "发生溢油立即停止卸油，用沙土覆盖"),
    ),
    _t(
        "加油区", PLACE, "加油岛", "fire vehicle",
        "加油过程中吸烟、使用手机引发火灾，车辆碰撞加油机", ("1", "10", "15"),
        (E, WS, "加油机设紧急切断按钮，加油岛设防撞柱"),
        (M, TM, "严禁在站内吸烟、接打手机"),
        (X, WS, "起火时按下紧急停机按钮，使用推车式灭火器扑救"),
    ),
    _t(
        "埋地油罐区", PLACE, "站区地下罐区", "fire other_explosion",
        "油罐渗漏污染、油气积聚引发爆炸", ("1", "6", "40"),
        (E, CO, "双层油罐设渗漏监测，人孔井设防爆"),
        (M, WS, "每日量油核对，发现异常立即报告"),
    ),
    POWER_ROOM,
)  # fmt: skip
FACTORY = (
    _t(
        "冲压作业", ACTIVITY, "冲压车间", "mechanical",
        "冲床无防护或光电保护失效导致手指压伤、截肢", ("6", "6", "3"),
        (E, WS, "冲床安装光电保护装置和双手操作按钮"),
        (T, TM, "冲压工岗前安全培训，严禁手入模区"),
        (P, PO, "佩戴防护手套、护目镜"),
    ),
    _t(
        "喷涂作业", ACTIVITY, "喷涂车间", "fire other_explosion poisoning",
        "漆雾和溶剂蒸气遇火源引发火灾爆炸，长期吸入致职业中毒", ("3", "6", "15"),
        (E, WS, "喷漆房设机械排风和防爆电气，连锁控制"),
        (M, TM, "油漆稀料按班定量领用，车间内严禁烟火"),
        (P, PO, "佩戴防毒面具和防护服"),
        (X, WS, "起火时立即切断电源，使用干粉灭火器"),
    ),
    _t(
        "粉尘除尘系统", PLACE, "打磨抛光车间", "other_explosion fire",
        "可燃性粉尘积聚遇点火源引发粉尘爆炸", ("3", "6", "40"),
        (E, CO, "除尘器设泄爆、隔爆和火花探测装置"),
        (M, WS, "每班清理作业区域积尘并记录"),
        (T, TM, "开展粉尘防爆专项培训"),
        (X, CO, "发生火情立即停机，疏散人员，拨打119"),
    ),
    _t(
        "行车吊装作业", ACTIVITY, "装配车间", "lifting struck_by_object",
        "吊物坠落、吊具断裂致人伤亡", ("3", "6", "7"),
        (E, WS, "行车设起重量限制器和上升限位"),
        (M, TM, "吊装作业设警戒区，严禁吊物下站人"),
        (T, PO, "司索工和指挥人员持证上岗"),
    ),
    POWER_ROOM,
    CONFINED_SPACE,
    FORKLIFT,
)  # fmt: skip
MINE = (
    _t(
        "采掘工作面", PLACE, "井下采掘工作面", "roof_fall collapse",
        "顶板冒落、片帮致人伤亡", ("3", "10", "40"),
        (E, CO, "严格按作业规程支护，超前支护到位"),
        (M, WS, "执行敲帮问顶制度，班组长现场确认"),
        (X, CO, "发现顶板来压征兆立即撤人"),
    ),
    _t(
        "爆破作业", ACTIVITY, "井下或采场爆破点", "blasting explosives",
        "爆破警戒不到位、盲炮处理不当致人伤亡", ("1", "6", "40"),
        (M, CO, "爆破作业严格执行“一炮三检”和警戒制度"),
        (T, PO, "爆破员持证上岗"),
        (X, WS, "发生盲炮由爆破员按规程处理，严禁掏挖"),
    ),
    _t(
        "主排水系统", PLACE, "井下中央水泵房", "water_inrush drowning",
        "排水能力不足或突水导致淹井", ("1", "6", "100"),
        (E, CO, "水泵工作、备用、检修三台齐全，双回路供电"),
        (M, WS, "雨季前开展排水系统联合试运转"),
        (X, CO, "发现突水征兆立即撤出井下人员"),
    ),
    _t(
        "露天采场边坡", PLACE, "露天采场", "collapse vehicle",
        "边坡失稳滑坡坍塌掩埋人员设备", ("3", "6", "40"),
        (E, CO, "边坡设在线监测系统，按设计留足安全平台"),
        (M, WS, "每班巡查边坡裂缝，雨后专项检查"),
        (X, CO, "监测预警时立即停止作业并撤人"),
    ),
    _t(
        "提升运输系统", PLACE, "主井提升机房", "vehicle struck_by_object",
        "提升机过卷、断绳、跑车伤人", ("1", "10", "15"),
        (E, CO, "提升机设过卷、超速保护和防坠器"),
        (M, WS, "每日检查钢丝绳并记录"),
    ),
    POWER_ROOM,
)  # fmt: skip
COAL_EXTRA = (
    _t(
        "瓦斯抽采", ACTIVITY, "回采工作面", "gas_explosion poisoning",
        "瓦斯超限遇火源引发瓦斯爆炸", ("3", "10", "40"),
        (E, CO, "安装瓦斯监控系统，超限自动断电"),
        (M, CO, "执行瓦斯检查制度，瓦斯检查员随身携带便携仪"),
        (X, CO, "瓦斯超限立即停止作业、撤出人员"),
    ),
)  # fmt: skip
CONSTRUCTION = (
    _t(
        "深基坑开挖", ACTIVITY, "基坑", "collapse fall_from_height",
        "基坑支护失效坍塌掩埋作业人员", ("1", "6", "40"),
        (E, CO, "按专项方案施工支护，设基坑监测点"),
        (M, WS, "每日观测基坑变形，超预警值停工"),
        (X, CO, "出现险情立即撤离坑内人员"),
    ),
    _t(
        "高大模板支撑", ACTIVITY, "主体结构施工区", "collapse",
        "模板支撑体系失稳坍塌", ("1", "6", "100"),
        (M, CO, "专项方案经专家论证后实施，搭设后验收"),
        (E, WS, "浇筑时设专人监测支架变形"),
    ),
    _t(
        "脚手架作业", ACTIVITY, "外墙脚手架", "fall_from_height struck_by_object",
        "高处坠落、物体打击", ("3", "6", "15"),
        (E, WS, "脚手架满挂密目安全网，设防护栏杆"),
        (P, PO, "高处作业系挂安全带"),
        (T, TM, "架子工持证上岗"),
    ),
    _t(
        "塔吊吊装", ACTIVITY, "塔吊作业区", "lifting struck_by_object",
        "塔吊倾覆、吊物坠落伤人", ("1", "6", "40"),
        (E, CO, "塔吊安装安全监控系统"),
        (M, WS, "大风天气停止吊装，吊装设警戒区"),
        (T, PO, "司机、信号工持证上岗"),
    ),
    _t(
        "临时用电", PLACE, "施工现场", "electric_shock fire",
        "线路破损漏电致人触电", ("3", "6", "7"),
        (E, WS, "三级配电两级保护，一机一闸一漏一箱"),
        (M, TM, "电工每日巡查线路"),
    ),
)  # fmt: skip
GAS = (
    _t(
        "储配站储罐区", PLACE, "LNG/LPG储罐区", "fire other_explosion",
        "燃气泄漏遇点火源引发火灾爆炸", ("3", "6", "40"),
        (E, CO, "储罐设紧急切断和可燃气体报警联锁"),
        (M, WS, "每两小时巡检一次并记录"),
        (X, CO, "泄漏时启动应急预案，设警戒区并疏散周边人员"),
    ),
    _t(
        "气瓶充装", ACTIVITY, "充装间", "vessel_explosion fire",
        "超装、错装导致气瓶爆炸", ("3", "6", "15"),
        (E, WS, "充装秤设超装自动切断"),
        (M, TM, "充装前逐瓶检查，建立充装记录"),
        (T, PO, "充装工持证上岗"),
    ),
    _t(
        "调压站", PLACE, "区域调压站", "fire other_explosion",
        "调压器失灵超压导致泄漏", ("1", "6", "40"),
        (E, WS, "设超压切断和放散装置"),
        (M, TM, "每周巡检调压站"),
    ),
    POWER_ROOM,
)  # fmt: skip
PUBLIC = (
    _t(
        "人员密集区域", PLACE, "营业大厅", "other fire",
        "人员拥挤踩踏，火灾时疏散不畅致群死群伤", ("1", "6", "40"),
        (M, CO, "控制最大承载人数，节假日增派引导人员"),
        (E, WS, "疏散通道、安全出口保持畅通，应急照明完好"),
        (X, CO, "发生险情时广播引导分区疏散"),
    ),
    _t(
        "厨房燃气使用", PLACE, "后厨", "fire other_explosion scald",
        "燃气泄漏爆炸、油锅起火", ("3", "6", "15"),
        (E, WS, "安装燃气泄漏报警和自动切断装置"),
        (M, TM, "每日下班前关闭燃气总阀"),
        (X, TM, "油锅起火用锅盖或灭火毯覆盖"),
    ),
    _t(
        "消防控制室", PLACE, "消防控制室", "fire",
        "值班人员脱岗、消防设施故障导致火灾扩大", ("1", "10", "15"),
        (M, CO, "24小时双人值班，持证上岗"),
        (E, WS, "定期维保消防设施"),
    ),
    POWER_ROOM,
)  # fmt: skip
TOURIST = (
    _t(
        "大型游乐设施", PLACE, "游乐区", "mechanical fall_from_height",
        "设备故障或安全压杠失效致游客坠落", ("1", "6", "40"),
        (E, CO, "每日运营前试运行，安全压杠双重保险"),
        (M, WS, "操作员持证上岗，严格执行身高限制"),
        (X, CO, "设备故障时启动应急救援，疏导游客"),
    ),
    *PUBLIC[:2],
)  # fmt: skip
EQUIPMENT = (
    _t(
        "锅炉房", PLACE, "锅炉房", "boiler_explosion scald",
        "缺水、超压导致锅炉爆炸，高温介质烫伤", ("0.5", "10", "40"),
        (E, CO, "设低水位联锁和超压报警，安全阀定期校验"),
        (T, PO, "司炉工持证上岗"),
    ),
    _t(
        "压力容器", PLACE, "空压站", "vessel_explosion",
        "压力容器超压爆炸", ("1", "6", "40"),
        (E, WS, "安全阀、压力表定期检验"),
        (M, TM, "每班巡检记录运行压力"),
    ),
    _t(
        "电梯", PLACE, "客货电梯", "fall_from_height mechanical",
        "电梯困人、剪切、坠落", ("1", "10", "15"),
        (M, CO, "委托有资质单位每15日维保一次"),
        (X, WS, "困人时安抚乘客并通知维保单位救援"),
    ),
    POWER_ROOM,
)  # fmt: skip
TRANSPORT = (
    _t(
        "危险货物运输", ACTIVITY, "运输途中", "vehicle fire poisoning",
        "交通事故引发危险货物泄漏、火灾", ("1", "6", "40"),
        (E, CO, "车辆安装卫星定位和主动安全智能防控系统"),
        (M, CO, "动态监控超速、疲劳驾驶并及时纠正"),
        (T, PO, "驾驶员和押运员持证上岗"),
        (X, CO, "事故时设置警示，报告并拨打122和119"),
    ),
    _t(
        "车辆维修", ACTIVITY, "维修车间", "mechanical fire",
        "举升机故障致人伤害", ("3", "6", "3"),
        (E, WS, "举升机设机械锁止装置"),
        (M, TM, "维修作业前断电挂牌"),
    ),
)  # fmt: skip
VESSEL = (
    _t(
        "甲板作业", ACTIVITY, "甲板", "drowning mechanical",
        "落水、绞缠伤人", ("3", "6", "15"),
        (P, PO, "甲板作业穿救生衣"),
        (M, TM, "恶劣海况停止甲板作业"),
        (X, TM, "人员落水立即抛投救生圈并报告"),
    ),
    _t(
        "机舱", PLACE, "机舱", "fire scald",
        "燃油泄漏引发火灾，高温部件烫伤", ("1", "6", "15"),
        (E, WS, "高温管路包扎隔热，配备固定灭火系统"),
        (M, TM, "每班巡检机舱"),
    ),
)  # fmt: skip

TEMPLATES: dict[str, tuple[Template, ...]] = {
    SiteKind.CHEMICAL_PLANT: CHEMICAL,
    SiteKind.CHEMICAL_STORE: (CHEMICAL[1], CHEMICAL[3], POWER_ROOM, FORKLIFT, HOT_WORK),
    SiteKind.FUEL_STATION: FUEL,
    SiteKind.FACTORY: FACTORY,
    SiteKind.METAL_MINE: MINE,
    SiteKind.COAL_MINE: MINE + COAL_EXTRA,
    SiteKind.CONSTRUCTION_PROJECT: CONSTRUCTION,
    SiteKind.GAS_FACILITY: GAS,
    SiteKind.VENUE: PUBLIC,
    SiteKind.FIRE_KEY_UNIT: PUBLIC,
    SiteKind.TOURIST_FACILITY: TOURIST,
    SiteKind.SPECIAL_EQUIPMENT: EQUIPMENT,
    SiteKind.TRANSPORT_COMPANY: TRANSPORT,
    SiteKind.FISHING_VESSEL: VESSEL,
    SiteKind.PASSENGER_VESSEL: VESSEL,
    SiteKind.OTHER: (POWER_ROOM, CONFINED_SPACE, HOT_WORK),
}
# Matrix factors that give each grade under threshold set A.
MATRIX_BY_GRADE = {
    "major": ((4, 5), (5, 4), (5, 5)),
    "large": ((3, 3), (3, 4), (4, 3), (4, 4), (2, 5)),
    "general": ((2, 2), (2, 3), (2, 4), (3, 2), (4, 2)),
    "low": ((1, 2), (1, 3), (2, 1), (3, 1)),
}


def _grade(rng: Any, template: Template) -> Result:
    """An assessment near the template's typical factors: mostly LEC, a quarter by matrix."""
    l, e, c = template.lec  # noqa: E741
    if rng.random() < 0.4:
        # One factor one step up or down its scale: not every tank farm is the same.
        scales = LEC_SCALE_SETS["classic"]
        which = rng.randrange(3)
        steps = [scales.likelihood, scales.exposure, scales.consequence][which]
        values = [str(step.value) for step in steps]
        current = [l, e, c][which]
        index = values.index(current) if current in values else 0
        index = min(len(values) - 1, max(0, index + rng.choice((-1, 1))))
        factors = [l, e, c]
        factors[which] = values[index]
        l, e, c = factors  # noqa: E741
    lec = lec_assess(l, e, c)
    if rng.random() < 0.25:
        ml, ms = rng.choice(MATRIX_BY_GRADE[lec.grade])
        return matrix_assess(ml, ms, "A")
    return lec


def demo_populate(ctx: DemoContext) -> None:
    """Risk registers for the fixed enterprise A and ``REGISTER_SHARE`` of other enterprise
    sites (1–5 risk points each, assessed, with 2–4 controls), then the sites' levels, then
    inspection dates such that some of gz-inspector's Guangzhou hazardous-chemicals sites are
    overdue.

    Steps per chunk of sites: pick the sites and their templates and grade each point (a tenth
    with an older, superseded assessment too); bulk-create the risk points with their current
    grade, then their assessments and controls. Then
    refresh the levels in bulk and bulk-create the schedule rows.
    """
    rng = ctx.rng
    ent_a = ctx.logins.get("ent-a")
    ent_a_org = ent_a.organisation_id if ent_a is not None else None
    sites = list(
        Site.objects.filter(organisation__isnull=False)
        .exclude(status=SiteStatus.CLOSED)
        .order_by("pk")
        .values_list("pk", "kind", "region_id", "sector_id", "organisation_id", "contact_phone")
    )
    chosen = [row for row in sites if row[4] == ent_a_org or rng.random() < REGISTER_SHARE]
    totals = {"points": 0, "assessments": 0, "controls": 0}
    with transaction.atomic():
        for start in range(0, len(chosen), CHUNK):
            _populate_chunk(ctx, chosen[start : start + CHUNK], totals)
        site_risk_levels_refresh(site_ids=[row[0] for row in chosen])
        overdue = _schedules(ctx, [row[0] for row in chosen], ent_a_org)
    ctx.say(
        f"{totals['points']} risk points at {len(chosen)} sites, {totals['assessments']} "
        f"assessments, {totals['controls']} controls; {overdue} sites overdue for inspection"
    )


def _populate_chunk(ctx: DemoContext, rows: list[tuple[Any, ...]], totals: dict[str, int]) -> None:
    rng = ctx.rng
    points: list[RiskPoint] = []
    plans: list[tuple[Template, list[tuple[Result, Any, bool]], str]] = []
    for site_id, kind, region_id, sector_id, organisation_id, phone in rows:
        templates = TEMPLATES.get(kind) or TEMPLATES[SiteKind.OTHER]
        for template in rng.sample(templates, k=min(len(templates), rng.randint(1, 5))):
            # Grade first, so that the point is inserted with its current grade.
            at = ctx.now - timedelta(days=rng.randint(7, 330), minutes=rng.randint(0, 600))
            history: list[tuple[Result, Any, bool]] = []
            if rng.random() < 0.1:  # re-assessed: the older assessment stays as history
                earlier = at - timedelta(days=rng.randint(180, 400))
                history.append((_grade(rng, template), earlier, False))
            result = _grade(rng, template)
            history.append((result, at, True))
            points.append(
                RiskPoint(
                    site_id=site_id,
                    region_id=region_id,
                    sector_id=sector_id,
                    organisation_id=organisation_id,
                    name=template.name,
                    kind=template.kind,
                    location=template.location,
                    hazard_types=list(template.hazards),
                    consequences=template.consequences,
                    emergency_phone=phone if rng.random() < 0.5 else "",
                    grade=result.grade,
                    risk_value=result.value,
                    method=result.method,
                    assessed_at=at,
                )
            )
            plans.append((template, history, person_name(rng)))
    RiskPoint.objects.bulk_create(points, batch_size=1000)
    assessments: list[RiskAssessment] = []
    controls: list[ControlMeasure] = []
    for point, (template, history, assessor) in zip(points, plans, strict=True):
        for result, at, current in history:
            assessments.append(
                assessment_from_result(
                    point, result, at=at, assessed_by_name=assessor, is_current=current
                )
            )
        people = [person_name(rng) for _ in range(2)]
        for kind, level, text in template.controls[: rng.randint(2, 4)]:
            controls.append(
                ControlMeasure(
                    risk_point=point,
                    region_id=point.region_id,
                    sector_id=point.sector_id,
                    organisation_id=point.organisation_id,
                    kind=kind,
                    description=text,
                    level=level,
                    responsible_person=rng.choice(people),
                    responsible_phone=phone_number(rng) if rng.random() < 0.6 else "",
                )
            )
    RiskAssessment.objects.bulk_create(assessments, batch_size=1000)
    ControlMeasure.objects.bulk_create(controls, batch_size=1000)
    totals["points"] += len(points)
    totals["assessments"] += len(assessments)
    totals["controls"] += len(controls)


def _schedules(ctx: DemoContext, site_ids: list[int], ent_a_org: int | None) -> int:
    """Last regulatory inspection of each graded site: recent for most, overdue for some
    (for almost half of Guangzhou's hazardous-chemicals sites), never for a few. Returns how
    many are overdue or never inspected."""
    rng = ctx.rng
    today = timezone.localtime(ctx.now).date()
    months = inspection_interval_months()
    schedules: list[SiteInspectionSchedule] = []
    overdue = 0
    first_ent_a = True
    rows = (
        Site.objects.filter(pk__in=site_ids)
        .exclude(risk_level="")
        .order_by("pk")
        .values_list("pk", "risk_level", "region_id", "sector_id", "organisation_id")
    )
    for site_id, level, region_id, sector_id, organisation_id in rows.iterator(chunk_size=5000):
        interval = months[level] * 30
        watched = is_under(region_id, "4401") and sector_id == "hazardous_chemicals"
        roll = rng.random()
        if organisation_id == ent_a_org and first_ent_a:
            first_ent_a, roll = False, 0.0  # ent-a's first site is always overdue
        if roll < (0.45 if watched else 0.2):
            last = today - timedelta(days=interval + rng.randint(3, 90))
            overdue += 1
        elif roll < (0.52 if watched else 0.27):
            overdue += 1
            continue  # never inspected: no row
        else:
            last = today - timedelta(days=rng.randint(0, max(1, interval - 20)))
        schedules.append(
            SiteInspectionSchedule(
                site_id=site_id,
                region_id=region_id,
                sector_id=sector_id,
                organisation_id=organisation_id,
                last_inspected_on=last,
            )
        )
    SiteInspectionSchedule.objects.bulk_create(schedules, batch_size=2000)
    return overdue
