"""Pages of the responsibility app: the list (with its spreadsheet import and export), the
accountability view, and the actions a level takes on a hazard escalated to it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import ListView

from hazardledger.access.scope import get_object_for_user, scope_region_code, user_can
from hazardledger.access.views import ScopedQuerysetMixin
from hazardledger.core.errors import ServiceError, form_add_service_error, form_error_status
from hazardledger.core.forms import error_text
from hazardledger.core.transactions import durable_atomic
from hazardledger.hazards.selectors import hazard_list
from hazardledger.regions.selectors import region_filter_choices, under_region
from hazardledger.transfer.spreadsheets import xlsx_response

from .choices import OfficialSide
from .constants import ENTRY_PAGE_SIZE, EXPORT_MAX_ROWS, STEPS
from .forms import (
    AccountabilityForm,
    DecisionForm,
    EntryFilterForm,
    EntryForm,
    ImportForm,
    OfficialFormSet,
    UrgeForm,
    officials_from_formset,
)
from .models import EscalationStep, ResponsibilityEntry
from .selectors import accountability, default_period, entry_list
from .services.actions import escalation_decide, hazard_urge
from .services.entries import entry_delete, entry_save
from .transfer import COLUMNS, EXPORT_TITLE, entry_import, export_headers, export_rows

# --- the list ---------------------------------------------------------------------------------


def _region_choices(user: Any, selected: str = "") -> list[tuple[str, str]]:
    return region_filter_choices(scope_code=scope_region_code(user), selected=selected)


def _filtered(request: HttpRequest, entries: QuerySet[ResponsibilityEntry]) -> tuple[Any, Any]:
    form = EntryFilterForm(
        request.GET or None,
        region_choices=_region_choices(request.user, request.GET.get("region", "")),
    )
    if form.is_bound and form.is_valid():
        if form.cleaned_data.get("region"):
            entries = entries.filter(under_region("region", form.cleaned_data["region"]))
        if form.cleaned_data.get("sector"):
            entries = entries.filter(sector_id=form.cleaned_data["sector"])
    return form, entries


class EntryListView(ScopedQuerysetMixin, ListView):
    """The responsibility list in the user's scope, filterable by division and sector."""

    model = ResponsibilityEntry
    template_name = "responsibility/entry_list.html"
    paginate_by = ENTRY_PAGE_SIZE

    def get_queryset(self) -> QuerySet[ResponsibilityEntry]:
        entries = super().get_queryset()
        entries = entry_list(user=self.request.user).filter(pk__in=entries.values("pk"))
        self.filter_form, entries = _filtered(self.request, entries)
        return entries.order_by("region_id", "sector__sort_order")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=self.filter_form,
            query=query.urlencode(),
            can_add=user_can(user, ResponsibilityEntry, "add"),
            can_import=user_can(user, ResponsibilityEntry, "import"),
            can_export=user_can(user, ResponsibilityEntry, "export"),
            can_change=user_can(user, ResponsibilityEntry, "change"),
            sides=OfficialSide,
        )
        return context


