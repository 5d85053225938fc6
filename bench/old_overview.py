"""The overview as it was before issue 15 (``git show b255706:hazardledger/core/views.py``), kept
so that ``bench/dashboards.py`` can time it beside the new dashboards on the same database.

It aggregated the ledger and the registry per request: three ``GROUP BY`` queries over the
user's sites (``registry.selectors.site_summary``) and one aggregate over the user's hazards
(``hazards.selectors.ledger_totals``), then rendered four cards and two tables. The queries
are copied as they were; the page (``core/home.html`` and its fragments, since moved) is
inlined below with the same markup.

Used as a URLconf (``ROOT_URLCONF = "old_overview"``): every project URL plus
``/bench/old-overview/``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from hazardledger.access.scope import restrict
from hazardledger.hazards.choices import OPEN_STATUSES, HazardGrade, HazardStatus
from hazardledger.hazards.deadlines import overdue_q, review_overdue_q
from hazardledger.hazards.models import Hazard
from hazardledger.regions.models import Sector
from hazardledger.registry.choices import RISK_COLOURS, RiskGrade
from hazardledger.registry.models import Site

PAGE = """{% extends "base.html" %}{% load i18n humanize %}
{% block content %}
<h1 class="h3 mb-1">{% translate "Overview" %}</h1>
<div class="row g-3 mb-4">
  <div class="col-6 col-lg-3"><div class="card"><div class="card-body">
    <a href="{% url 'registry:site-list' %}">{{ summary.total|intcomma }}</a></div></div></div>
  <div class="col-6 col-lg-3"><div class="card"><div class="card-body">
    <a href="{% url 'hazards:hazard-list' %}?status=open">{{ hazards.open|intcomma }}</a></div></div></div>
  <div class="col-6 col-lg-3"><div class="card"><div class="card-body">
    <a href="{% url 'hazards:hazard-list' %}?grade=major&amp;status=open">{{ hazards.major_open|intcomma }}</a></div></div></div>
  <div class="col-6 col-lg-3"><div class="card"><div class="card-body">
    <a href="{% url 'hazards:hazard-list' %}?overdue=true">{{ hazards.overdue|intcomma }}</a></div></div></div>
  <div class="col-6 col-lg-3"><div class="card"><div class="card-body">
    <a href="{% url 'hazards:hazard-list' %}?review_overdue=true">{{ hazards.review_overdue|intcomma }}</a></div></div></div>
</div>
<div class="row g-4">
  <table class="table table-sm"><tbody>
  {% for grade, label, colour, count in risk_levels %}<tr><td>{{ label }}</td><td>{{ count|intcomma }}</td></tr>{% endfor %}
  <tr><td>{% translate "Not assessed" %}</td><td>{{ not_assessed|intcomma }}</td></tr>
  </tbody></table>
  <table class="table table-sm"><tbody>
  {% for sector, count in summary.by_sector %}{% if count %}<tr><td>{{ sector.name }}</td><td>{{ count|intcomma }}</td></tr>{% endif %}{% endfor %}
  </tbody></table>
</div>
{% endblock %}"""  # noqa: E501


def site_summary(*, user: Any) -> dict[str, Any]:
    """``registry.selectors.site_summary`` before issue 15: three aggregates over the sites."""
    sites = restrict(Site.objects.all(), user, "view")
    by_sector = dict(sites.values_list("sector").annotate(n=Count("id")).order_by())
    by_status = dict(sites.values_list("status").annotate(n=Count("id")).order_by())
    by_risk = dict(sites.values_list("risk_level").annotate(n=Count("id")).order_by())
    return {
        "total": sum(by_sector.values()),
        "by_sector": [(sector, by_sector.get(sector.code, 0)) for sector in Sector.objects.all()],
        "by_status": by_status,
        "by_risk": by_risk,
    }


def ledger_totals(*, user: Any) -> dict[str, int]:
    """``hazards.selectors.ledger_totals(hazard_list(user=…))`` before issue 15: one aggregate
    over every hazard in the user's scope."""
    qs = restrict(
        Hazard.objects.select_related("site", "region", "sector", "organisation"), user, "view"
    )
    return qs.order_by().aggregate(
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=overdue_q()),
        review_overdue=Count("id", filter=review_overdue_q()),
        major_open=Count("id", filter=Q(grade=HazardGrade.MAJOR, status__in=OPEN_STATUSES)),
        closed=Count("id", filter=Q(status=HazardStatus.CLOSED)),
    )


@login_required
def old_overview(request: HttpRequest) -> HttpResponse:
    summary = site_summary(user=request.user)
    context = {
        "summary": summary,
        "risk_levels": [
            (grade, label, RISK_COLOURS[grade], summary["by_risk"].get(grade, 0))
            for grade, label in RiskGrade.choices
        ],
        "not_assessed": summary["by_risk"].get("", 0),
        "hazards": ledger_totals(user=request.user),
    }
    template = engines["django"].from_string(PAGE)
    return HttpResponse(template.render(context, request))


urlpatterns = [*project_urlpatterns, path("bench/old-overview/", old_overview)]
