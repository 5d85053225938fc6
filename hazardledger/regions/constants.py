"""Reference data shipped with the product."""

from __future__ import annotations

from pathlib import Path

from .choices import DepartmentKind

DATA_DIR = Path(__file__).resolve().parent / "data"
# NBS 2023 statistical division codes, Guangdong only; see data/README.md for the source.
DIVISIONS_CSV = DATA_DIR / "guangdong-divisions.csv"
CITIES_GEOJSON = DATA_DIR / "guangdong-cities.geojson"
COUNTIES_GEOJSON = DATA_DIR / "guangdong-counties.geojson"

# (code, Chinese name, English name, lead department kind). The lead department is the usual
# assignment; localities may differ, so it is data an administrator can change.
SECTORS: list[tuple[str, str, str, str]] = [
    ("mines", "矿山", "Mines", DepartmentKind.EMERGENCY_MANAGEMENT),
    (
        "hazardous_chemicals",
        "危险化学品",
        "Hazardous chemicals",
        DepartmentKind.EMERGENCY_MANAGEMENT,
    ),
    ("road_traffic", "道路交通", "Road traffic", DepartmentKind.PUBLIC_SECURITY),
    (
        "building_construction",
        "建筑施工",
        "Building construction",
        DepartmentKind.HOUSING_CONSTRUCTION,
    ),
    ("water_traffic", "水上交通", "Water traffic", DepartmentKind.TRANSPORT),
    ("fishing_vessels", "渔业船舶", "Fishing vessels", DepartmentKind.AGRICULTURE_FISHERY),
    ("industry_trade", "工贸", "Industry and trade", DepartmentKind.EMERGENCY_MANAGEMENT),
    ("town_gas", "城镇燃气", "Town gas", DepartmentKind.HOUSING_CONSTRUCTION),
    ("self_built_houses", "自建房", "Self-built houses", DepartmentKind.HOUSING_CONSTRUCTION),
    ("fire_protection", "消防", "Fire protection", DepartmentKind.FIRE_RESCUE),
    ("tourist_facilities", "旅游设施", "Tourist facilities", DepartmentKind.CULTURE_TOURISM),
    ("crowded_places", "人员密集场所", "Crowded places", DepartmentKind.FIRE_RESCUE),
    ("special_equipment", "特种设备", "Special equipment", DepartmentKind.MARKET_REGULATION),
    ("other", "其他", "Other", DepartmentKind.EMERGENCY_MANAGEMENT),
]
