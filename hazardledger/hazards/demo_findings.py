"""What the demo finds at each kind of site: hazards that fit the place, and for the sectors with
a determination standard the major ones, each citing a clause of its own sector's standard.

A finding is major only through its ``clause`` (an id of ``inspections/checklists/clauses.toml``,
written as the checklists cite it: "<document><item>（<id>）：<finding>"); every other one is
general. Sectors without a confirmed list (houses, venues, fire, tourism, special equipment)
have none. ``inspections/tests/test_demo.py`` checks every demo hazard against its site: the
clause belongs to the site's sector and the finding to the site's kind.
"""

from __future__ import annotations

from dataclasses import dataclass

from hazardledger.registry.choices import MineType, SiteKind

from .choices import HazardCategory

E = HazardCategory.EQUIPMENT
EL = HazardCategory.ELECTRICAL
F = HazardCategory.FIRE
P = HazardCategory.PROCESS
M = HazardCategory.MANAGEMENT
ENV = HazardCategory.ENVIRONMENT

# The sector's standard as its clauses cite it (``clauses.toml``: ``sector``, ``document_zh``).
STANDARDS: dict[str, tuple[str, str]] = {
    "coal2020": ("mines", "《煤矿重大事故隐患判定标准》（应急管理部令第4号）"),
    "coal2024": ("mines", "《煤矿安全生产条例》（2024）"),
    "nonmetal2022": ("mines", "《金属非金属矿山重大事故隐患判定标准》（矿安〔2022〕88号）"),
    "hc2017": (
        "hazardous_chemicals",
        "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》"
        "（安监总管三〔2017〕121号）",
    ),
    "it2023": ("industry_trade", "《工贸企业重大事故隐患判定标准》（应急管理部令第10号）"),
    "gas2023": ("town_gas", "《城镇燃气经营安全重大隐患判定标准》（建城规〔2023〕4号）"),
    "hmc2022": (
        "building_construction",
        "《房屋市政工程生产安全重大事故隐患判定标准（2022版）》（建质规〔2022〕2号）",
    ),
    "road2023": (
        "road_traffic",
        "《道路运输企业和城市客运企业安全生产重大事故隐患判定标准（试行）》",
    ),
    "water2024": (
        "water_traffic",
        "《内河运输船舶重大事故隐患判定标准》（交通运输部办公厅，2024）",
    ),
    "fish2022": (
        "fishing_vessels",
        "《渔业船舶重大事故隐患判定标准（试行）》（农渔发〔2022〕11号）",
    ),
}


@dataclass(frozen=True)
class Finding:
    """A hazard the demo may record at a site: where, what, its category and, for a major one,
    the clause (``standard``, the item's reference, the clause id) that makes it major."""

    location: str
    description: str
    category: str
    standard: str = ""
    ref: str = ""
    clause: str = ""

    @property
    def is_major(self) -> bool:
        return bool(self.clause)

    @property
    def sector(self) -> str:
        return STANDARDS[self.standard][0] if self.standard else ""

    @property
    def basis(self) -> str:
        """The basis written into a major hazard, as a confirmed checklist item writes it."""
        if not self.clause:
            return ""
        return f"{STANDARDS[self.standard][1]}{self.ref}（{self.clause}）：{self.description}"


def _major(
    location: str, text: str, category: str, standard: str, ref: str, clause: str
) -> Finding:
    return Finding(location, text, category, standard, ref, clause)


