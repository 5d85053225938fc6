"""Site kinds, statuses and the four risk grades, with the attributes each kind carries."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class SiteStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class RiskGrade(models.TextChoices):
    """The four risk grades; codes are stable, labels and colours are display data."""

    MAJOR = "major", _("Major risk")
    LARGE = "large", _("Large risk")
    GENERAL = "general", _("General risk")
    LOW = "low", _("Low risk")


RISK_COLOURS: dict[str, str] = {
    RiskGrade.MAJOR: "red",
    RiskGrade.LARGE: "orange",
    RiskGrade.GENERAL: "yellow",
    RiskGrade.LOW: "blue",
}


class SiteKind(models.TextChoices):
    COAL_MINE = "coal_mine", _("Coal mine")
    METAL_MINE = "metal_mine", _("Metal and non-metal mine")
    CHEMICAL_PLANT = "chemical_plant", _("Hazardous chemicals plant")
    CHEMICAL_STORE = "chemical_store", _("Hazardous chemicals store or dealer")
    FUEL_STATION = "fuel_station", _("Fuel and gas filling station")
    FACTORY = "factory", _("Industrial and trade enterprise")
    CONSTRUCTION_PROJECT = "construction_project", _("Construction project")
    SELF_BUILT_HOUSE = "self_built_house", _("Self-built house")
    FISHING_VESSEL = "fishing_vessel", _("Fishing vessel")
    PASSENGER_VESSEL = "passenger_vessel", _("Passenger vessel or ferry")
    TRANSPORT_COMPANY = "transport_company", _("Road transport company")
    GAS_FACILITY = "gas_facility", _("Town gas facility")
    VENUE = "venue", _("Crowded venue")
    TOURIST_FACILITY = "tourist_facility", _("Tourist facility")
    FIRE_KEY_UNIT = "fire_key_unit", _("Key fire safety unit")
    SPECIAL_EQUIPMENT = "special_equipment", _("Special equipment user")
    OTHER = "other", _("Other")


# The sector a site of each kind belongs to unless stated otherwise.
DEFAULT_SECTOR_BY_KIND: dict[str, str] = {
    SiteKind.COAL_MINE: "mines",
    SiteKind.METAL_MINE: "mines",
    SiteKind.CHEMICAL_PLANT: "hazardous_chemicals",
    SiteKind.CHEMICAL_STORE: "hazardous_chemicals",
    SiteKind.FUEL_STATION: "hazardous_chemicals",
    SiteKind.FACTORY: "industry_trade",
    SiteKind.CONSTRUCTION_PROJECT: "building_construction",
    SiteKind.SELF_BUILT_HOUSE: "self_built_houses",
    SiteKind.FISHING_VESSEL: "fishing_vessels",
    SiteKind.PASSENGER_VESSEL: "water_traffic",
    SiteKind.TRANSPORT_COMPANY: "road_traffic",
    SiteKind.GAS_FACILITY: "town_gas",
    SiteKind.VENUE: "crowded_places",
    SiteKind.TOURIST_FACILITY: "tourist_facilities",
    SiteKind.FIRE_KEY_UNIT: "fire_protection",
    SiteKind.SPECIAL_EQUIPMENT: "special_equipment",
    SiteKind.OTHER: "other",
}


class MineType(models.TextChoices):
    UNDERGROUND = "underground", _("Underground")
    OPEN_PIT = "open_pit", _("Open-pit")


class HouseUse(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    BUSINESS = "business", _("Business")
    MIXED = "mixed", _("Residential and business")


@dataclass(frozen=True)
class AttributeSpec:
    """One kind-specific attribute: stored in ``Site.attributes`` under ``name``."""

    name: str
    label: StrPromise
    type: str  # "choice", "int", "decimal" or "text"
    # ``builtins.type``: inside the class body ``type`` names the field above.
    choices: builtins.type[models.TextChoices] | None = None
    min_value: float | None = None
    max_value: float | None = None


# The kinds that are mines: only they have a mine type (``Site.mine_type``, a column, since
# checklist items depend on it: an open pit gets slope items, an underground mine ventilation).
MINE_KINDS: tuple[str, ...] = (SiteKind.COAL_MINE, SiteKind.METAL_MINE)

_MINE = (
    AttributeSpec(
        "capacity", _("Capacity (10,000 t/year)"), "decimal", min_value=0, max_value=10000
    ),
)

ATTRIBUTES_BY_KIND: dict[str, tuple[AttributeSpec, ...]] = {
    SiteKind.COAL_MINE: _MINE,
    SiteKind.METAL_MINE: _MINE,
    SiteKind.SELF_BUILT_HOUSE: (
        AttributeSpec("floors", _("Floors"), "int", min_value=1, max_value=60),
        AttributeSpec("house_use", _("Use"), "choice", HouseUse),
    ),
    SiteKind.FISHING_VESSEL: (
        AttributeSpec("length_m", _("Length (m)"), "decimal", min_value=1, max_value=200),
        AttributeSpec("home_port", _("Home port"), "text"),
    ),
    SiteKind.PASSENGER_VESSEL: (
        AttributeSpec("length_m", _("Length (m)"), "decimal", min_value=1, max_value=400),
        AttributeSpec("home_port", _("Home port"), "text"),
    ),
    SiteKind.CONSTRUCTION_PROJECT: (
        AttributeSpec("floor_area", _("Floor area (m²)"), "decimal", min_value=0),
    ),
    SiteKind.GAS_FACILITY: (
        AttributeSpec("storage_m3", _("Storage capacity (m³)"), "decimal", min_value=0),
    ),
}