def _officials_initial(entry: ResponsibilityEntry | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if entry is not None:
        for official in entry.officials.select_related("user").order_by("position", "id"):
            rows.append(
                {
                    "side": official.side,
                    "username": official.user.username if official.user else "",
                    "name": official.name,
                    "post": official.post,
                    "phone": official.phone,
                }
            )
    return rows + [{} for _ in range(3)]


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add an entry (``pk`` None) or edit one, with its officials: offices in scope."""
    user = request.user
    entry = None
    if pk is not None:
        entry = get_object_for_user(ResponsibilityEntry.objects.all(), user, "change", pk=pk)
    elif not user_can(user, ResponsibilityEntry, "add"):
        raise PermissionDenied
    initial = {}
    if entry is not None:
        initial = {
            "region": entry.region_id,
            "sector": entry.sector_id,
            "lead_department": entry.lead_department_id,
            "escalates_to": entry.escalates_to_id or "",
            "note": entry.note,
            "version": entry.version,
        }
    form = EntryForm(request.POST or None, user=user, initial=initial)
    formset = OfficialFormSet(
        request.POST or None, initial=_officials_initial(entry), prefix="officials"
    )
    status = 200
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            with durable_atomic():
                saved = entry_save(
                    actor=user,
                    value=form.entry_input(officials_from_formset(formset)),
                    entry=entry,
                    expected_version=form.cleaned_data.get("version"),
                )
        except ServiceError as exc:
            form_add_service_error(form, exc)
            status = form_error_status(exc)
        else:
            messages.success(request, _("The responsibility list entry is saved."))
            return HttpResponseRedirect(
                reverse("responsibility:entry-list") + f"?region={saved.region_id}"
            )
    context = {"form": form, "formset": formset, "entry": entry}
    return render(request, "responsibility/entry_form.html", context, status=status)


@require_POST
@login_required
def entry_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete an entry (offices in scope); the chain then follows the division tree there."""
    entry = get_object_for_user(ResponsibilityEntry.objects.all(), request.user, "delete", pk=pk)
    with durable_atomic():
        entry_delete(actor=request.user, entry=entry)
    messages.success(request, _("The responsibility list entry is deleted."))
    return HttpResponseRedirect(reverse("responsibility:entry-list"))


@require_GET
@login_required
def entry_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as xlsx, in the import's columns."""
    if not user_can(request.user, ResponsibilityEntry, "export"):
        raise PermissionDenied
    _form, entries = _filtered(request, entry_list(user=request.user, action="export"))
    entries = entries.order_by("region_id", "sector__sort_order")[:EXPORT_MAX_ROWS]
    return xlsx_response(
        title=str(EXPORT_TITLE),
        headers=export_headers(),
        rows=export_rows(entries),
        filename="responsibility-list",
    )


@require_GET
@login_required
def entry_import_template(request: HttpRequest) -> HttpResponse:
    """A blank workbook with the import's columns and one example row."""
    if not user_can(request.user, ResponsibilityEntry, "import"):
        raise PermissionDenied
    example = {
        "region": "440106001",
        "region_name": "五山街道",
        "sector": "危险化学品",
        "party_name": "张伟",
        "party_post": "街道党工委书记",
        "party_phone": "020-87000001",
        "government_name": "李明；王芳",
        "government_post": "街道办事处主任；街道办事处副主任",
        "government_phone": "020-87000002；020-87000003",
    }
    return xlsx_response(
        title=str(EXPORT_TITLE),
        headers=export_headers(),
        rows=[[example.get(column.key, "") for column in COLUMNS]],
        filename="responsibility-list-template",
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_import_view(request: HttpRequest) -> HttpResponse:
    """Upload a spreadsheet: every row is imported or none, with every problem listed."""
    if not user_can(request.user, ResponsibilityEntry, "import"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with durable_atomic():
            result = entry_import(actor=request.user, handle=upload, filename=upload.name)
        if result.ok:
            messages.success(
                request,
                _("%(created)d entries added, %(updated)d updated.")
                % {"created": result.created, "updated": result.updated},
            )
            return HttpResponseRedirect(reverse("responsibility:entry-list"))
    return render(request, "responsibility/entry_import.html", {"form": form, "result": result})


# --- accountability ---------------------------------------------------------------------------


def _accountability(request: HttpRequest) -> tuple[AccountabilityForm, Any]:
    if not user_can(request.user, EscalationStep, "accountability"):
        raise PermissionDenied
    default = default_period()
    form = AccountabilityForm(
        request.GET or None,
        region_choices=_region_choices(request.user, request.GET.get("region", "")),
        initial={"start": default[0], "end": default[1]},
    )
    start, end = form.period(default)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    report = accountability(
        user=request.user,
        start=start,
        end=end,
        region=data.get("region", ""),
        sector=data.get("sector", ""),
    )
    return form, report


@require_GET
@login_required
def accountability_view(request: HttpRequest) -> HttpResponse:
    """Per level and lead department: the hazards that reached each step in a period, how
    soon the level acted, and the officials on the list for them."""
    form, report = _accountability(request)
    query = request.GET.urlencode()
    context = {"form": form, "report": report, "steps": STEPS, "query": query}
    return render(request, "responsibility/accountability.html", context)


@require_GET
@login_required
def accountability_export(request: HttpRequest) -> HttpResponse:
    """The accountability view as xlsx: one row per level and department (``?rows=steps``:
    one row per step, the record itself)."""
    if not user_can(request.user, EscalationStep, "export"):
        raise PermissionDenied
    _form, report = _accountability(request)
    if request.GET.get("rows") == "steps":
        headers = [
            _("Hazard"),
            _("Site"),
            _("Step"),
            _("Reason"),
            _("Days overdue"),
            _("Level"),
            _("Lead department"),
            _("Escalated at"),
            _("First action"),
            _("First action at"),
            _("By"),
            _("Hours to act"),
            _("Officials"),
        ]
        rows: Any = [
            [
                step.hazard_id,
                step.hazard.site.name,
                step.get_step_display(),
                step.get_reason_display(),
                step.days,
                step.region.name,
                step.department_name,
                step.at.replace(tzinfo=None),
                step.get_acted_kind_display(),
                step.acted_at.replace(tzinfo=None) if step.acted_at else None,
                step.acted_by_name,
                round(step.response_hours, 1) if step.response_hours is not None else None,
                "；".join(f"{o.get('name', '')}（{o.get('post', '')}）" for o in step.officials),
            ]
            for step in report.steps
        ]
        return xlsx_response(
            title=_("Escalation steps"), headers=headers, rows=rows, filename="escalation-steps"
        )
    headers = [
        _("Division code"),
        _("Level"),
        _("Lead department"),
        *[str(label) for label in _step_labels()],
        _("Hazards"),
        _("Acted on"),
        _("Not acted on"),
        _("Median hours to act"),
        _("Longest hours to act"),
        _("Officials on the list"),
    ]
    rows = [
        [
            row.region_code,
            row.region_name,
            row.department,
            *row.step_counts,
            len(row.hazards),
            row.acted,
            row.waiting,
            row.median_hours,
            row.max_hours,
            "；".join(row.officials),
        ]
        for row in report.rows
    ]
    return xlsx_response(
        title=_("Accountability"), headers=headers, rows=rows, filename="accountability"
    )


def _step_labels() -> list[Any]:
    from .choices import EscalationStepName

    return [EscalationStepName(step).label for step in STEPS]


# --- acting on an escalated hazard ------------------------------------------------------------


@require_POST
@login_required
def hazard_urge_view(request: HttpRequest, hazard_pk: int) -> HttpResponse:
    """Urge the responsible parties of a hazard escalated to the user's level (催办)."""
    hazard = get_object_for_user(hazard_list(user=request.user), request.user, "view", pk=hazard_pk)
    form = UrgeForm(request.POST)
    if not form.is_valid():
        return _refused(request, hazard, error_text(form), 400)
    try:
        with durable_atomic():
            hazard_urge(
                actor=request.user,
                hazard=hazard,
                message=form.cleaned_data["message"],
                expected_version=form.cleaned_data["version"],
            )
    except ServiceError as exc:
        if exc.status == 403:
            raise PermissionDenied from exc
        return _refused(request, hazard, error_text_of(exc), exc.status)
    messages.success(request, _("The responsible parties were urged."))
    return HttpResponseRedirect(hazard.get_absolute_url())


def error_text_of(exc: ServiceError) -> str:
    message = exc.message
    if isinstance(message, dict):
        return " ".join(str(m) for messages_ in message.values() for m in messages_)
    if isinstance(message, list | tuple):
        return " ".join(str(m) for m in message)
    return str(message)


def _refused(request: HttpRequest, hazard: Any, message: str, status: int) -> HttpResponse:
    """The answer to an action that was not taken: why, and the way back (nothing changed)."""
    context = {"hazard": hazard, "message": message}
    return render(request, "responsibility/action_refused.html", context, status=status)


@require_POST
@login_required
def hazard_decide_view(request: HttpRequest, hazard_pk: int) -> HttpResponse:
    """Order enforcement on a hazard escalated to the user's level (recorded for the
    enforcement app)."""
    hazard = get_object_for_user(hazard_list(user=request.user), request.user, "view", pk=hazard_pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _refused(request, hazard, error_text(form), 400)
    try:
        with durable_atomic():
            escalation_decide(actor=request.user, hazard=hazard, note=form.cleaned_data["note"])
    except ServiceError as exc:
        if exc.status == 403:
            raise PermissionDenied from exc
        return _refused(request, hazard, error_text_of(exc), exc.status)
    messages.success(request, _("Enforcement is ordered and recorded."))
    return HttpResponseRedirect(hazard.get_absolute_url())
