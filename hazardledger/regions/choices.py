"""Choices for the reference data: division levels and the kinds of regulating department."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("Prefecture city")
    COUNTY = "county", _("County / district")
    TOWNSHIP = "township", _("Township / street")
    VILLAGE = "village", _("Village / community")


# Code length of each level in the national statistical division codes.
LEVEL_BY_CODE_LENGTH = {
    2: RegionLevel.PROVINCE,
    4: RegionLevel.CITY,
    6: RegionLevel.COUNTY,
    9: RegionLevel.TOWNSHIP,
    12: RegionLevel.VILLAGE,
}
CODE_LENGTHS = (2, 4, 6, 9, 12)


class DepartmentKind(models.TextChoices):
    """The kinds of government department that supervise a sector (Work Safety Law Art. 10)."""

    EMERGENCY_MANAGEMENT = "emergency_management", _("Emergency management")
    HOUSING_CONSTRUCTION = "housing_construction", _("Housing and urban-rural construction")
    TRANSPORT = "transport", _("Transport")
    PUBLIC_SECURITY = "public_security", _("Public security (traffic police)")
    NATURAL_RESOURCES = "natural_resources", _("Natural resources")
    FIRE_RESCUE = "fire_rescue", _("Fire and rescue")
    MARKET_REGULATION = "market_regulation", _("Market regulation")
    AGRICULTURE_FISHERY = "agriculture_fishery", _("Agriculture and rural affairs (fishery)")
    CULTURE_TOURISM = "culture_tourism", _("Culture and tourism")
    COMMERCE = "commerce", _("Commerce")
