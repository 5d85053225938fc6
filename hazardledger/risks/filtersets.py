"""Risk point filters, shared by the list page and the register export."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hazardledger.core.filters import IdFilter
from hazardledger.regions.models import Sector

from .choices import RiskGrade
from .models import RiskPoint

NOT_ASSESSED = "none"


class RiskPointFilterSet(django_filters.FilterSet):
    """Filters: text, grade (or not assessed), sector and site."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    grade = django_filters.ChoiceFilter(
        label=_("Grade"),
        choices=[*RiskGrade.choices, (NOT_ASSESSED, _("Not assessed"))],
        method="filter_grade",
    )
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"), queryset=Sector.objects.all(), to_field_name="code"
    )
    site = IdFilter(label=_("Site"), field_name="site_id")

    class Meta:
        model = RiskPoint
        fields = ["q", "grade", "sector", "site"]

    def filter_text(self, qs: QuerySet[RiskPoint], name: str, value: str) -> QuerySet[RiskPoint]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(name__icontains=value) | Q(location__icontains=value) | Q(site__name__icontains=value)
        )

    def filter_grade(self, qs: QuerySet[RiskPoint], name: str, value: str) -> QuerySet[RiskPoint]:
        return qs.filter(grade="" if value == NOT_ASSESSED else value)
