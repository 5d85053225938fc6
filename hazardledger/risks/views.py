"""Risk pages: register, four-colour site list, risk point, assessment, controls, photos,
notice card, export, inspection schedule and counts by region.

Every page: anonymous → login, out of scope → 404, in scope but not allowed → 403. Form pages
call one service each in ``perform`` inside the request's durable transaction; the services
enforce who may act, and ``ServiceFormMixin`` shows their errors on the form (a stale edit page
gets 409 and the message, nothing saved).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import FormView
from django_filters.views import FilterView

from hazardledger.access.scope import get_object_for_user, user_can
from hazardledger.accounts.http import AuthenticatedHttpRequest
from hazardledger.core.errors import ServiceFormMixin
from hazardledger.core.htmx import HtmxTemplateMixin
from hazardledger.core.http import safe_next
from hazardledger.core.pagination import LastPageMixin, nearest_page
from hazardledger.core.transactions import durable_atomic
from hazardledger.core.uploads import upload_response
from hazardledger.regions.selectors import region_filter_choices
from hazardledger.registry.models import Site
from hazardledger.registry.selectors import site_list
from hazardledger.transfer.spreadsheets import xlsx_response

from .cards import notice_card_pdf
from .filtersets import RiskPointFilterSet
from .forms import (
    AssessmentForm,
    ControlMeasureForm,
    InspectionRecordForm,
    PhotoForm,
    RiskCountsForm,
    RiskPointForm,
)
from .models import ControlMeasure, RiskPoint, RiskPointPhoto, SiteInspectionSchedule
from .selectors import (
    control_measure_get,
    counts_base_region,
    dashboard_risk_counts,
    risk_point_assessment_list,
    risk_point_controls_by_kind,
    risk_point_get,
    risk_point_list,
    site_inspection_due_list,
    site_inspection_status,
    site_risk_point_list,
)
from .services import (
    RISK_POINT_FIELDS,
    control_measure_create,
    control_measure_delete,
    control_measure_update,
    risk_point_assess,
    risk_point_create,
    risk_point_photo_add,
    risk_point_update,
    site_inspection_record,
)
from .transfer import EXPORT_TITLE, export_headers, risk_register_rows


def _site_for(request: HttpRequest, pk: int) -> Site:
    return get_object_for_user(site_list(user=request.user), request.user, "view", pk=pk)


def _require(user: Any, model: Any, action: str) -> None:
    if not user_can(user, model, action):
        raise PermissionDenied


class RiskPointListView(LastPageMixin, LoginRequiredMixin, HtmxTemplateMixin, FilterView):
    """The risk register: risk points in scope, worst first, with filters."""

    filterset_class = RiskPointFilterSet
    template_name = "risks/riskpoint_list.html"
    partial_template_name = "risks/partials/_riskpoint_results.html"
    paginate_by = 25
    strict = False

    def get_queryset(self) -> Any:
        return risk_point_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_export"] = user_can(self.request.user, RiskPoint, "export")
        context["can_see_schedule"] = user_can(self.request.user, SiteInspectionSchedule, "view")
        return context


@require_GET
@login_required
def site_risk_list(request: HttpRequest, site_pk: int) -> HttpResponse:
    """A site's four-colour risk list: its risk points by grade, with their controls."""
    site = _site_for(request, site_pk)
    points = list(site_risk_point_list(user=request.user, site=site))
    return render(
        request,
        "risks/site_risk_list.html",
        {
            "site": site,
            "points": points,
            "can_add": user_can(request.user, RiskPoint, "add"),
            "can_export": user_can(request.user, RiskPoint, "export"),
        },
    )


class RiskPointCreateView(LoginRequiredMixin, ServiceFormMixin, FormView):
    form_class = RiskPointForm
    template_name = "risks/riskpoint_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.site = _site_for(request, kwargs["site_pk"])
            _require(request.user, RiskPoint, "add")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(site=self.site, **kwargs)

    def perform(self, form: RiskPointForm) -> HttpResponse:
        with durable_atomic():
            point = risk_point_create(
                actor=self.request.user, site=self.site, data=form.cleaned_data
            )
        messages.success(self.request, _("Risk point “%(name)s” added.") % {"name": point.name})
        return HttpResponseRedirect(point.get_absolute_url())


