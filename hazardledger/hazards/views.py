"""Hazard pages: the ledger, a hazard with its timeline and actions, recording, the work
queue, quick reports, evidence files and the export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, FormView, ListView
from django_filters.views import FilterView

from hazardledger.access.scope import get_object_for_user, scope_region_code, user_can
from hazardledger.access.views import ActionRequiredMixin, ScopedObjectMixin, ScopedQuerysetMixin
from hazardledger.accounts.choices import Role
from hazardledger.accounts.http import AuthenticatedHttpRequest
from hazardledger.core.errors import Invalid, form_add_service_error
from hazardledger.core.forms import parse_id
from hazardledger.core.htmx import HtmxTemplateMixin
from hazardledger.core.pagination import LastPageMixin
from hazardledger.core.transactions import durable_atomic
from hazardledger.core.uploads import download_name, upload_response
from hazardledger.regions.selectors import region_filter_choices
from hazardledger.registry.models import Site
from hazardledger.transfer.spreadsheets import xlsx_response

from .choices import ACTION_VERBS, HazardAction
from .constants import EXPORT_MAX_ROWS, LEDGER_COUNT_CAP, LEDGER_PAGE_SIZE
from .deadlines import hazard_days_overdue, local_today
from .filtersets import HazardFilterSet
from .forms import ACTION_FORMS, HazardForm, QuickReportForm, RejectReportForm, TriageForm
from .models import Hazard, QuickReport
from .selectors import (
    bounded_count,
    deadline_history,
    evidence_get,
    hazard_events,
    hazard_list,
    hazard_queue,
    ledger_totals,
    possible_duplicates,
    quick_report_list,
    quick_reports_to_triage,
)
from .services import (
    hazard_record,
    quick_report_accept,
    quick_report_can_triage,
    quick_report_create,
    quick_report_reject,
)
from .transfer import export_headers, export_title, ledger_export_rows
from .workflow import (
    WORKFLOW_ACTIONS,
    ConcurrentEditError,
    InvalidTransition,
    allowed_actions,
    hazard_transition,
    transition_check,
)

ROLE_LABELS = dict(Role.choices)


class BoundedPaginator(Paginator):
    """Counts at most ``LEDGER_COUNT_CAP`` rows (see ``selectors.bounded_count``)."""

    @cached_property
    def count(self) -> int:
        assert isinstance(self.object_list, QuerySet)  # the ledger paginates querysets only
        n, self.capped = bounded_count(self.object_list)
        return n


class HazardListView(LastPageMixin, ScopedQuerysetMixin, HtmxTemplateMixin, FilterView):
    """The ledger: hazards in scope with filters, sorting, pagination and totals."""

    queryset = Hazard.objects.select_related("site", "region", "sector", "organisation")
    filterset_class = HazardFilterSet
    template_name = "hazards/hazard_list.html"
    partial_template_name = "hazards/partials/_hazard_results.html"
    paginate_by = LEDGER_PAGE_SIZE
    paginator_class = BoundedPaginator
    strict = False

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        paginator = context["paginator"]
        capped = getattr(paginator, "capped", False)
        context["capped"] = capped
        context["count_cap"] = LEDGER_COUNT_CAP
        context["totals"] = None if capped else ledger_totals(self.object_list)
        context["today"] = local_today()
        context["region_choices"] = region_filter_choices(
            scope_code=scope_region_code(user), selected=self.request.GET.get("region", "")
        )
        context["can_add"] = user_can(user, Hazard, "add")
        context["can_export"] = user_can(user, Hazard, "export")
        return context


class HazardDetailView(ScopedObjectMixin, DetailView):
    """One hazard: its facts, plan, evidence, timeline, and the forms for what the user may
    do now."""

    queryset = Hazard.objects.select_related("site", "region", "sector", "organisation")
    template_name = "hazards/hazard_detail.html"
    forms: dict[str, Any] | None = None
    alert = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        hazard, user = self.object, self.request.user
        events = list(hazard_events(hazard=hazard))
        for event in events:
            # For the template only, not a field; django-stubs rejects unknown attributes.
            event.role_label = ROLE_LABELS.get(event.actor_role, "")  # type: ignore[attr-defined]
        bound = self.forms or {}
        context.update(
            events=events,
            evidence=list(hazard.evidence.order_by("uploaded_at", "id")),
            plan=hazard.plans.order_by("-created_at", "-id").first(),
            extensions=list(hazard.extensions.all()),
            days_overdue=hazard_days_overdue(hazard),
            deadline_history=deadline_history(events),
            action_forms=[
                (
                    action,
                    ACTION_VERBS[action],
                    bound.get(action) or ACTION_FORMS[action](hazard=hazard),
                )
                for action in allowed_actions(hazard=hazard, actor=user)
                # Orders and listings are taken on the supervision app's pages.
                if action in ACTION_FORMS
            ],
            open_action=next(iter(bound), ""),
            alert=self.alert,
        )
        return context


@require_POST
@login_required
@durable_atomic()
def hazard_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take one workflow action (``action``) on a hazard from its page.

    A stale page gets the conflict message (409) and nothing changes; an action the user may
    not take is 403; one not possible in the hazard's state is 409; bad input re-renders the
    page with the form's errors (200). The view is the transaction's entry point: evidence
    files are stored and outbox events dispatched once it commits.
    """
    hazard = get_object_for_user(hazard_list(user=request.user), request.user, "view", pk=pk)
    if action not in WORKFLOW_ACTIONS or action not in ACTION_FORMS:
        raise Http404
    form = ACTION_FORMS[action](request.POST, request.FILES, hazard=hazard, user=request.user)
    view = HazardDetailView(request=request, kwargs={"pk": pk}, object=hazard)
    if str(hazard.version) != form.data.get(f"{action}-version"):
        return _render_detail(view, hazard, str(ConcurrentEditError.default_message), 409)
    try:
        transition_check(hazard=hazard, action=action, actor=request.user, check_scope=False)
    except InvalidTransition as exc:
        return _render_detail(view, hazard, str(exc.message), 409)
    if form.is_valid():
        try:
            hazard_transition(
                hazard=hazard,
                action=action,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                **form.service_kwargs(),
            )
        except (ConcurrentEditError, InvalidTransition) as exc:
            hazard.refresh_from_db()
            return _render_detail(view, hazard, str(exc.message), exc.status)
        except Invalid as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, HazardAction(action).label)
            return HttpResponseRedirect(hazard.get_absolute_url())
    view.forms = {action: form}
    return _render_detail(view, hazard, "", 200)


