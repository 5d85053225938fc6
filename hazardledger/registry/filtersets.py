"""Site filters, shared by the list page, the export and (later) the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hazardledger.regions.filters import RegionFilter
from hazardledger.regions.models import Sector

from .choices import RiskGrade, SiteKind, SiteStatus
from .models import Site

NOT_ASSESSED = "none"

SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "region": ("region_id", "name", "id"),
    "-region": ("-region_id", "-name", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}


class SiteFilterSet(django_filters.FilterSet):
    """Filters: region (the division and all under it), sector, kind, status, risk, text."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    region = RegionFilter()
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"), queryset=Sector.objects.all(), to_field_name="code"
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=SiteKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=SiteStatus.choices)
    risk_level = django_filters.ChoiceFilter(
        label=_("Risk level"),
        choices=[*RiskGrade.choices, (NOT_ASSESSED, _("Not assessed"))],
        method="filter_risk",
    )
    # The sites one spreadsheet import created (the import page links here).
    batch = django_filters.UUIDFilter(label=_("Import"), field_name="import_batch")
    sort = django_filters.ChoiceFilter(
        label=_("Sort"),
        choices=[(key, key) for key in SORTS],
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Site
        fields = ["q", "region", "sector", "kind", "status", "risk_level"]

    def filter_text(self, qs: QuerySet[Site], name: str, value: str) -> QuerySet[Site]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(name__icontains=value)
            | Q(address__icontains=value)
            | Q(organisation__name__icontains=value)
        )

    def filter_risk(self, qs: QuerySet[Site], name: str, value: str) -> QuerySet[Site]:
        return qs.filter(risk_level="" if value == NOT_ASSESSED else value)

    def filter_sort(self, qs: QuerySet[Site], name: str, value: str) -> QuerySet[Site]:
        return qs.order_by(*SORTS.get(value, SORTS["region"]))