class RiskPointUpdateView(LoginRequiredMixin, ServiceFormMixin, FormView):
    form_class = RiskPointForm
    template_name = "risks/riskpoint_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.point = risk_point_get(user=request.user, pk=kwargs["pk"], action="change")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {key: getattr(self.point, key) for key in (*RISK_POINT_FIELDS, "version")}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(site=self.point.site, point=self.point, **kwargs)

    def perform(self, form: RiskPointForm) -> HttpResponse:
        with durable_atomic():
            risk_point_update(
                actor=self.request.user,
                risk_point=self.point,
                expected_version=form.cleaned_data["version"] or self.point.version,
                data=form.cleaned_data,
            )
        messages.success(self.request, _("Risk point saved."))
        return HttpResponseRedirect(self.point.get_absolute_url())


@require_GET
@login_required
def riskpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One risk point: grade and assessment history, controls by kind, photos."""
    point = risk_point_get(user=request.user, pk=pk)
    user = request.user
    return render(
        request,
        "risks/riskpoint_detail.html",
        {
            "point": point,
            "site": point.site,
            "assessments": risk_point_assessment_list(risk_point=point),
            "control_groups": risk_point_controls_by_kind(risk_point=point),
            "photos": point.photos.all(),
            "can_change": user_can(user, RiskPoint, "change"),
            "can_assess": user_can(user, RiskPoint, "assess"),
            "can_add_control": user_can(user, ControlMeasure, "add"),
            "can_change_control": user_can(user, ControlMeasure, "change"),
            "can_delete_control": user_can(user, ControlMeasure, "delete"),
            "can_add_photo": user_can(user, RiskPointPhoto, "add"),
        },
    )


class RiskPointAssessView(LoginRequiredMixin, ServiceFormMixin, FormView):
    """Assess (or re-assess) a risk point; the previous assessment stays in the history."""

    form_class = AssessmentForm
    template_name = "risks/riskpoint_assess.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.point = risk_point_get(user=request.user, pk=kwargs["pk"], action="assess")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(point=self.point, site=self.point.site, **kwargs)

    def perform(self, form: AssessmentForm) -> HttpResponse:
        with durable_atomic():
            assessment = risk_point_assess(
                actor=self.request.user,
                risk_point=self.point,
                method=form.cleaned_data["method"],
                factors=form.factors(),
                note=form.cleaned_data["note"],
            )
        messages.success(
            self.request,
            _("Assessed: %(grade)s (value %(value)s).")
            % {"grade": assessment.get_grade_display(), "value": form.result.value},  # type: ignore[union-attr]
        )
        return HttpResponseRedirect(self.point.get_absolute_url())


@require_GET
@login_required
def risk_calculator(request: HttpRequest) -> HttpResponse:
    """The grade the factors in the query string would give (the assessment form's preview)."""
    form = AssessmentForm(request.GET)
    form.is_valid()
    return render(request, "risks/partials/_assessment_preview.html", {"form": form})


class ControlFormView(LoginRequiredMixin, ServiceFormMixin, FormView):
    """Add a control to a risk point, or edit one (``pk`` of the control)."""

    form_class = ControlMeasureForm
    template_name = "risks/control_form.html"
    control: ControlMeasure | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            if "point_pk" in kwargs:
                self.point = risk_point_get(user=request.user, pk=kwargs["point_pk"])
                _require(request.user, ControlMeasure, "add")
            else:
                self.control = control_measure_get(
                    user=request.user, pk=kwargs["pk"], action="change"
                )
                self.point = self.control.risk_point
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        if self.control is None:
            return {}
        return {field: getattr(self.control, field) for field in ControlMeasureForm.base_fields}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            point=self.point, site=self.point.site, control=self.control, **kwargs
        )

    def perform(self, form: ControlMeasureForm) -> HttpResponse:
        user, data = self.request.user, form.cleaned_data
        with durable_atomic():
            if self.control is None:
                control_measure_create(actor=user, risk_point=self.point, data=data)
            else:
                control_measure_update(
                    actor=user,
                    control=self.control,
                    expected_version=data["version"] or self.control.version,
                    data=data,
                )
        messages.success(self.request, _("Control measure saved."))
        return HttpResponseRedirect(self.point.get_absolute_url() + "#controls")