_HOUSE = (
    Finding("一楼承重墙", "承重墙体出现斜向裂缝，未进行房屋安全鉴定", E),
    Finding("屋顶", "擅自在屋顶加建一层彩钢板房", M),
    Finding("一楼商铺", "一楼经营场所与住宿混用，未设置防火分隔", F),
    Finding("楼梯间", "楼梯间停放电动自行车并充电", F),
    Finding("二楼外窗", "外窗安装固定式防盗网，影响逃生", F),
    Finding("入户配电箱", "电气线路老化，私拉乱接", EL),
)
_FACTORY = (
    Finding("冲压车间", "冲床光电保护装置被拆除", E),
    Finding("成品仓库", "货架立柱变形，未设防撞护栏", E),
    Finding("装配车间", "临时用电私拉乱接，电缆破损", EL),
    Finding("车间安全出口", "安全出口被成品堆放堵塞", F),
    Finding("车间入口", "危险部位未设置安全警示标志", ENV),
    Finding("叉车作业区", "叉车司机未持证驾驶", M),
    _major(
        "抛光车间除尘系统",
        "干式除尘系统未采取泄爆、惰化、抑爆等任一种控爆措施",
        E,
        "it2023",
        "粉尘涉爆专项第（三）项",
        "it-dust-3",
    ),
    _major(
        "除尘器",
        "划分为20区的除尘器区域使用非防爆电气设备",
        EL,
        "it2023",
        "粉尘涉爆专项第（七）项",
        "it-dust-7",
    ),
    _major(
        "污水处理池",
        "污水池有限空间未辨识建档，清淤作业未执行“先通风、再检测、后作业”",
        M,
        "it2023",
        "有限空间作业专项",
        "it-confined",
    ),
    _major(
        "焊接岗位",
        "电焊作业人员未经专门安全作业培训取得特种作业操作证即上岗",
        M,
        "it2023",
        "第三条第（二）项",
        "it-a3-2",
    ),
)
_CHEMICAL_PLANT = (
    Finding("储罐区", "防火堤内有积油，未及时清理", ENV),
    Finding("装卸区", "装卸作业未按规程进行静电接地", P),
    Finding("动火作业点", "动火作业票气体分析栏未填写", M),
    Finding("中控室", "交接班记录不完整", M),
    Finding("厂区道路", "消防车通道停放车辆", F),
    _major("储罐区", "罐区未设置可燃气体检测报警装置", E, "hc2017", "第十二项", "hc-12"),
    _major(
        "反应釜区",
        "重点监管危险化工工艺装置的紧急停车系统未投入使用",
        P,
        "hc2017",
        "第四项",
        "hc-4",
    ),
    _major("反应釜区", "反应釜安全阀被拆除，未正常投用", E, "hc2017", "第十五项", "hc-15"),
    _major("甲类仓库", "禁配物质混放混存，超量储存", ENV, "hc2017", "第二十项", "hc-20"),
)
_CHEMICAL_STORE = (
    Finding("仓库", "货物堆垛距墙不足0.5米", ENV),
    Finding("营业门店", "未张贴危险化学品安全周知卡", M),
    Finding("仓库", "灭火器压力不足，未定期检查", F),
    _major("仓库", "氧化剂与易燃液体混放混存", ENV, "hc2017", "第二十项", "hc-20"),
    _major(
        "安全管理", "主要负责人未经安全生产知识和管理能力考核合格", M, "hc2017", "第一项", "hc-1"
    ),
)
_FUEL_STATION = (
    Finding("加油区", "加油机静电接地线断开", E),
    Finding("卸油口", "卸油作业时未设置警示牌和警戒区", M),
    Finding("站房", "站房内违规使用明火取暖", F),
    _major("油罐区", "油罐区、加油区可燃气体检测报警装置失效", E, "hc2017", "第十二项", "hc-12"),
    _major("卸油区", "未制定动火作业管理制度，现场违规动火", M, "hc2017", "第十八项", "hc-18"),
)
_GAS_FACILITY = (
    Finding("储配站", "管道标志桩、警示牌缺失", ENV),
    Finding("瓶库", "过期气瓶未隔离存放", E),
    Finding("调压箱", "调压箱周边堆放杂物", ENV),
    _major(
        "储罐区", "储罐液位显示及超限报警装置失效", E, "gas2023", "第五条第（一）项", "gas-a5-1"
    ),
    _major(
        "工艺管道",
        "场站设备、管道未设置自动切断和放散装置",
        E,
        "gas2023",
        "第五条第（二）项",
        "gas-a5-2",
    ),
    _major(
        "客户服务部",
        "未建立燃气用户设施定期安全检查制度",
        M,
        "gas2023",
        "第四条第（五）项",
        "gas-a4-5",
    ),
)
_CONSTRUCTION = (
    Finding("主体结构楼层", "楼层临边防护栏杆缺失", ENV),
    Finding("作业面", "作业人员未正确佩戴安全帽", M),
    Finding("钢筋加工区", "动火作业未审批，未配置灭火器", F),
    Finding("施工临时用电", "开关箱未装设漏电保护器", EL),
    _major("外脚手架", "外脚手架连墙件缺失", E, "hmc2022", "脚手架工程", "hmc-scaffold-ties"),
    _major(
        "塔式起重机",
        "塔式起重机力矩限制器被拆除",
        E,
        "hmc2022",
        "第八条第（五）项",
        "hmc-a8-devices",
    ),
    _major(
        "深基坑", "深基坑工程未编制专项施工方案", M, "hmc2022", "第四条第（四）项", "hmc-a4-plan"
    ),
    _major(
        "深基坑",
        "深基坑未按规定开展第三方监测",
        P,
        "hmc2022",
        "第五条第（三）项",
        "hmc-a5-monitoring",
    ),
)
_VENUE = (
    Finding("安全出口", "营业期间安全出口上锁", F),
    Finding("疏散走道", "疏散指示标志不亮", F),
    Finding("包房", "包房内使用易燃可燃装修材料", F),
    Finding("后厨", "燃气软管老化开裂", F),
    Finding("消防控制室", "值班人员未持证上岗", M),
)
_TOURIST = (
    Finding("游乐设施", "游乐设施日常检查记录缺失", M),
    Finding("观景平台", "护栏立柱松动", E),
    Finding("滨水步道", "临水区域未设置警示标志和救生圈", ENV),
    Finding("游客中心", "应急照明灯失效", F),
)
_FIRE_KEY_UNIT = (
    Finding("消防控制室", "火灾自动报警系统故障未修复", F),
    Finding("消防泵房", "消防水泵处于手动状态", F),
    Finding("楼梯间", "常闭式防火门处于开启状态", F),
    Finding("配电房", "配电房内堆放杂物", EL),
)
_SPECIAL_EQUIPMENT = (
    Finding("锅炉房", "锅炉安全阀超期未校验", E),
    Finding("电梯机房", "电梯维保记录不全", M),
    Finding("起重作业区", "桥式起重机钢丝绳断丝超标", E),
    Finding("空压机房", "储气罐压力表超期未检定", E),
)
_TRANSPORT = (
    Finding("停车场", "车辆出车前安全检查记录缺失", M),
    Finding("驾驶员管理", "驾驶员安全教育培训记录不全", M),
    Finding("维修车间", "营运车辆二级维护不及时", E),
    _major(
        "动态监控中心",
        "对超速、疲劳驾驶报警未及时纠正和处理",
        M,
        "road2023",
        "第三条第（三）项",
        "road-a3-3",
    ),
    _major("车辆管理", "使用未按期检验的营运客车", E, "road2023", "第三条第（二）项", "road-a3-2"),
)
_METAL_OPEN_PIT = (
    Finding("采场运输道路", "运输道路安全挡墙缺失", ENV),
    Finding("爆破作业点", "爆破警戒不到位，人员未撤至安全区域", P),
    Finding("排土场", "排土场边坡监测设施损坏", ENV),
    _major(
        "采场边坡", "工作帮坡角大于设计值", ENV, "nonmetal2022", "露天矿山第（四）项", "nm-op-4"
    ),
    _major("采场", "未采用自上而下分台阶开采", P, "nonmetal2022", "露天矿山第（三）项", "nm-op-3"),
    _major(
        "采场边坡",
        "边坡出现横向裂缝，坡脚隆起",
        ENV,
        "nonmetal2022",
        "露天矿山第（八）项",
        "nm-op-8",
    ),
)
_METAL_UNDERGROUND = (
    Finding("井口", "入井人员未携带自救器", M),
    Finding("井下采场", "便携式气体检测报警仪配备不足", E),
    Finding("井下巷道", "局部通风机风量不足", E),
    _major(
        "井下",
        "安全出口不足两个，现有出口被堵塞",
        ENV,
        "nonmetal2022",
        "地下矿山第（一）项",
        "nm-ug-1",
    ),
    _major(
        "井下运输系统",
        "使用国家明令禁止使用的设备",
        E,
        "nonmetal2022",
        "地下矿山第（二）项",
        "nm-ug-2",
    ),
)
_COAL_UNDERGROUND = (
    Finding("井口", "入井人员未携带自救器", M),
    Finding("采掘工作面", "工作面顶板支护不及时", P),
    Finding("避难硐室", "避险设施维护不到位", M),
    _major(
        "通风系统",
        "通风系统不可靠，存在违规串联通风",
        E,
        "coal2020",
        "第三条第（五）项",
        "coal-o4-5",
    ),
    _major("采煤工作面", "瓦斯超限仍继续作业", P, "coal2020", "第三条第（二）项", "coal-o4-2"),
    _major("供电系统", "矿井未实现双回路供电", EL, "coal2020", "第三条第（十一）项", "coal-o4-11"),
    _major(
        "监测监控", "安全监控系统未正常运行", E, "coal2024", "第三十六条第（十一）项", "coal-r36-11"
    ),
)
_COAL_OPEN_PIT = (
    Finding("采场运输道路", "运输道路安全挡墙缺失", ENV),
    Finding("排土场", "排土场边坡监测设施损坏", ENV),
    _major(
        "采场边坡",
        "边坡角大于设计最大值，边坡出现变形",
        ENV,
        "coal2024",
        "第三十六条第（十二）项",
        "coal-r36-12",
    ),
)
_FISHING = (
    Finding("驾驶台", "航海日志记录不全", M),
    Finding("甲板", "船员出海作业未穿救生衣", M),
    Finding("机舱", "机舱油污积聚", F),
    _major("救生设备", "救生筏过期未检验，救生衣数量不足", E, "fish2022", "第（二）项", "fish-2"),
    _major("驾驶台", "AIS终端被关闭", E, "fish2022", "第（四）项", "fish-4"),
    _major("甲板", "超核定人数载员出海", M, "fish2022", "第（七）项", "fish-7"),
)
_PASSENGER = (
    Finding("客舱", "救生衣存放位置标识不清", E),
    Finding("候船码头", "开航前未向乘客进行安全告知", M),
    Finding("机舱", "消防器材未定期检查", F),
    _major("客舱", "超核定乘客定额载客", P, "water2024", "第四条第（五）项", "water-a4-5"),
    _major(
        "驾驶台", "主机车钟、应急停车装置失效", E, "water2024", "第四条第（七）项", "water-a4-7"
    ),
    _major(
        "船员配备",
        "船长配备不符合最低安全配员要求",
        M,
        "water2024",
        "第四条第（一）项",
        "water-a4-1",
    ),
)
_OTHER = (
    Finding("办公区", "灭火器过期未更换", F),
    Finding("配电间", "配电箱门缺失，带电部位外露", EL),
    Finding("仓库", "货物堆放过高，存在倒塌风险", ENV),
)

