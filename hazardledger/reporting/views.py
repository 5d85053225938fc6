"""The dashboards (the overview at "/"), their charts' data and the map's."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hazardledger.core.errors import NotFound
from hazardledger.hazards.choices import HazardSource
from hazardledger.hazards.deadlines import local_today
from hazardledger.registry.choices import RISK_COLOURS, RiskGrade

from .constants import MAP_INDICATORS, MAP_POINTS_MAX, TREND_MONTHS
from .dashboard import (
    LABELS,
    dashboard_build,
    enterprise_sites,
    region_name,
    risk_levels,
    sector_options,
)
from .forms import DashboardForm, MapForm
from .selectors import (
    Scope,
    child_regions,
    current_counts,
    division_path,
    mapped_sites,
    period_totals,
    risk_level_counts,
    scope_for_user,
    with_rates,
)

# Hex colours of the four risk grades on the map (the standard red, orange, yellow, blue).
RISK_HEX = {"red": "#d7191c", "orange": "#f28e2b", "yellow": "#f2c037", "blue": "#2c7bb6"}


def _form(
    request: HttpRequest, scope: Scope, form_class: type[DashboardForm] = DashboardForm
) -> DashboardForm:
    sectors = sector_options(scope) if scope.organisation_id is None else {}
    return form_class(request.GET, sectors=list(sectors.items()), today=local_today())


def _carried(form: DashboardForm) -> str:
    """The query string that keeps the chosen period and sector on the next page."""
    data = form.cleaned_data
    params = {"period": data["kind"]}
    for name in ("start", "end"):
        if data.get(name):
            params[name] = data[name].isoformat()
    if data.get("sector"):
        params["sector"] = data["sector"]
    return urlencode(params)


def _dashboard_url(code: str, query: str) -> str:
    return reverse("reporting:dashboard", args=[code]) + (f"?{query}" if query else "")


def _render(request: HttpRequest, user_scope: Scope, scope: Scope) -> HttpResponse:
    """The dashboard page of ``scope`` (within ``user_scope``, the user's own)."""
    enterprise = scope.organisation_id is not None
    sectors = {} if enterprise else sector_options(scope)
    form = DashboardForm(request.GET, sectors=list(sectors.items()), today=local_today())
    # The divisions from the user's own down to this one: the breadcrumbs and the title.
    path = [
        (code, name)
        for code, name in ([] if enterprise else division_path(scope.region))
        if len(code) >= len(user_scope.region)
    ]
    context: dict[str, Any] = {"form": form, "scope": scope}
    context["title"] = (
        request.user.organisation.name  # type: ignore[union-attr]
        if enterprise
        else (path[-1][1] if path else "")
    )
    if not form.is_valid():
        return render(request, "reporting/dashboard.html", context, status=400)
    start, end = form.cleaned_data["range"]
    sector = form.cleaned_data.get("sector") or ""
    if sector:
        scope = scope.narrowed(sector=sector)
    query = _carried(form)
    dashboard = dashboard_build(
        scope,
        start,
        end,
        child_url=lambda code: _dashboard_url(code, query),
        sector_names={sector: sectors[sector]} if sector else sectors,
    )
    if enterprise:
        dashboard.sites = enterprise_sites(request.user)
        charts, map_url = reverse("reporting:enterprise-charts"), ""
    else:
        charts = reverse("reporting:dashboard-charts", args=[scope.region])
        map_url = reverse("reporting:dashboard-map", args=[scope.region])
    context.update(
        dashboard=dashboard,
        query=query,
        charts_url=f"{charts}?{query}",
        map_url=f"{map_url}?{query}" if map_url and len(scope.region) <= 6 else "",
        map_indicators=MAP_INDICATORS,
        breadcrumbs=[(name, _dashboard_url(code, query)) for code, name in path],
        sector_label=sectors.get(sector, ""),
    )
    return render(request, "reporting/dashboard.html", context)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The overview: the dashboard of the user's own scope (an enterprise: its own)."""
    scope = scope_for_user(request.user)
    return _render(request, scope, scope)


@login_required
@require_GET
def region_dashboard(request: HttpRequest, region: str) -> HttpResponse:
    """The dashboard of a division under the user's (404 outside it, and for enterprises)."""
    user_scope = scope_for_user(request.user)
    if user_scope.organisation_id is not None:
        raise NotFound
    return _render(request, user_scope, scope_for_user(request.user, region=region))


def _problem(form: DashboardForm) -> JsonResponse:
    return JsonResponse(
        {"title": _("Check the dashboard's choices."), "errors": form.errors.get_json_data()},
        status=400,
    )


def _month_shift(month: date, months: int) -> date:
    """The first day of the month ``months`` after (or before) ``month``."""
    years, index = divmod(month.month - 1 + months, 12)
    return date(month.year + years, index + 1, 1)


def _month_labels(first: date, last: date) -> list[date]:
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _charts(request: HttpRequest, scope: Scope) -> JsonResponse:
    form = _form(request, scope)
    if not form.is_valid():
        return _problem(form)
    start, end = form.cleaned_data["range"]
    if form.cleaned_data.get("sector"):
        scope = scope.narrowed(sector=form.cleaned_data["sector"])
    today = local_today()
    last = min(end, today) if start <= today else end
    first = min(start.replace(day=1), _month_shift(last.replace(day=1), 1 - TREND_MONTHS))
    months = _month_labels(first, last)
    trend = {row["month"]: row for row in period_totals(scope, first, last, group_by=("month",))}
    sources = {row["source"]: row for row in period_totals(scope, start, end, group_by=("source",))}
    shown_sources = [
        (code, label)
        for code, label in HazardSource.choices
        if code in sources
        or code in (HazardSource.REGULATORY_INSPECTION, HazardSource.SELF_INSPECTION)
    ]
    levels = risk_levels(scope)
    return JsonResponse(
        {
            "trend": {
                "title": _("Monthly trend"),
                "months": [month.strftime("%Y-%m") for month in months],
                "series": [
                    {
                        "key": metric,
                        "name": str(LABELS[metric]),
                        "data": [int(trend.get(month, {}).get(metric, 0)) for month in months],
                    }
                    for metric in ("found", "rectified", "closed")
                ],
            },
            "sources": {
                "title": _("Found and rectified by source"),
                "names": [str(label) for _code, label in shown_sources],
                "series": [
                    {
                        "key": metric,
                        "name": str(LABELS[metric]),
                        "data": [
                            int(sources.get(code, {}).get(metric, 0)) for code, _l in shown_sources
                        ],
                    }
                    for metric in ("found", "rectified")
                ],
            },
            "risk": {
                "title": _("Sites by risk level"),
                "data": [
                    {
                        "name": str(level["label"]),
                        "value": level["count"],
                        "colour": RISK_HEX.get(level["colour"], "#adb5bd"),
                        "url": level["url"],
                    }
                    for level in levels
                ],
            },
        }
    )


@login_required
@require_GET
def dashboard_charts(request: HttpRequest, region: str) -> JsonResponse:
    """The charts' data of a division's dashboard (the same scope rules as the page)."""
    if scope_for_user(request.user).organisation_id is not None:
        raise NotFound
    return _charts(request, scope_for_user(request.user, region=region))


@login_required
@require_GET
def enterprise_charts(request: HttpRequest) -> JsonResponse:
    """The charts' data of the user's enterprise (404 for anyone else)."""
    scope = scope_for_user(request.user)
    if scope.organisation_id is None:
        raise NotFound
    return _charts(request, scope)


# The figure behind each indicator of the map.
INDICATOR_FIGURES = {
    "open_major": "major_open",
    "overdue_rate": "overdue_rate",
    "closure_rate": "closure_rate",
}


def _indicator_value(indicator: str, values: dict[str, Any]) -> float | int | None:
    if indicator == "risk_sites":
        return int(values.get("major", 0)) + int(values.get("large", 0))
    value = values.get(INDICATOR_FIGURES[indicator])
    if value is None:
        return None if indicator.endswith("_rate") else 0
    return round(value, 4) if isinstance(value, float) else int(value)


@login_required
@require_GET
def dashboard_map(request: HttpRequest, region: str) -> JsonResponse:
    """The map of a division: the province by city, a city by district (a county: its city's
    map with itself), coloured by the chosen indicator, each area with the dashboard it leads
    to; on a city's or a county's map, its sites with coordinates coloured by risk level."""
    if scope_for_user(request.user).organisation_id is not None:
        raise NotFound
    scope = scope_for_user(request.user, region=region)
    if len(scope.region) > 6:
        raise NotFound
    form = _form(request, scope, MapForm)
    if not form.is_valid():
        return _problem(form)
    start, end = form.cleaned_data["range"]
    if form.cleaned_data.get("sector"):
        scope = scope.narrowed(sector=form.cleaned_data["sector"])
    indicator = form.cleaned_data.get("indicator") or MAP_INDICATORS[0][0]
    query = _carried(form)
    if len(scope.region) == 6:
        areas = [(scope.region, region_name(scope.region))]
        geo = scope.region[:4]
        figures = {scope.region: _area_values(scope, start, end, indicator, by_region=False)}
    else:
        areas = [(child.code, child.name) for child in child_regions(scope)]
        geo = scope.region
        figures = _area_values(scope, start, end, indicator, by_region=True)
    labels = dict(MAP_INDICATORS)
    rate = indicator.endswith("_rate")
    data = []
    for code, name in areas:
        value = _indicator_value(indicator, figures.get(code, {}))
        data.append(
            {
                "name": code,
                "label": name,
                "value": value,
                "display": "—"
                if value is None
                else (f"{value * 100:.1f}%" if rate else f"{value}"),
                "url": _dashboard_url(code, query),
            }
        )
    payload: dict[str, Any] = {
        "region": scope.region,
        "title": region_name(scope.region),
        "geo": static(f"reporting/geo/{geo}.json"),
        "geo_name": f"hl-{geo}",
        "indicator": indicator,
        "indicator_label": str(labels[indicator]),
        "rate": rate,
        "areas": data,
        "points": [],
        "legend": [],
    }
    if len(scope.region) >= 4:
        payload.update(_points(request.user, scope))
    return JsonResponse(payload)


def _area_values(scope: Scope, start: date, end: date, indicator: str, *, by_region: bool) -> Any:
    """The figures behind an indicator, per child region (or the scope's own)."""
    group = ("region",) if by_region else ()
    if indicator == "risk_sites":
        rows = risk_level_counts(scope, group_by=group)
    elif indicator == "closure_rate":
        rows = [with_rates(row) for row in period_totals(scope, start, end, group_by=group)]
    else:
        rows = [with_rates(row) for row in current_counts(scope, group_by=group)]
    if by_region:
        return {row["region"]: row for row in rows}
    return rows[0]


def _points(user: Any, scope: Scope) -> dict[str, Any]:
    """The scope's sites with coordinates, the most serious risk levels first, at most
    ``MAP_POINTS_MAX`` (四色分布图)."""
    rows = mapped_sites(user, scope, MAP_POINTS_MAX + 1)
    legend = [
        {"key": grade, "name": str(label), "colour": RISK_HEX[RISK_COLOURS[grade]]}
        for grade, label in RiskGrade.choices
    ] + [{"key": "", "name": _("Not assessed"), "colour": "#adb5bd"}]
    not_assessed = str(_("Not assessed"))
    level_labels = {level: str(label) for level, label in RiskGrade.choices}
    # One reverse() for all the points: thousands of them cost more than the query.
    marker = "2147483647"
    before, after = reverse("registry:site-detail", args=[marker]).split(marker)
    return {
        "points": [
            {
                "name": name,
                "value": [float(lng or 0), float(lat or 0)],
                "level": level,
                "level_label": level_labels.get(level, not_assessed),
                "colour": RISK_HEX.get(RISK_COLOURS.get(level, ""), "#adb5bd"),
                "url": f"{before}{pk}{after}",
            }
            for pk, name, lng, lat, level in rows[:MAP_POINTS_MAX]
        ],
        "points_more": len(rows) > MAP_POINTS_MAX,
        "legend": legend,
    }