@require_POST
@login_required
def control_delete(request: HttpRequest, pk: int) -> HttpResponse:
    control = control_measure_get(user=request.user, pk=pk, action="delete")
    point = control.risk_point
    with durable_atomic():
        control_measure_delete(actor=request.user, control=control)
    messages.success(request, _("Control measure removed."))
    return HttpResponseRedirect(point.get_absolute_url() + "#controls")


class PhotoAddView(LoginRequiredMixin, ServiceFormMixin, FormView):
    form_class = PhotoForm
    template_name = "risks/photo_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.point = risk_point_get(user=request.user, pk=kwargs["pk"])
            _require(request.user, RiskPointPhoto, "add")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(point=self.point, site=self.point.site, **kwargs)

    def perform(self, form: PhotoForm) -> HttpResponse:
        with durable_atomic():
            risk_point_photo_add(
                actor=self.request.user,
                risk_point=self.point,
                image=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
            )
        messages.success(self.request, _("Photo added."))
        return HttpResponseRedirect(self.point.get_absolute_url() + "#photos")


@require_GET
@login_required
def photo_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A photo, served only to users who may see its risk point."""
    photo = get_object_for_user(RiskPointPhoto.objects.all(), request.user, "view", pk=pk)
    return upload_response(photo.image)


@require_GET
@login_required
def riskpoint_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The risk notice card of a risk point as PDF (opens in the browser, prints on A4)."""
    point = risk_point_get(user=request.user, pk=pk)
    response = HttpResponse(notice_card_pdf(risk_point=point), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="risk-card-{point.pk}.pdf"'
    return response


@require_GET
@login_required
def riskpoint_export(request: HttpRequest) -> HttpResponse:
    """The filtered risk register as xlsx."""
    _require(request.user, RiskPoint, "export")
    points = RiskPointFilterSet(
        request.GET, queryset=risk_point_list(user=request.user, action="export")
    ).qs
    return xlsx_response(
        title=str(EXPORT_TITLE),
        headers=export_headers(),
        rows=risk_register_rows(points),
        filename="risk-register",
    )


@require_GET
@login_required
def inspection_due_list(request: HttpRequest) -> HttpResponse:
    """Sites in scope due or overdue for inspection given their risk level."""
    _require(request.user, SiteInspectionSchedule, "view")
    overdue_only = request.GET.get("show") == "overdue"
    sites = site_inspection_due_list(user=request.user, include_due_soon=not overdue_only)
    page = nearest_page(Paginator(sites, 50), request.GET.get("page"))
    rows = [site_inspection_status(site=site) for site in page]
    return render(
        request,
        "risks/inspection_due_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "overdue_only": overdue_only,
            "can_record": user_can(request.user, SiteInspectionSchedule, "change"),
            "today": timezone.localdate(),
        },
    )


@require_POST
@login_required
def site_inspection_record_view(request: HttpRequest, site_pk: int) -> HttpResponse:
    """Record the date of a regulatory inspection of a site (until the inspections app)."""
    site = _site_for(request, site_pk)
    _require(request.user, SiteInspectionSchedule, "change")
    form = InspectionRecordForm(request.POST)
    if form.is_valid():
        with durable_atomic():
            site_inspection_record(
                actor=request.user, site=site, inspected_on=form.cleaned_data["inspected_on"]
            )
        messages.success(request, _("Inspection of “%(name)s” recorded.") % {"name": site.name})
    else:
        for error in form.errors.get("inspected_on", []):
            messages.error(request, f"{site.name}: {error}")
    return HttpResponseRedirect(safe_next(request, reverse("risks:inspection-due-list")))


@require_GET
@login_required
def risk_counts(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Counts of risk points and sites by grade under a region and in a sector."""
    _require(request.user, RiskPoint, "view")
    choices = region_filter_choices(
        scope_code=counts_base_region(user=request.user), selected=request.GET.get("region", "")
    )
    form = RiskCountsForm(request.GET or None, region_choices=choices)
    region_code, sector_code = None, None
    if form.is_bound and form.is_valid():
        region_code = form.cleaned_data["region"] or None
        sector = form.cleaned_data["sector"]
        sector_code = sector.code if sector else None
    counts = dashboard_risk_counts(
        user=request.user, region_code=region_code, sector_code=sector_code
    )
    return render(request, "risks/risk_counts.html", {"form": form, "counts": counts})