FINDINGS_BY_KIND: dict[str, tuple[Finding, ...]] = {
    SiteKind.SELF_BUILT_HOUSE: _HOUSE,
    SiteKind.FACTORY: _FACTORY,
    SiteKind.CHEMICAL_PLANT: _CHEMICAL_PLANT,
    SiteKind.CHEMICAL_STORE: _CHEMICAL_STORE,
    SiteKind.FUEL_STATION: _FUEL_STATION,
    SiteKind.GAS_FACILITY: _GAS_FACILITY,
    SiteKind.CONSTRUCTION_PROJECT: _CONSTRUCTION,
    SiteKind.VENUE: _VENUE,
    SiteKind.TOURIST_FACILITY: _TOURIST,
    SiteKind.FIRE_KEY_UNIT: _FIRE_KEY_UNIT,
    SiteKind.SPECIAL_EQUIPMENT: _SPECIAL_EQUIPMENT,
    SiteKind.TRANSPORT_COMPANY: _TRANSPORT,
    SiteKind.FISHING_VESSEL: _FISHING,
    SiteKind.PASSENGER_VESSEL: _PASSENGER,
    SiteKind.OTHER: _OTHER,
}
# Mines by how they are worked (``Site.mine_type``; unknown: underground).
MINE_FINDINGS: dict[tuple[str, str], tuple[Finding, ...]] = {
    (SiteKind.METAL_MINE, MineType.OPEN_PIT): _METAL_OPEN_PIT,
    (SiteKind.METAL_MINE, MineType.UNDERGROUND): _METAL_UNDERGROUND,
    (SiteKind.COAL_MINE, MineType.OPEN_PIT): _COAL_OPEN_PIT,
    (SiteKind.COAL_MINE, MineType.UNDERGROUND): _COAL_UNDERGROUND,
}


def findings_for(site: object) -> tuple[list[Finding], list[Finding]]:
    """The general and the major findings that fit ``site``: its kind (a mine's findings by
    how it is worked), majors only under a clause of the site's own sector."""
    kind = getattr(site, "kind", "")
    if (kind, MineType.UNDERGROUND) in MINE_FINDINGS:
        attributes = getattr(site, "attributes", None) or {}
        mine_type = getattr(site, "mine_type", "") or attributes.get("mine_type") or ""
        if mine_type not in (MineType.OPEN_PIT, MineType.UNDERGROUND):
            mine_type = MineType.UNDERGROUND
        found = MINE_FINDINGS[(kind, mine_type)]
    else:
        found = FINDINGS_BY_KIND.get(kind, _OTHER)
    sector = getattr(site, "sector_id", "")
    general = [f for f in found if not f.is_major]
    major = [f for f in found if f.is_major and f.sector == sector]
    return general, major
