"""Ledger filters, shared by the ledger page, its export and (later) the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hazardledger.core.filters import IdFilter
from hazardledger.core.forms import parse_id
from hazardledger.regions.filters import RegionFilter
from hazardledger.regions.models import Sector

from .choices import OPEN_STATUSES, HazardCategory, HazardGrade, HazardSource, HazardStatus
from .deadlines import overdue_q, review_overdue_q
from .figures import closed_between_q, counted_q, escalated_q, listed_q, on_time_q
from .forms import DateInput
from .models import Hazard

OPEN = "open"
# Every hazard but the voided: what the dashboards count as found (``figures.counted_q``).
COUNTED = "counted"

SORTS = {
    "found": ("found_on", "id"),
    "-found": ("-found_on", "-id"),
    "deadline": ("deadline", "id"),
    "-deadline": ("-deadline", "-id"),
    "region": ("region_id", "-found_on", "-id"),
    "-region": ("-region_id", "-found_on", "-id"),
    "status": ("status", "-found_on", "-id"),
    "-status": ("-status", "-found_on", "-id"),
}
DEFAULT_SORT = "-found"


class HazardFilterSet(django_filters.FilterSet):
    """Filters: region (the division and all under it), sector, grade, status (or "open", or
    "not voided"), overdue (the party's move, past the deadline), review overdue (the
    regulator's), source, category, period found, period closed, closed on time, listed for
    supervision, escalated, site, text; and the sort order. The dashboards' figures link here
    with these filters (``figures.py`` holds the definitions both use)."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    region = RegionFilter()
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"), queryset=Sector.objects.all(), to_field_name="code"
    )
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=HazardGrade.choices)
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            (OPEN, _("Open (not closed)")),
            (COUNTED, _("Not voided")),
            *HazardStatus.choices,
        ],
        method="filter_status",
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"),
        method="filter_overdue",
        widget=django_filters.widgets.BooleanWidget,
    )
    review_overdue = django_filters.BooleanFilter(
        label=_("Review overdue"),
        method="filter_review_overdue",
        widget=django_filters.widgets.BooleanWidget,
    )
    source = django_filters.ChoiceFilter(label=_("Source"), choices=HazardSource.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=HazardCategory.choices)
    found_after = django_filters.DateFilter(
        label=_("Found from"), field_name="found_on", lookup_expr="gte", widget=DateInput
    )
    found_before = django_filters.DateFilter(
        label=_("Found until"), field_name="found_on", lookup_expr="lte", widget=DateInput
    )
    closed_after = django_filters.DateFilter(
        label=_("Closed from"), method="filter_closed_after", widget=DateInput
    )
    closed_before = django_filters.DateFilter(
        label=_("Closed until"), method="filter_closed_before", widget=DateInput
    )
    on_time = django_filters.BooleanFilter(
        label=_("Closed on time"),
        method="filter_on_time",
        widget=django_filters.widgets.BooleanWidget,
    )
    listed = django_filters.BooleanFilter(
        label=_("Listed for supervision"),
        method="filter_listed",
        widget=django_filters.widgets.BooleanWidget,
    )
    escalated = django_filters.BooleanFilter(
        label=_("Escalated"),
        method="filter_escalated",
        widget=django_filters.widgets.BooleanWidget,
    )
    site = IdFilter(label=_("Site"), field_name="site_id")
    sort = django_filters.ChoiceFilter(
        label=_("Sort"),
        choices=[(key, key) for key in SORTS],
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Hazard
        fields: list[str] = []

    @property
    def qs(self) -> QuerySet[Hazard]:
        qs = super().qs
        if not (self.form.is_valid() and self.form.cleaned_data.get("sort")):
            qs = qs.order_by(*SORTS[DEFAULT_SORT])
        return qs

    def filter_text(self, qs: QuerySet[Hazard], name: str, value: str) -> QuerySet[Hazard]:
        value = value.strip()
        if not value:
            return qs
        number = value.lstrip("#")
        if number.isdecimal():
            # A hazard's number; one no hazard can have (beyond 64 bits) matches nothing.
            pk = parse_id(number)
            return qs.filter(pk=pk) if pk is not None else qs.none()
        return qs.filter(
            Q(description__icontains=value)
            | Q(location__icontains=value)
            | Q(site__name__icontains=value)
        )

    def filter_status(self, qs: QuerySet[Hazard], name: str, value: str) -> QuerySet[Hazard]:
        if value == OPEN:
            return qs.filter(status__in=OPEN_STATUSES)
        if value == COUNTED:
            return qs.filter(counted_q())
        return qs.filter(status=value)

    def filter_overdue(self, qs: QuerySet[Hazard], name: str, value: Any) -> QuerySet[Hazard]:
        if value is None:
            return qs
        return qs.filter(overdue_q()) if value else qs.exclude(overdue_q())

    def filter_review_overdue(
        self, qs: QuerySet[Hazard], name: str, value: Any
    ) -> QuerySet[Hazard]:
        if value is None:
            return qs
        return qs.filter(review_overdue_q()) if value else qs.exclude(review_overdue_q())

    def filter_closed_after(self, qs: QuerySet[Hazard], name: str, value: Any) -> QuerySet[Hazard]:
        return qs if value is None else qs.filter(closed_between_q(value, None))

    def filter_closed_before(self, qs: QuerySet[Hazard], name: str, value: Any) -> QuerySet[Hazard]:
        return qs if value is None else qs.filter(closed_between_q(None, value))

    def filter_on_time(self, qs: QuerySet[Hazard], name: str, value: Any) -> QuerySet[Hazard]:
        """Closed and never overdue (yes), or closed after being overdue (no)."""
        if value is None:
            return qs
        late = Q(status=HazardStatus.CLOSED, past_overdue_days__gt=0)
        return qs.filter(on_time_q()) if value else qs.filter(late)

    def filter_listed(self, qs: QuerySet[Hazard], name: str, value: Any) -> QuerySet[Hazard]:
        if value is None:
            return qs
        return qs.filter(listed_q()) if value else qs.exclude(listed_q())

    def filter_escalated(self, qs: QuerySet[Hazard], name: str, value: Any) -> QuerySet[Hazard]:
        if value is None:
            return qs
        return qs.filter(escalated_q()) if value else qs.exclude(escalated_q())

    def filter_sort(self, qs: QuerySet[Hazard], name: str, value: str) -> QuerySet[Hazard]:
        return qs.order_by(*SORTS.get(value, SORTS[DEFAULT_SORT]))
