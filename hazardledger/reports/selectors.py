"""Reads of the reports app, always through the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, FilteredRelation, Q, QuerySet

from hazardledger.access.policy import is_unrestricted
from hazardledger.access.scope import restrict
from hazardledger.accounts.choices import OrganisationKind
from hazardledger.accounts.models import Organisation
from hazardledger.regions.selectors import under_region
from hazardledger.registry.models import Site

from .choices import FilingState, ReturnStatus
from .models import GeneratedReport, StatisticsReturn
from .policies import supervised_enterprises
from .returns import ReturnPeriodKey, deadline_moment


def report_list(*, user: Any) -> QuerySet[GeneratedReport]:
    """The reports of the user's body, newest first."""
    return restrict(GeneratedReport.objects.select_related("region"), user, "view")


def report_get(*, user: Any, pk: int) -> GeneratedReport:
    """One report of the user's body; ``Http404`` otherwise."""
    from hazardledger.access.scope import get_object_for_user

    return get_object_for_user(GeneratedReport.objects.select_related("region"), user, pk=pk)


def return_list(*, user: Any) -> QuerySet[StatisticsReturn]:
    """The statistics returns the user may see."""
    return restrict(StatisticsReturn.objects.select_related("organisation", "region"), user, "view")


def return_get(*, user: Any, pk: int) -> StatisticsReturn:
    """One statistics return the user may see; ``Http404`` otherwise."""
    from hazardledger.access.scope import get_object_for_user

    return get_object_for_user(
        StatisticsReturn.objects.select_related("organisation", "region"), user, pk=pk
    )


def returns_due_enterprises(*, user: Any) -> QuerySet[Organisation]:
    """The enterprises that file returns to ``user``: those running a site in the user's scope
    (every enterprise running a site, for administrators)."""
    enterprises = Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE)
    if is_unrestricted(user):
        return enterprises.filter(pk__in=Site.objects.values("organisation_id"))
    return enterprises.filter(pk__in=supervised_enterprises(user))


def _conditions(key: ReturnPeriodKey) -> dict[str, Q]:
    """The filter of each filing state on ``returns_tracking``'s annotations: submitted before
    the first moment after the due date is on time."""
    deadline = deadline_moment(key.due_on)
    submitted = Q(return_status=ReturnStatus.SUBMITTED)
    return {
        FilingState.ON_TIME: submitted & Q(return_submitted_at__lt=deadline),
        FilingState.LATE: submitted & Q(return_submitted_at__gte=deadline),
        FilingState.AWAITING_SIGNATURE: Q(return_status=ReturnStatus.DRAFT),
        FilingState.MISSING: Q(return_status__isnull=True) | Q(return_status=ReturnStatus.DUE),
    }


def returns_tracking(
    *,
    user: Any,
    key: ReturnPeriodKey,
    state: str = "",
    region: str = "",
    text: str = "",
) -> QuerySet[Organisation]:
    """The enterprises due to file ``key``'s return to ``user``, each annotated with its
    return's ``return_status``, ``return_submitted_at`` and ``return_id`` (None when it has
    none), by region and name; narrowed to a filing ``state`` (``choices.FilingState``), a
    division (the enterprise's own) and a name containing ``text``.

    The filing state is decided in the query (submitted before the first moment after the due
    date is on time), so the list, its count and its export agree.
    """
    # One LEFT JOIN to the period's return (at most one per enterprise and period), so that the
    # states are filtered and counted in one pass.
    qs = returns_due_enterprises(user=user).annotate(
        this_return=FilteredRelation(
            "statistics_returns",
            condition=Q(
                statistics_returns__period=key.period,
                statistics_returns__year=key.year,
                statistics_returns__quarter=key.quarter,
            ),
        ),
        return_status=F("this_return__status"),
        return_submitted_at=F("this_return__submitted_at"),
        return_id=F("this_return__id"),
    )
    conditions = _conditions(key)
    if state in conditions:
        qs = qs.filter(conditions[state])
    if region:
        qs = qs.filter(under_region("region", region))
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(credit_code__iexact=text))
    return qs.select_related("region").order_by("region_id", "name", "pk")


def tracking_counts(
    *, user: Any, key: ReturnPeriodKey, region: str = "", text: str = ""
) -> dict[str, int]:
    """How many enterprises are in each filing state (one aggregate query)."""
    qs = returns_tracking(user=user, key=key, region=region, text=text).order_by()
    return qs.aggregate(
        **{state: Count("pk", filter=condition) for state, condition in _conditions(key).items()}
    )
