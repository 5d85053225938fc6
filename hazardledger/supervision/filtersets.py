"""Filters of the published list of listed hazards, shared by the page and its export."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from hazardledger.hazards.choices import ListingLevel
from hazardledger.regions.filters import RegionFilter
from hazardledger.regions.models import Sector

from .models import Listing


class ListingFilterSet(django_filters.FilterSet):
    """Filters: level (the page's tabs), region (the division and all under it, from the
    hazard's region) and sector."""

    level = django_filters.ChoiceFilter(label=_("Listing level"), choices=ListingLevel.choices)
    region = RegionFilter()
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"), queryset=Sector.objects.all(), to_field_name="code"
    )

    class Meta:
        model = Listing
        fields = ["level", "region", "sector"]
