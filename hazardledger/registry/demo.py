"""Demo province, part 2: sites across every sector on the real division tree."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password

from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.accounts.demo import (
    COASTAL_CITIES,
    DEMO_PASSWORD,
    MINING_CITIES,
    TRADE_NAMES,
    DemoOrganisations,
    fill_enterprise,
    person_name,
    phone_number,
    short_city,
)
from hazardledger.accounts.models import Organisation, User
from hazardledger.regions.constants import COUNTIES_GEOJSON
from hazardledger.regions.models import Region

from .choices import DEFAULT_SECTOR_BY_KIND, HouseUse, MineType, SiteKind, SiteStatus
from .models import Site

# Relative frequency of each kind among demo sites.
KIND_WEIGHTS: dict[str, int] = {
    SiteKind.SELF_BUILT_HOUSE: 22,
    SiteKind.FACTORY: 20,
    SiteKind.VENUE: 8,
    SiteKind.CONSTRUCTION_PROJECT: 8,
    SiteKind.CHEMICAL_PLANT: 5,
    SiteKind.CHEMICAL_STORE: 4,
    SiteKind.FUEL_STATION: 5,
    SiteKind.GAS_FACILITY: 3,
    SiteKind.FIRE_KEY_UNIT: 5,
    SiteKind.SPECIAL_EQUIPMENT: 4,
    SiteKind.TRANSPORT_COMPANY: 3,
    SiteKind.TOURIST_FACILITY: 3,
    SiteKind.METAL_MINE: 3,
    SiteKind.COAL_MINE: 1,
    SiteKind.FISHING_VESSEL: 4,
    SiteKind.PASSENGER_VESSEL: 1,
    SiteKind.OTHER: 1,
}
ROADS = [
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "工业大道",
    "环城路",
    "迎宾路",
    "滨江路",
    "新华路",
    "东风路",
    "沿江路",
    "朝阳路",
]
FIXED_SITES: dict[str, list[tuple[str, str, str, str]]] = {
    "ent-a": [
        ("广州恒安化工有限公司黄埔厂区储罐区", SiteKind.CHEMICAL_PLANT, "440112001", "港前路88号"),
        ("广州恒安化工有限公司甲类仓库", SiteKind.CHEMICAL_STORE, "440112001", "港前路90号"),
        ("广州恒安化工有限公司新港装卸码头", SiteKind.CHEMICAL_PLANT, "440112003", "港湾路12号"),
    ],
    "ent-b": [
        ("广州粤达机械制造有限公司一号厂房", SiteKind.FACTORY, "440113007", "环城西路126号"),
        ("广州粤达机械制造有限公司喷涂车间", SiteKind.FACTORY, "440113007", "环城西路128号"),
    ],
    # th-grid's street always has houses to inspect, whatever the demo's size.
    "th-grid": [
        ("五山北村12巷3号自建房", SiteKind.SELF_BUILT_HOUSE, "440106001", "五山北村12巷3号"),
        ("五山北村12巷5号自建房", SiteKind.SELF_BUILT_HOUSE, "440106001", "五山北村12巷5号"),
        ("五山新村4巷18号自建房", SiteKind.SELF_BUILT_HOUSE, "440106001", "五山新村4巷18号"),
    ],
}


def _county_centres() -> dict[str, tuple[float, float]]:
    data = json.loads(COUNTIES_GEOJSON.read_text(encoding="utf-8"))
    centres = {}
    for feature in data["features"]:
        props = feature["properties"]
        point = props.get("centroid") or props.get("center")
        if point:
            centres[str(props["code"])] = (float(point[0]), float(point[1]))
    return centres


def _allowed_kinds(city_code: str) -> tuple[list[str], list[int]]:
    kinds, weights = [], []
    for kind, weight in KIND_WEIGHTS.items():
        if kind in (SiteKind.METAL_MINE, SiteKind.COAL_MINE) and city_code not in MINING_CITIES:
            continue
        if kind in (SiteKind.FISHING_VESSEL,) and city_code not in COASTAL_CITIES:
            continue
        kinds.append(kind)
        weights.append(weight)
    return kinds, weights


# Words for the enterprise that runs a site of each kind, and the site's own name, which is
# built from that enterprise's trade name so that the two always fit together.
ENTERPRISE_WORDS: dict[str, list[str]] = {
    SiteKind.CHEMICAL_PLANT: ["化工", "石化", "新材料", "工业气体"],
    SiteKind.CHEMICAL_STORE: ["化工贸易", "危险化学品经营"],
    SiteKind.FUEL_STATION: ["石油", "能源"],
    SiteKind.FACTORY: [
        "机械制造",
        "五金制品",
        "纺织",
        "食品",
        "家具",
        "电子科技",
        "塑料制品",
        "金属制品",
    ],
    SiteKind.CONSTRUCTION_PROJECT: ["建筑工程", "建设集团", "建工"],
    SiteKind.GAS_FACILITY: ["燃气", "液化石油气"],
    SiteKind.VENUE: ["商业管理", "酒店管理", "娱乐"],
    SiteKind.TOURIST_FACILITY: ["旅游发展", "文化旅游"],
    SiteKind.METAL_MINE: ["矿业", "石材", "建材"],
    SiteKind.COAL_MINE: ["煤业"],
    SiteKind.FISHING_VESSEL: ["渔业", "水产"],
    SiteKind.PASSENGER_VESSEL: ["航运", "客运"],
    SiteKind.TRANSPORT_COMPANY: ["运输", "物流", "汽车客运"],
    SiteKind.SPECIAL_EQUIPMENT: ["物业管理", "电梯工程"],
    SiteKind.FIRE_KEY_UNIT: ["百货", "物业服务", "商贸"],
    SiteKind.OTHER: ["实业", "贸易"],
}
# Share of new sites that get a new enterprise rather than a second site of an existing one.
NEW_ENTERPRISE_SHARE = 0.6


def _site_name(
    rng: random.Random, kind: str, township: Region, city: str, org: Organisation | None
) -> str:
    base = township.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
    if org is None:  # a self-built house, owned by a household
        village = rng.choice(["东", "西", "南", "北", "新"])
        return f"{base}{village}村{rng.randint(1, 40)}巷{rng.randint(1, 60)}号自建房"
    trade = org.name.removeprefix(short_city(city))[:2]
    match kind:
        case SiteKind.FISHING_VESSEL:
            return f"粤{short_city(city)[:1]}渔{rng.randint(10000, 99999)}"
        case SiteKind.PASSENGER_VESSEL:
            return f"{trade}{rng.randint(1, 30)}号客渡船"
        case SiteKind.CONSTRUCTION_PROJECT:
            project = rng.choice(["花园", "广场", "产业园", "学校"])
            return f"{base}{trade}{project}{rng.choice(['一', '二', '三'])}期工程"
        case SiteKind.FUEL_STATION:
            return f"{trade}石油{base}加油站"
        case SiteKind.GAS_FACILITY:
            return f"{trade}燃气{base}{rng.choice(['门站', '储配站', '瓶装液化气供应站'])}"
        case SiteKind.METAL_MINE:
            return f"{org.name}{base}{rng.choice(['石场', '铁矿', '稀土矿', '石灰石矿'])}"
        case SiteKind.COAL_MINE:
            return f"{org.name}{base}煤矿"
        case SiteKind.TOURIST_FACILITY:
            return f"{base}{trade}{rng.choice(['景区', '游乐园', '漂流', '玻璃栈道'])}"
        case SiteKind.VENUE:
            return f"{trade}{rng.choice(['购物广场', '大酒店', 'KTV', '农贸市场', '体育馆'])}"
    suffixes: dict[str, str] = {
        SiteKind.CHEMICAL_PLANT: rng.choice(["生产装置区", "储罐区", "厂区"]),
        SiteKind.CHEMICAL_STORE: rng.choice(["仓库", "经营门店"]),
        SiteKind.FACTORY: rng.choice(["一号厂房", "二号厂房", "生产车间", "厂区"]),
        SiteKind.SPECIAL_EQUIPMENT: rng.choice(["电梯", "锅炉房", "起重机械"]),
        SiteKind.TRANSPORT_COMPANY: "车队",
        SiteKind.FIRE_KEY_UNIT: rng.choice(["商场", "大厦"]),
    }
    return f"{org.name}{suffixes.get(kind, '')}"


def _attributes(rng: random.Random, kind: str, city: str) -> dict[str, object]:
    match kind:
        case SiteKind.METAL_MINE | SiteKind.COAL_MINE:
            mine_type = (
                MineType.OPEN_PIT
                if kind == SiteKind.METAL_MINE and rng.random() < 0.8
                else MineType.UNDERGROUND
            )
            return {"mine_type": mine_type, "capacity": round(rng.uniform(5, 120), 1)}
        case SiteKind.SELF_BUILT_HOUSE:
            return {"floors": rng.randint(2, 8), "house_use": rng.choice(list(HouseUse.values))}
        case SiteKind.FISHING_VESSEL:
            return {"length_m": round(rng.uniform(8, 45), 1), "home_port": f"{short_city(city)}港"}
        case SiteKind.PASSENGER_VESSEL:
            return {"length_m": round(rng.uniform(15, 60), 1), "home_port": f"{short_city(city)}港"}
        case SiteKind.CONSTRUCTION_PROJECT:
            return {"floor_area": rng.randint(5, 300) * 1000}
        case SiteKind.GAS_FACILITY:
            return {"storage_m3": rng.randint(2, 200) * 100}
    return {}


def build_sites(
    *, rng: random.Random, orgs: DemoOrganisations, count: int, batch_size: int = 5000
) -> int:
    """Create ``count`` sites (the fixed enterprises' sites included) in batches.

    Each site lies in a sampled township, has a kind fitting its city (mines in mining cities,
    fishing vessels on the coast), coordinates near its county's centre, and — except
    self-built houses — a responsible enterprise in the same city where one exists.
    """
    centres = _county_centres()
    cities = {r.code: r.name for r in Region.objects.filter(level="city")}
    pools: dict[tuple[str, str], list[Organisation]] = {}
    new_enterprises: list[Organisation] = []
    serial = 1000
    batch: list[Site] = []
    created = 0

    def flush() -> None:
        nonlocal created, batch
        Organisation.objects.bulk_create(new_enterprises, batch_size=batch_size)
        orgs.enterprises.extend(new_enterprises)
        new_enterprises.clear()
        for site in batch:  # the mine type is a column of its own (checklists depend on it)
            site.mine_type = site.attributes.pop("mine_type", "")
        Site.objects.bulk_create(batch, batch_size=batch_size)
        created += len(batch)
        batch = []

    def enterprise_for(kind: str, township: Region) -> Organisation:
        nonlocal serial
        city = township.code[:4]
        pool = pools.setdefault((city, kind), [])
        if pool and rng.random() > NEW_ENTERPRISE_SHARE:
            return rng.choice(pool)
        serial += 1
        trade, word = rng.choice(TRADE_NAMES), rng.choice(ENTERPRISE_WORDS[kind])
        name = f"{short_city(cities[city])}{trade}{word}有限公司"
        organisation = Organisation(
            name=name, kind=OrganisationKind.ENTERPRISE, region_id=township.code
        )
        fill_enterprise(rng, organisation, serial)
        pool.append(organisation)
        new_enterprises.append(organisation)
        return organisation

    def point(county: str) -> tuple[Decimal | None, Decimal | None]:
        centre = centres.get(county)
        if centre is None:
            return None, None
        lng = Decimal(str(round(centre[0] + rng.uniform(-0.06, 0.06), 6)))
        lat = Decimal(str(round(centre[1] + rng.uniform(-0.05, 0.05), 6)))
        return lat, lng

    fixed_townships = Region.objects.in_bulk(
        {region for rows in FIXED_SITES.values() for _name, _kind, region, _street in rows}
    )
    for login, rows in FIXED_SITES.items():
        organisation = orgs.fixed_enterprises.get(login)
        for name, kind, region, street in rows:
            lat, lng = point(region[:6])
            township = fixed_townships[region]
            batch.append(
                Site(
                    name=name,
                    kind=kind,
                    sector_id=DEFAULT_SECTOR_BY_KIND[kind],
                    region_id=region,
                    address=f"{township.full_name.replace(' ', '').removeprefix('广东省')}{street}",
                    latitude=lat,
                    longitude=lng,
                    organisation=organisation,
                    contact_person=organisation.contact_person
                    if organisation
                    else person_name(rng),
                    contact_phone=organisation.contact_phone if organisation else phone_number(rng),
                    status=SiteStatus.OPERATING,
                    attributes=_attributes(rng, kind, "广州市"),
                )
            )

    township_names = {
        t.code: t.full_name.replace(" ", "").removeprefix("广东省") for t in orgs.townships
    }
    for _ in range(max(0, count - len(batch))):
        township = rng.choice(orgs.townships)
        city = township.code[:4]
        kinds, weights = _allowed_kinds(city)
        kind = rng.choices(kinds, weights)[0]
        organisation = None if kind == SiteKind.SELF_BUILT_HOUSE else enterprise_for(kind, township)
        lat, lng = point(township.code[:6])
        roll = rng.random()
        status = (
            SiteStatus.OPERATING
            if roll < 0.9
            else SiteStatus.SUSPENDED
            if roll < 0.97
            else SiteStatus.CLOSED
        )
        contact = person_name(rng)
        batch.append(
            Site(
                name=_site_name(rng, kind, township, cities[city], organisation),
                kind=kind,
                sector_id=DEFAULT_SECTOR_BY_KIND[kind],
                region_id=township.code,
                address=f"{township_names[township.code]}{rng.choice(ROADS)}{rng.randint(1, 999)}号",  # noqa: E501
                latitude=lat,
                longitude=lng,
                organisation=organisation,
                contact_person=contact,
                contact_phone=phone_number(rng),
                status=status,
                attributes=_attributes(rng, kind, cities[city]),
            )
        )
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    # A safety officer for a few hundred enterprises, so that enterprise logins are plentiful.
    password = make_password(DEMO_PASSWORD)
    User.objects.bulk_create(
        [
            User(
                username=f"e{index:04d}",
                organisation=organisation,
                role=Role.ENTERPRISE_OFFICER,
                full_name=person_name(rng),
                password=password,
            )
            for index, organisation in enumerate(orgs.enterprises[2:202], start=1)
        ],
        batch_size=batch_size,
    )
    return created


def demo_step(ctx: Any) -> None:
    """The demo's sites, after the accounts step built the organisations."""
    count = build_sites(rng=ctx.rng, orgs=ctx.built["organisations"], count=ctx.sites)
    ctx.say(f"{count} sites")
