"""Campaign pages: the list, issuing (from scratch or a seasonal template), the campaign with
its live progress down the cascade, taking it up, tasks (and giving them to people or a draw),
the hazards behind each figure, the progress report as xlsx and PDF, circulars and weekly
reports.

Every page: anonymous → login, out of scope → 404, in scope but not allowed → 403 (the
policies, ``policies.py``). Writes run in one durable transaction opened here; services raise
the ``core.errors`` family, which the forms show.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hazardledger.access.scope import get_object_for_user, restrict, scope_region_code, user_can
from hazardledger.core.errors import ServiceError, form_add_service_error, form_error_status
from hazardledger.core.forms import error_text
from hazardledger.core.transactions import durable_atomic
from hazardledger.core.uploads import upload_response
from hazardledger.regions.models import Region
from hazardledger.regions.selectors import is_under
from hazardledger.transfer.spreadsheets import XLSX_CONTENT_TYPE

from .choices import HAZARD_FIGURES, TaskState
from .constants import HAZARD_PAGE_SIZE, TASK_PAGE_SIZE
from .documents import report_pdf_bytes, report_xlsx_bytes
from .forms import (
    AssignForm,
    CampaignDrawForm,
    CampaignForm,
    CircularForm,
    TakeUpForm,
    TaskFilterForm,
    TemplateForm,
    assignable_users,
)
from .models import Campaign, CampaignReport, Circular, Task
from .policies import CAMPAIGN_POLICY, TASK_POLICY
from .seasonal import TEMPLATES, template_plan
from .selectors import (
    HAZARD_DRILLS,
    campaign_chain,
    campaign_delegated,
    campaign_list,
    campaign_phases,
    campaign_progress,
    campaign_scope,
    campaign_tasks,
    drill_hazards,
    my_tasks,
    pending_by_responsible,
)
from .services import (
    CampaignInput,
    campaign_draw,
    campaign_issue,
    campaign_take_up,
    can_take_up,
    circular_send,
    may_circulate,
    task_inspect,
    tasks_assign,
)

REFUSALS = (ServiceError, ValidationError)


def _campaign(request: HttpRequest, pk: int, action: str = "view") -> Campaign:
    return get_object_for_user(
        campaign_list(user=request.user).select_related("issuer"), request.user, action, pk=pk
    )


def _require(user: Any, model: Any, action: str) -> None:
    if not user_can(user, model, action):
        raise PermissionDenied


def _region_param(request: HttpRequest, campaign: Campaign) -> str:
    code = (request.GET.get("at") or "").strip()
    return code if code.isdigit() and is_under(code, campaign.region_id) else ""


def _sector_param(request: HttpRequest, campaign: Campaign) -> str:
    code = (request.GET.get("sector") or "").strip()
    return code if code in campaign_scope(campaign).sectors else ""


# --- the list and issuing ---------------------------------------------------------------------


@require_GET
@login_required
def campaign_list_view(request: HttpRequest) -> HttpResponse:
    """Campaigns in scope, newest first, with their level, period and state."""
    today = timezone.localdate()
    page = Paginator(campaign_list(user=request.user).order_by("-starts_on", "-pk"), 25).get_page(
        request.GET.get("page")
    )
    for campaign in page.object_list:
        campaign.now = campaign.state(today)  # template only
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "page_obj": page,
            "can_add": user_can(request.user, Campaign, "add"),
            "open_tasks": my_tasks(user=request.user).count(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    """Issue a campaign for the user's level."""
    _require(request.user, Campaign, "add")
    form = CampaignForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            with durable_atomic():
                campaign = campaign_issue(actor=request.user, data=form.campaign_input())
        except REFUSALS as exc:
            form_add_service_error(form, exc)
            status = form_error_status(exc)
        else:
            messages.success(request, _("Campaign issued. Its tasks are being made."))
            return redirect(campaign.get_absolute_url())
    return render(request, "campaigns/campaign_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def campaign_from_template(request: HttpRequest) -> HttpResponse:
    """One action: a seasonal campaign (pre-flood, fire prevention, holidays, learn from one
    case) with its scope, dates, phases, checklists and targets for the user's region."""
    _require(request.user, Campaign, "add")
    form = TemplateForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        template = TEMPLATES[data["template"]]
        names = dict(Region.objects.filter(code__in=data["regions"]).values_list("code", "name"))
        plan = template_plan(
            template=template,
            starts_on=data["starts_on"],
            area="、".join(names.get(code, code) for code in data["regions"]),
            sectors=data.get("sectors") or [],
            accident=data.get("accident") or "",
        )
        scope = scope_region_code(request.user)
        delegated = (
            [code for code in data["regions"] if len(code) > len(scope)]
            if data.get("hand_down")
            else []
        )
        try:
            with durable_atomic():
                campaign = campaign_issue(
                    actor=request.user,
                    data=CampaignInput(
                        regions=data["regions"],
                        delegated=delegated,
                        document_number=data.get("document_number") or "",
                        **plan,
                    ),
                )
        except REFUSALS as exc:
            form_add_service_error(form, exc)
            status = form_error_status(exc)
        else:
            messages.success(request, _("Campaign issued. Its tasks are being made."))
            return redirect(campaign.get_absolute_url())
    return render(
        request,
        "campaigns/campaign_template.html",
        {"form": form, "templates": TEMPLATES},
        status=status,
    )


# --- one campaign ------------------------------------------------------------------------------


@require_GET
@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign: directive, phases, targets, the cascade, and (for the supervising side)
    its live progress per region and sector at ``?at=<region>``, the national table,
    circulars and weekly reports."""
    campaign = _campaign(request, pk)
    user, today = request.user, timezone.localdate()
    may_progress = CAMPAIGN_POLICY.user_has_permission(user, "progress")
    report = (
        campaign_progress(
            campaign=campaign,
            user=user,
            today=today,
            at=_region_param(request, campaign),
            sector=_sector_param(request, campaign),
        )
        if may_progress
        else None
    )
    circulate = may_circulate(actor=user, campaign=campaign)
    circular_form = (
        CircularForm(
            regions=[(row.code, row.name) for row in report.rows],
            initial={"kind": "urging"},
        )
        if circulate and report is not None and report.rows
        else None
    )
    children = list(campaign.children.select_related("region").order_by("region_id"))
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "chain": campaign_chain(campaign)[:-1],
            "children": children,
            "phases": campaign_phases(campaign),
            "scope": campaign_scope(campaign),
            "delegated": _region_names(campaign_delegated(campaign)),
            "hazards_url": reverse("campaigns:campaign-hazards", kwargs={"pk": campaign.pk}),
            "checklists": _checklist_titles(campaign.checklist_codes),
            "report": report,
            "state": campaign.state(today),
            "can_take_up": can_take_up(actor=user, parent=campaign),
            "circular_form": circular_form,
            "circulars": _visible_circulars(user, campaign),
            "reports": _visible_reports(user, campaign),
            "can_export": may_progress and CAMPAIGN_POLICY.user_has_permission(user, "export"),
            "can_draw": CAMPAIGN_POLICY.user_has_permission(user, "draw")
            and campaign.tasks_built_at is not None,
            "my_open": my_tasks(user=user).filter(root_id=campaign.root_pk).count(),
        },
    )


def _checklist_titles(codes: list[str]) -> list[str]:
    from hazardledger.inspections.models import Checklist

    found = {c.code: c.title for c in Checklist.objects.filter(code__in=codes, is_current=True)}
    return [found.get(code, code) for code in codes]


def _region_names(codes: list[str]) -> list[str]:
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return [names.get(code, code) for code in codes]


def _visible_circulars(user: Any, campaign: Campaign) -> Any:
    return restrict(Circular.objects.filter(campaign=campaign), user, "view")[:50]


def _visible_reports(user: Any, campaign: Campaign) -> Any:
    return restrict(CampaignReport.objects.filter(campaign=campaign), user, "view")[:12]


@require_GET
@login_required
def campaign_directive(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The directive file, to whoever sees the campaign."""
    campaign = _campaign(request, pk)
    extension = campaign.directive_file.name.rsplit(".", 1)[-1] if campaign.directive_file else ""
    return upload_response(campaign.directive_file, filename=f"directive.{extension}")


@require_http_methods(["GET", "POST"])
@login_required
def campaign_take_up_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the campaign up for the user's region (an office of a region it was handed to)."""
    parent = _campaign(request, pk)
    _require(request.user, Campaign, "take_up")
    if not can_take_up(actor=request.user, parent=parent):
        raise PermissionDenied
    form = TakeUpForm(request.POST or None, user=request.user, parent=parent)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            with durable_atomic():
                campaign = campaign_take_up(
                    actor=request.user, parent=parent, data=form.campaign_input()
                )
        except REFUSALS as exc:
            form_add_service_error(form, exc)
            status = form_error_status(exc)
        else:
            messages.success(request, _("Campaign taken up for your region."))
            return redirect(campaign.get_absolute_url())
    return render(
        request,
        "campaigns/campaign_take_up.html",
        {"form": form, "parent": parent},
        status=status,
    )


def _report(request: HttpRequest, pk: int) -> Any:
    campaign = _campaign(request, pk, "export")
    _require(request.user, Campaign, "progress")
    return campaign_progress(
        campaign=campaign,
        user=request.user,
        today=timezone.localdate(),
        at=_region_param(request, campaign),
        sector=_sector_param(request, campaign),
    )


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}"'
    return response