def _render_detail(view: HazardDetailView, hazard: Hazard, alert: str, status: int) -> HttpResponse:
    view.object = hazard
    view.alert = alert
    return render(view.request, view.template_name, view.get_context_data(), status=status)


def _stop_for_duplicates(form: Any, duplicates: list[Any]) -> bool:
    """True when likely duplicates were found and the user has not ticked past them yet; the
    form then carries the error on ``not_duplicate`` (recording and triage alike)."""
    if duplicates and not form.cleaned_data.get("not_duplicate"):
        form.add_error(
            "not_duplicate",
            _("Similar hazards were recorded at this site recently. Check them first."),
        )
        return True
    return False


class HazardCreateView(ActionRequiredMixin, FormView):
    """Record a hazard; likely duplicates are shown first and must be waved through."""

    scope_model = Hazard
    scope_action = "add"
    form_class = HazardForm
    template_name = "hazards/hazard_form.html"

    @cached_property
    def site(self) -> Site | None:
        site_id = parse_id(self.request.GET.get("site"))
        if site_id is None:
            return None
        from hazardledger.registry.selectors import site_list

        return get_object_for_user(site_list(user=self.request.user), self.request.user, pk=site_id)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user, "site": self.site}

    @method_decorator(durable_atomic())
    def form_valid(self, form: HazardForm) -> HttpResponse:
        data = form.cleaned_data
        duplicates = possible_duplicates(
            user=self.request.user,
            site_id=data["site"].pk,
            description=data["description"],
            location=data["location"],
        )
        if _stop_for_duplicates(form, duplicates):
            return self.render_to_response(self.get_context_data(form=form, duplicates=duplicates))
        try:
            hazard = hazard_record(
                actor=self.request.user,
                site_id=data["site"].pk,
                data=form.hazard_input(),
                files=data.get("files") or [],
                possible_duplicates=[d.hazard.pk for d in duplicates],
            )
        except Invalid as exc:
            form_add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Hazard #%(n)d recorded.") % {"n": hazard.pk})
        return HttpResponseRedirect(hazard.get_absolute_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["site"] = self.site
        return context


@require_GET
@login_required
def hazard_duplicates(request: HttpRequest) -> HttpResponse:
    """Likely duplicates of what is being typed (an HTMX fragment on the record form)."""
    duplicates = possible_duplicates(
        user=request.user,
        site_id=parse_id(request.GET.get("site")),
        description=request.GET.get("description", ""),
        location=request.GET.get("location", ""),
    )
    return render(request, "hazards/partials/_duplicates.html", {"duplicates": duplicates})


@require_GET
@login_required
def hazard_queue_view(request: HttpRequest) -> HttpResponse:
    """The user's work queue: what waits for them, by kind of work."""
    context = {
        "sections": hazard_queue(user=request.user),
        "reports": quick_reports_to_triage(user=request.user)[:10],
        "today": local_today(),
    }
    return render(request, "hazards/hazard_queue.html", context)


@require_GET
@login_required
def hazard_export(request: HttpRequest) -> HttpResponse:
    """The filtered ledger as xlsx in the ledger layout offices keep (domain.md 0.3)."""
    if not user_can(request.user, Hazard, "export"):
        raise PermissionDenied
    hazards = HazardFilterSet(
        request.GET, queryset=hazard_list(user=request.user, action="export")
    ).qs
    return xlsx_response(
        title=export_title(),
        headers=export_headers(),
        rows=ledger_export_rows(hazards, limit=EXPORT_MAX_ROWS),
        filename="hazards",
    )


@require_GET
@login_required
def evidence_file(request: HttpRequest, pk: int, thumbnail: bool = False) -> HttpResponseBase:
    """An evidence file (or its thumbnail), served only to users who may see its hazard."""
    evidence = evidence_get(user=request.user, pk=pk)
    field = evidence.thumbnail if thumbnail and evidence.thumbnail else evidence.file
    content_type = "image/jpeg" if field is evidence.thumbnail else evidence.content_type
    # Offered under the name it was uploaded with (made safe, with the stored type's extension).
    return upload_response(
        field,
        content_type=content_type,
        filename=download_name(
            evidence.original_name, stored=field.name, fallback=f"evidence-{evidence.pk}"
        ),
        as_attachment=not (content_type.startswith("image/") or thumbnail),
    )


# --- quick reports ----------------------------------------------------------------------------


class QuickReportCreateView(ActionRequiredMixin, FormView):
    """Report a hazard in a minute from a phone: the site, a sentence and a photo."""

    scope_model = QuickReport
    scope_action = "add"
    form_class = QuickReportForm
    template_name = "hazards/quickreport_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    @method_decorator(durable_atomic())
    def form_valid(self, form: QuickReportForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            quick_report_create(
                actor=self.request.user,
                site_id=data["site"].pk,
                description=data["description"],
                location=data.get("location", ""),
                files=data["files"],
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
            )
        except Invalid as exc:
            form_add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Thank you. Your report was sent to the safety officer."))
        return HttpResponseRedirect(self.request.path)


class QuickReportListView(LastPageMixin, ScopedQuerysetMixin, ListView):
    """Quick reports: mine (with the outcome) and those waiting for my triage."""

    request: AuthenticatedHttpRequest  # LoginRequiredMixin turns anonymous requests away
    queryset = QuickReport.objects.select_related("site", "hazard")
    template_name = "hazards/quickreport_list.html"
    paginate_by = 25

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["to_triage"] = quick_reports_to_triage(user=self.request.user)[:50]
        context["mine"] = quick_report_list(user=self.request.user).filter(
            reporter=self.request.user
        )[:50]
        context["can_report"] = user_can(self.request.user, QuickReport, "add")
        return context


class QuickReportDetailView(ScopedObjectMixin, DetailView):
    """A quick report with its photos, and the triage forms for who may triage it."""

    queryset = QuickReport.objects.select_related("site", "hazard")
    template_name = "hazards/quickreport_detail.html"
    triage_form: Any = None
    reject_form: Any = None
    duplicates: Any = None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report, user = self.object, self.request.user
        can_triage = quick_report_can_triage(actor=user, report=report)
        initial = {
            "version": report.version,
            "description": report.description,
            "location": report.location,
            "found_on": timezone.localtime(report.created_at).date(),
            "found_by_name": report.reporter_name,
            "source": "self_inspection" if report.organisation_id else "other",
        }
        duplicates = self.duplicates
        if duplicates is None and can_triage:
            duplicates = possible_duplicates(
                user=user, site_id=report.site_id, description=report.description
            )
        context.update(
            can_triage=can_triage,
            evidence=list(report.evidence.all()),
            triage_form=self.triage_form or TriageForm(initial=initial),
            reject_form=self.reject_form or RejectReportForm(initial={"version": report.version}),
            duplicates=duplicates or [],
        )
        return context


def _report_for_triage(request: HttpRequest, pk: int) -> QuickReport:
    """The report, if the user may triage it: 404 out of scope, 403 unless the quick-report
    policy lets the user triage it (as its responsible party). Whether it is still untriaged
    is the service's check (a conflict)."""
    return get_object_for_user(quick_report_list(user=request.user), request.user, "triage", pk=pk)


def _render_report(
    request: HttpRequest, report: QuickReport, status: int = 200, **attrs: Any
) -> HttpResponse:
    view = QuickReportDetailView(request=request, kwargs={"pk": report.pk}, object=report, **attrs)
    return render(request, view.template_name, view.get_context_data(), status=status)


@require_POST
@login_required
@durable_atomic()
def quick_report_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a quick report in the ledger (duplicates are shown first)."""
    report = _report_for_triage(request, pk)
    form = TriageForm(request.POST)
    if not form.is_valid():
        return _render_report(request, report, triage_form=form)
    duplicates = possible_duplicates(
        user=request.user, site_id=report.site_id, description=form.cleaned_data["description"]
    )
    if _stop_for_duplicates(form, duplicates):
        return _render_report(request, report, triage_form=form, duplicates=duplicates)
    try:
        hazard = quick_report_accept(
            actor=request.user,
            report=report,
            expected_version=form.cleaned_data["version"],
            data=form.hazard_input(),
            possible_duplicates=[d.hazard.pk for d in duplicates],
        )
    except ConcurrentEditError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(report.get_absolute_url())
    except Invalid as exc:
        form_add_service_error(form, exc)
        return _render_report(request, report, triage_form=form)
    messages.success(request, _("Hazard #%(n)d recorded.") % {"n": hazard.pk})
    return HttpResponseRedirect(hazard.get_absolute_url())


@require_POST
@login_required
@durable_atomic()
def quick_report_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Reject a quick report with a reason the reporter sees."""
    report = _report_for_triage(request, pk)
    form = RejectReportForm(request.POST)
    if not form.is_valid():
        return _render_report(request, report, reject_form=form)
    try:
        quick_report_reject(
            actor=request.user,
            report=report,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )
    except ConcurrentEditError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Report rejected; the reporter sees your reason."))
    return HttpResponseRedirect(report.get_absolute_url())
