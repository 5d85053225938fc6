"""Demo province, part 1: the organisations of a province and the users who act for them.

Builds the provincial, city, county and township bodies on the real division tree, a set of
enterprises, and the fixed demo logins. Deterministic for a given random generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password

from hazardledger.regions.choices import DepartmentKind, RegionLevel
from hazardledger.regions.models import Region

from .choices import OrganisationKind, Role
from .models import Organisation, User

DEMO_PASSWORD = "demo"  # noqa: S105 - published demo logins, documented in the README
DEMO_LOGINS = [
    "admin",
    "gd-office",
    "gz-office",
    "gz-inspector",
    "gz-leader",
    "th-grid",
    "ent-a",
    "ent-a-boss",
    "ent-a-worker",
    "ent-b",
]

# Cities with working mines in the demo (mountainous north, east and west of Guangdong).
MINING_CITIES = {"4402", "4409", "4412", "4413", "4414", "4416", "4417", "4418", "4452", "4453"}
COASTAL_CITIES = {"4404", "4405", "4407", "4408", "4409", "4413", "4415", "4417", "4451", "4452"}

# (department kind, provincial name, city/county name, sectors)
DEPARTMENTS: list[tuple[str, str, str, list[str]]] = [
    (
        DepartmentKind.EMERGENCY_MANAGEMENT,
        "应急管理厅",
        "应急管理局",
        ["hazardous_chemicals", "industry_trade"],
    ),
    (DepartmentKind.NATURAL_RESOURCES, "自然资源厅", "自然资源局", ["mines"]),
    (
        DepartmentKind.HOUSING_CONSTRUCTION,
        "住房和城乡建设厅",
        "住房和城乡建设局",
        ["building_construction", "town_gas", "self_built_houses"],
    ),
    (DepartmentKind.TRANSPORT, "交通运输厅", "交通运输局", ["water_traffic", "road_traffic"]),
    (DepartmentKind.PUBLIC_SECURITY, "公安厅", "公安局", ["road_traffic"]),
    (DepartmentKind.AGRICULTURE_FISHERY, "农业农村厅", "农业农村局", ["fishing_vessels"]),
    (DepartmentKind.CULTURE_TOURISM, "文化和旅游厅", "文化广电旅游局", ["tourist_facilities"]),
    (DepartmentKind.MARKET_REGULATION, "市场监督管理局", "市场监督管理局", ["special_equipment"]),
    (
        DepartmentKind.FIRE_RESCUE,
        "消防救援总队",
        "消防救援支队",
        ["fire_protection", "crowded_places"],
    ),
]

TRADE_NAMES = [
    "恒安",
    "华粤",
    "南方",
    "珠江",
    "粤海",
    "宏达",
    "永泰",
    "金盛",
    "嘉华",
    "瑞丰",
    "鸿运",
    "富源",
    "宝丰",
    "长兴",
    "新华",
    "广利",
    "东成",
    "联合",
    "中兴",
    "盛世",
    "荣达",
    "天骄",
    "明珠",
    "和顺",
    "兴业",
    "德信",
    "益民",
    "安泰",
    "汇丰",
    "振华",
    "协力",
    "大成",
    "立信",
    "海鸿",
    "隆昌",
    "鼎盛",
    "万和",
    "佳美",
    "信诚",
    "粤通",
    "远航",
    "创新",
    "晨光",
    "凯达",
    "宏图",
    "华南",
    "岭南",
    "百川",
    "润泽",
    "同心",
]

SURNAMES = [
    "陈",
    "李",
    "黄",
    "张",
    "梁",
    "林",
    "刘",
    "吴",
    "罗",
    "何",
    "郑",
    "杨",
    "谢",
    "邓",
    "郭",
    "许",
    "曾",
    "冯",
    "蔡",
    "卢",
    "钟",
    "潘",
    "苏",
    "彭",
    "方",
]
GIVEN = [
    "伟",
    "芳",
    "敏",
    "强",
    "军",
    "丽",
    "杰",
    "涛",
    "明",
    "华",
    "勇",
    "玲",
    "斌",
    "娟",
    "辉",
    "燕",
    "峰",
    "婷",
    "磊",
    "慧",
]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN))


def phone_number(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def fill_enterprise(rng: random.Random, organisation: Organisation, serial: int) -> None:
    """Give a demo enterprise its (fictitious, unique) credit code and a contact."""
    organisation.credit_code = f"91{organisation.region_id[:4]}00MA{serial:08d}"
    organisation.contact_person = person_name(rng)
    organisation.contact_phone = phone_number(rng)


def short_city(name: str) -> str:
    return name.removesuffix("市")


@dataclass
class DemoOrganisations:
    """What part 1 built, for the sites and later steps."""

    townships: list[Region] = field(default_factory=list)
    enterprises: list[Organisation] = field(default_factory=list)
    logins: dict[str, User] = field(default_factory=dict)
    fixed_enterprises: dict[str, Organisation] = field(default_factory=dict)
    users: int = 0


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.orgs: list[Organisation] = []
        self.sector_links: list[tuple[Organisation, list[str]]] = []
        self.users: list[User] = []
        self.password = make_password(DEMO_PASSWORD)
        self.credit_serial = 0

    def org(
        self,
        name: str,
        kind: str,
        region: str,
        sectors: list[str] | None = None,
        department_kind: str = "",
        all_sectors: bool = False,
    ) -> Organisation:
        organisation = Organisation(
            name=name,
            kind=kind,
            region_id=region,
            department_kind=department_kind,
            all_sectors=all_sectors,
        )
        if kind == OrganisationKind.ENTERPRISE:
            self.credit_serial += 1
            fill_enterprise(self.rng, organisation, self.credit_serial)
        self.orgs.append(organisation)
        if sectors:
            self.sector_links.append((organisation, sectors))
        return organisation

    def user(
        self,
        username: str,
        organisation: Organisation,
        role: str,
        full_name: str = "",
        superuser: bool = False,
    ) -> User:
        user = User(
            username=username,
            organisation=organisation,
            role=role,
            full_name=full_name or person_name(self.rng),
            password=self.password,
            is_staff=superuser,
            is_superuser=superuser,
        )
        self.users.append(user)
        return user

    def government(
        self, region: Region, prefix: str, departments: bool = True, province: bool = False
    ) -> Organisation:
        """A level of government: its safety committee office, leadership and departments."""
        office = self.org(
            f"{prefix}安全生产委员会办公室", OrganisationKind.OFFICE, region.code, all_sectors=True
        )
        self.org(f"{prefix}人民政府", OrganisationKind.LEADERSHIP, region.code, all_sectors=True)
        if departments:
            for kind, province_name, local_name, sectors in DEPARTMENTS:
                if (
                    kind == DepartmentKind.NATURAL_RESOURCES
                    and not province
                    and (region.code[:4] not in MINING_CITIES)
                ):
                    continue
                name = province_name if province else local_name
                self.org(
                    f"{prefix}{name}",
                    OrganisationKind.DEPARTMENT,
                    region.code,
                    sectors,
                    department_kind=kind,
                )
        return office

    def save(self) -> None:
        Organisation.objects.bulk_create(self.orgs, batch_size=2000)
        through = Organisation.sectors.through
        through.objects.bulk_create(
            [
                through(organisation_id=o.pk, sector_id=code)
                for o, codes in self.sector_links
                for code in codes
            ],
            batch_size=2000,
        )
        User.objects.bulk_create(self.users, batch_size=2000)


def build_organisations(*, rng: random.Random) -> DemoOrganisations:
    """Create the province's bodies, the two fixed enterprises and the demo users.

    Steps: province (office, leadership, departments, system); every city likewise; a sample of
    counties (all of Guangzhou's, two elsewhere) with an office and an emergency management
    bureau; four townships per sampled county (Tianhe's Wushan street always) with a township
    office; users for every role, the fixed demo logins among them. Everything is bulk-inserted.
    """
    builder = _Builder(rng)
    result = DemoOrganisations()
    regions = {r.code: r for r in Region.objects.exclude(level=RegionLevel.VILLAGE)}
    province = regions["44"]
    system = builder.org("隐患台账系统管理", OrganisationKind.SYSTEM, "44", all_sectors=True)
    gd_office = builder.government(province, "广东省", province=True)

    cities = sorted(
        (r for r in regions.values() if r.level == RegionLevel.CITY), key=lambda r: r.code
    )
    city_offices: dict[str, Organisation] = {}
    for city in cities:
        city_offices[city.code] = builder.government(city, city.name)

    counties_by_city: dict[str, list[Region]] = {}
    for region in regions.values():
        if region.level == RegionLevel.COUNTY:
            counties_by_city.setdefault(region.code[:4], []).append(region)
    townships_by_county: dict[str, list[Region]] = {}
    for region in regions.values():
        if region.level == RegionLevel.TOWNSHIP:
            townships_by_county.setdefault(region.code[:6], []).append(region)

    sampled_townships: list[Region] = []
    township_orgs: dict[str, Organisation] = {}
    for city in cities:
        counties = sorted(counties_by_city.get(city.code, []), key=lambda r: r.code)
        chosen = counties if city.code == "4401" else rng.sample(counties, min(2, len(counties)))
        for county in sorted(chosen, key=lambda r: r.code):
            if county.code not in ("441900", "442000"):  # Dongguan and Zhongshan have no counties
                builder.org(
                    f"{county.name}安全生产委员会办公室",
                    OrganisationKind.OFFICE,
                    county.code,
                    all_sectors=True,
                )
                builder.org(
                    f"{county.name}应急管理局",
                    OrganisationKind.DEPARTMENT,
                    county.code,
                    ["hazardous_chemicals", "industry_trade"],
                    department_kind=DepartmentKind.EMERGENCY_MANAGEMENT,
                )
            candidates = sorted(townships_by_county.get(county.code, []), key=lambda r: r.code)
            picked = rng.sample(candidates, min(4, len(candidates)))
            if county.code == "440106" and regions["440106001"] not in picked:
                picked[0] = regions["440106001"]
            for township in sorted(picked, key=lambda r: r.code):
                sampled_townships.append(township)
                suffix = "办事处" if township.name.endswith("街道") else "人民政府"
                township_orgs[township.code] = builder.org(
                    f"{county.name}{township.name}{suffix}",
                    OrganisationKind.TOWNSHIP,
                    township.code,
                    all_sectors=True,
                )
    result.townships = sampled_townships

    # The fixed demo enterprises, in Guangzhou.
    ent_a = builder.org("广州恒安化工有限公司", OrganisationKind.ENTERPRISE, "440112001")
    ent_a.address = "广州市黄埔区黄埔街道港前路88号"
    ent_b = builder.org("广州粤达机械制造有限公司", OrganisationKind.ENTERPRISE, "440113007")
    ent_b.address = "广州市番禺区市桥街道环城西路126号"
    result.fixed_enterprises = {"ent-a": ent_a, "ent-b": ent_b}

    # Fixed logins first, then one user per body and per role so every role has someone.
    logins = result.logins
    logins["admin"] = builder.user(
        "admin", system, Role.ADMINISTRATOR, "系统管理员", superuser=True
    )
    logins["gd-office"] = builder.user("gd-office", gd_office, Role.OFFICE)
    logins["gz-office"] = builder.user("gz-office", city_offices["4401"], Role.OFFICE)
    gz_em = next(o for o in builder.orgs if o.name == "广州市应急管理局")
    # The bureau issues rectification orders numbered "穗应急责改〔2026〕12号"; its inspector
    # signs them with an enforcement ID number.
    gz_em.order_prefix = "穗应急责改"
    logins["gz-inspector"] = builder.user("gz-inspector", gz_em, Role.INSPECTOR)
    logins["gz-inspector"].enforcement_id = "44010120260017"
    gz_gov = next(o for o in builder.orgs if o.name == "广州市人民政府")
    logins["gz-leader"] = builder.user("gz-leader", gz_gov, Role.LEADER)
    logins["th-grid"] = builder.user("th-grid", township_orgs["440106001"], Role.GRID_WORKER)
    logins["ent-a"] = builder.user("ent-a", ent_a, Role.ENTERPRISE_OFFICER)
    logins["ent-a-boss"] = builder.user("ent-a-boss", ent_a, Role.ENTERPRISE_PRINCIPAL)
    logins["ent-a-worker"] = builder.user("ent-a-worker", ent_a, Role.ENTERPRISE_WORKER)
    logins["ent-b"] = builder.user("ent-b", ent_b, Role.ENTERPRISE_OFFICER)
    taken = {id(user.organisation) for user in builder.users}
    role_by_kind: dict[str, str] = {
        OrganisationKind.OFFICE: Role.OFFICE,
        OrganisationKind.LEADERSHIP: Role.LEADER,
        OrganisationKind.DEPARTMENT: Role.INSPECTOR,
        OrganisationKind.TOWNSHIP: Role.GRID_WORKER,
    }
    serial = 0
    for organisation in list(builder.orgs):
        role = role_by_kind.get(organisation.kind)
        if role is None or id(organisation) in taken:
            continue
        serial += 1
        builder.user(f"u{organisation.region_id}-{serial}", organisation, role)
    builder.save()
    result.enterprises = [ent_a, ent_b]
    result.users = len(builder.users)
    return result


def demo_step(ctx: Any) -> None:
    """The demo's first step after the reference data: organisations and the demo logins."""
    orgs = build_organisations(rng=ctx.rng)
    ctx.built["organisations"] = orgs
    ctx.logins.update(orgs.logins)
    ctx.password = DEMO_PASSWORD
    ctx.say(f"{len(orgs.enterprises)} enterprises, {orgs.users} users")


def existing_demo_logins() -> tuple[str, list[User]] | None:
    """None on a database without organisations; else the demo password and the demo users
    it holds, in the order of ``DEMO_LOGINS``."""
    if not Organisation.objects.exists():
        return None
    users = sorted(
        User.objects.filter(username__in=DEMO_LOGINS).select_related("organisation"),
        key=lambda user: DEMO_LOGINS.index(user.username),
    )
    return DEMO_PASSWORD, users