@require_GET
@login_required
def campaign_export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress report as a spreadsheet (the page's region and sector), on demand."""
    report = _report(request, pk)
    return _download(report_xlsx_bytes(report), XLSX_CONTENT_TYPE, "campaign-progress.xlsx")


@require_GET
@login_required
def campaign_export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress report as PDF (the page's region and sector), on demand."""
    report = _report(request, pk)
    return _download(report_pdf_bytes(report), "application/pdf", "campaign-progress.pdf")


@require_GET
@login_required
def campaign_report_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    """A weekly report's spreadsheet or PDF, to the issuing level and those above it."""
    report = restrict(CampaignReport.objects.filter(pk=pk), request.user, "view").first()
    if report is None or fmt not in ("xlsx", "pdf"):
        raise Http404
    field = report.xlsx if fmt == "xlsx" else report.pdf
    return upload_response(
        field,
        content_type=XLSX_CONTENT_TYPE if fmt == "xlsx" else "application/pdf",
        filename=f"campaign-{report.campaign_id}-{report.as_of}.{fmt}",
        as_attachment=True,
    )


@require_GET
@login_required
def campaign_hazards(request: HttpRequest, pk: int) -> HttpResponse:
    """The hazards behind one figure of the progress report (``?figure=``), in the user's
    scope."""
    campaign = _campaign(request, pk)
    _require(request.user, Campaign, "progress")
    figure = request.GET.get("figure", "")
    if figure not in HAZARD_DRILLS and figure != "overdue":
        figure = "hazards"
    at, sector = _region_param(request, campaign), _sector_param(request, campaign)
    hazards = drill_hazards(
        campaign=campaign,
        user=request.user,
        figure=figure,
        today=timezone.localdate(),
        at=at,
        sector=sector,
    )
    page = Paginator(hazards, HAZARD_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(_figure_labels())
    return render(
        request,
        "campaigns/campaign_hazards.html",
        {
            "campaign": campaign,
            "page_obj": page,
            "figure": figure,
            "figure_label": labels.get(figure, figure),
            "at": at,
            "sector": sector,
            "today": timezone.localdate(),
        },
    )


def _figure_labels() -> list[tuple[str, str]]:
    return [
        ("hazards", _("Hazards found")),
        ("major", _("Major hazards")),
        ("closed", _("Closed")),
        ("major_closed", _("Major hazards closed")),
        ("dept_major", _("Major hazards found by regulators")),
        ("dept_major_closed", _("Major hazards found by regulators, rectified")),
        ("self_major", _("Major hazards found by self-inspection")),
        ("self_major_closed", _("Major hazards found by self-inspection, rectified")),
        ("listed", _("Listed for supervision")),
        ("listed_closed", _("Listed for supervision, rectified")),
        ("overdue", _("Overdue")),
    ]


assert {name for name, _label in _figure_labels()} == {*HAZARD_FIGURES, "overdue"}


# --- tasks -------------------------------------------------------------------------------------


def _filtered_tasks(request: HttpRequest, campaign: Campaign) -> tuple[Any, TaskFilterForm]:
    tasks = campaign_tasks(campaign=campaign, user=request.user)
    sectors = [(s.code, s.name) for s in campaign.sectors.all()]
    form = TaskFilterForm(request.GET or None, sectors=sectors)
    if form.is_valid():
        data = form.cleaned_data
        state = data.get("state")
        if state == TaskState.AWAITING:
            tasks = tasks.filter(issued=False)
        elif state == TaskState.OPEN:
            tasks = tasks.filter(issued=True, inspected_on__isnull=True)
        elif state == TaskState.DONE:
            tasks = tasks.filter(inspected_on__isnull=False)
        if data.get("responsible"):
            tasks = tasks.filter(responsible_id=data["responsible"])
        if data.get("sector"):
            tasks = tasks.filter(sector_id=data["sector"])
    at = _region_param(request, campaign)
    if at:
        from hazardledger.regions.selectors import under_region

        tasks = tasks.filter(under_region("region", at))
    return tasks, form


@require_GET
@login_required
def campaign_task_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The sites in the campaign's scope as tasks (filterable: not inspected yet, per
    responsible organisation…), with a summary per responsible organisation, and what the
    user may do with them (inspect, give to people, draw)."""
    campaign = _campaign(request, pk)
    tasks, form = _filtered_tasks(request, campaign)
    page = Paginator(tasks.order_by("region_id", "site_id"), TASK_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    may_assign = TASK_POLICY.user_has_permission(request.user, "assign")
    responsible_ids = [t.responsible_id for t in page.object_list if t.responsible_id]
    assign_form = (
        AssignForm(users=assignable_users(user=request.user, responsible_ids=responsible_ids))
        if may_assign
        else None
    )
    return render(
        request,
        "campaigns/task_list.html",
        {
            "campaign": campaign,
            "page_obj": page,
            "filter_form": form,
            "summary": pending_by_responsible(
                tasks=campaign_tasks(campaign=campaign, user=request.user)
            )
            if CAMPAIGN_POLICY.user_has_permission(request.user, "progress")
            else [],
            "assign_form": assign_form,
            "query": request.GET.urlencode(),
            "enterprise": _is_enterprise(request.user),
        },
    )


@require_GET
@login_required
def my_task_list(request: HttpRequest) -> HttpResponse:
    """The user's open campaign tasks across campaigns (an enterprise: its self-inspections)."""
    tasks = my_tasks(user=request.user).order_by("due_on", "region_id", "site_id")
    page = Paginator(tasks, TASK_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/my_tasks.html",
        {
            "page_obj": page,
            "enterprise": _is_enterprise(request.user),
        },
    )


@require_POST
@login_required
def task_inspect_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the inspection of a task's site for its campaign, then open the field page."""
    task = get_object_for_user(Task.objects.all(), request.user, "view", pk=pk)
    try:
        with durable_atomic():
            inspection = task_inspect(actor=request.user, task=task)
    except PermissionDenied:
        raise
    except REFUSALS as exc:
        messages.error(request, error_text_of(exc))
        return redirect("campaigns:campaign-tasks", pk=task.campaign_id)
    return redirect("inspections:inspection-conduct", pk=inspection.pk)


def _is_enterprise(user: Any) -> bool:
    organisation = getattr(user, "organisation", None)
    return bool(organisation is not None and organisation.is_enterprise)


def error_text_of(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(str(m) for m in exc.messages)
    return str(getattr(exc, "message", exc))


@require_POST
@login_required
def campaign_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the ticked tasks to people."""
    campaign = _campaign(request, pk)
    _require(request.user, Task, "assign")
    responsible = list(
        campaign_tasks(campaign=campaign, user=request.user, action="assign")
        .exclude(responsible__isnull=True)
        .values_list("responsible_id", flat=True)
        .distinct()[:200]
    )
    form = AssignForm(
        request.POST, users=assignable_users(user=request.user, responsible_ids=responsible)
    )
    back = reverse("campaigns:campaign-tasks", kwargs={"pk": campaign.pk})
    if not form.is_valid():
        messages.error(request, error_text(form))
        return HttpResponseRedirect(back)
    try:
        with durable_atomic():
            count = tasks_assign(
                actor=request.user,
                campaign=campaign,
                task_ids=form.cleaned_data["tasks"],
                user_ids=form.cleaned_data["users"],
            )
    except PermissionDenied:
        raise
    except REFUSALS as exc:
        messages.error(request, error_text_of(exc))
        return HttpResponseRedirect(back)
    messages.success(request, _("%(n)d sites given.") % {"n": count})
    return HttpResponseRedirect(back)


@require_http_methods(["GET", "POST"])
@login_required
def campaign_draw_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Give tasks to a double-random draw over the campaign's scope in the user's area."""
    campaign = _campaign(request, pk, "draw")
    form = CampaignDrawForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with durable_atomic():
                draw = campaign_draw(
                    actor=request.user,
                    campaign=campaign,
                    size=data["size"],
                    inspector_ids=data["inspectors"],
                    planned_on=data["planned_on"],
                    seed=data.get("seed"),
                )
        except PermissionDenied:
            raise
        except REFUSALS as exc:
            form_add_service_error(form, exc)
            status = form_error_status(exc)
        else:
            messages.success(request, _("Draw sealed: perform it to plan the inspections."))
            return redirect(draw.get_absolute_url())
    return render(
        request,
        "campaigns/campaign_draw.html",
        {"form": form, "campaign": campaign},
        status=status,
    )


# --- circulars ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def circular_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a circular or an urging letter to a region of the campaign (the office running
    it); the form is also on the campaign's page, beside the lagging regions."""
    campaign = _campaign(request, pk)
    if not may_circulate(actor=request.user, campaign=campaign):
        raise PermissionDenied
    report = campaign_progress(campaign=campaign, user=request.user, today=timezone.localdate())
    regions = [(row.code, row.name) for row in report.rows]
    initial = {"region": request.GET.get("region", ""), "kind": "urging"}
    form = CircularForm(request.POST or None, regions=regions, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with durable_atomic():
                circular = circular_send(
                    actor=request.user,
                    campaign=campaign,
                    kind=data["kind"],
                    region=data["region"],
                    text=data["text"],
                    document_number=data.get("document_number") or "",
                )
        except PermissionDenied:
            raise
        except REFUSALS as exc:
            form_add_service_error(form, exc)
            status = form_error_status(exc)
        else:
            messages.success(request, _("Sent and recorded."))
            return redirect(circular.get_absolute_url())
    return render(
        request,
        "campaigns/circular_form.html",
        {"form": form, "campaign": campaign, "report": report},
        status=status,
    )


@require_GET
@login_required
def circular_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A circular or urging letter, to the region it was sent to and those above it."""
    circular = get_object_for_user(Circular.objects.all(), request.user, "view", pk=pk)
    return render(request, "campaigns/circular_detail.html", {"circular": circular})
