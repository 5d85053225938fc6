"""Inspection pages: start (the QR target), the field page and its sync endpoint, the
inspection and its record, hazard drafts, re-checks, checklists and double-random draws.

Every page: anonymous → login, out of scope → 404, in scope but not allowed → 403 (the
models' policies, ``policies.py``). Every write runs in one durable transaction opened here, at
the entry point; services raise the ``core.errors`` family, which form views map onto their
forms (``ServiceFormMixin``) and action views show as a message.
"""

from __future__ import annotations

import io
import json
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import FormView, ListView

from hazardledger.access.scope import get_object_for_user, user_can
from hazardledger.access.views import ActionRequiredMixin, ScopedQuerysetMixin
from hazardledger.core.errors import (
    Conflict,
    Invalid,
    InvalidTransition,
    ServiceError,
    ServiceFormMixin,
)
from hazardledger.core.forms import error_text
from hazardledger.core.pagination import LastPageMixin
from hazardledger.core.transactions import durable_atomic
from hazardledger.core.uploads import upload_response
from hazardledger.hazards.selectors import hazard_list
from hazardledger.registry.selectors import site_list

from .checklists import checklist_load, checklist_to_toml
from .choices import ENTERPRISE_KINDS, DraftStatus, InspectionStatus
from .constants import FIELD_MESSAGES
from .draws import draw_perform, draw_seal, draw_verify
from .forms import (
    ChecklistUploadForm,
    DismissForm,
    DrawForm,
    HazardDraftForm,
    InspectionStartForm,
    RecheckForm,
)
from .models import Checklist, Draw, HazardDraft, Inspection, ItemPhoto
from .policies import INSPECTION_POLICY
from .record import inspection_record_pdf_bytes
from .selectors import (
    checklist_current_list,
    checklist_items,
    checklist_items_for_site,
    checklists_for_site,
    draw_inspections,
    draw_list,
    hazard_draft_queryset,
    inspection_drafts_to_confirm,
    inspection_hazards,
    inspection_list,
    inspection_results,
    inspection_summary,
    recheck_candidates,
)
from .services import (
    InspectionError,
    hazard_draft_confirm,
    hazard_draft_dismiss,
    inspection_plan,
    inspection_start,
    recheck_decide,
    recheck_finish,
)
from .sync import inspection_sync, sync_document_load

# What an action page shows as a message and redirects: the object's state or the input was
# wrong. A refusal of the actor (``NotAllowed``) is not among them: it stays a 403.
REFUSALS = (InvalidTransition, Conflict, ValidationError)


def _require(user: Any, model: Any, action: str) -> None:
    if not user_can(user, model, action):
        raise PermissionDenied


def _error_text(exc: Exception) -> str:
    """What a refused step tells the user: a validation error's messages joined, else the
    error's message."""
    if isinstance(exc, ValidationError):
        return "; ".join(str(message) for message in exc.messages)
    return str(getattr(exc, "message", "") or "") or _("You may not do this.")


def _inspection_for(request: HttpRequest, pk: int, action: str = "view") -> Inspection:
    """The inspection for ``action`` (``conduct`` is narrowed to the kinds the user runs)."""
    return get_object_for_user(inspection_list(user=request.user), request.user, action, pk=pk)


# --- inspections ------------------------------------------------------------------------------


class InspectionListView(LastPageMixin, ScopedQuerysetMixin, ListView):
    """Inspections in scope, newest first, filtered by status."""

    queryset = Inspection.objects.select_related("site", "checklist")
    template_name = "inspections/inspection_list.html"
    paginate_by = 25

    def get_queryset(self) -> Any:
        qs = super().get_queryset().order_by("-planned_on", "-id")
        status = self.request.GET.get("status", "")
        return qs.filter(status=status) if status in InspectionStatus.values else qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["statuses"] = InspectionStatus.choices
        context["status"] = self.request.GET.get("status", "")
        return context


class InspectionStartView(LoginRequiredMixin, ServiceFormMixin, FormView):
    """Start an inspection of a site: where scanning the site's QR code leads."""

    form_class = InspectionStartForm
    template_name = "inspections/inspection_start.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.site = get_object_for_user(
                site_list(user=request.user), request.user, "view", pk=kwargs["site_pk"]
            )
            _require(request.user, Inspection, "conduct")
            self.checklists = checklists_for_site(site=self.site)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, checklists=self.checklists)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["site"] = self.site
        context["open_inspections"] = inspection_list(user=self.request.user).filter(
            site=self.site, status__in=[InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS]
        )
        return context

    def perform(self, form: InspectionStartForm) -> HttpResponse:
        start = self.request.POST.get("action", "start") == "start"
        planned_on = form.cleaned_data.get("planned_on")
        if start:
            planned_on = timezone.localdate()
        elif planned_on is None:
            raise Invalid({"planned_on": [_("Give the date to plan the inspection for.")]})
        with durable_atomic():
            inspection = inspection_plan(
                actor=self.request.user,
                site=self.site,
                kind=form.cleaned_data["kind"],
                checklist=form.cleaned_data["checklist"],
                planned_on=planned_on,
                start=start,
            )
        if start and not inspection.is_recheck:
            return redirect("inspections:inspection-conduct", pk=inspection.pk)
        return redirect(inspection.get_absolute_url())


@require_GET
@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One inspection: results, photos, signatures, drafts to confirm, hazards raised."""
    inspection = _inspection_for(request, pk)
    user = request.user
    can_conduct = INSPECTION_POLICY.user_has_permission_for_instance(user, "conduct", inspection)
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "results": inspection_results(inspection=inspection),
            "summary": inspection_summary(inspection=inspection),
            "drafts_to_confirm": inspection_drafts_to_confirm(inspection=inspection),
            "hazards": inspection_hazards(inspection=inspection, user=user),
            "can_conduct": can_conduct,
            "can_confirm": can_conduct and user_can(user, HazardDraft, "confirm"),
            "recheck": recheck_candidates(inspection=inspection, user=user)
            if inspection.is_recheck and inspection.status == InspectionStatus.IN_PROGRESS
            else [],
            "decisions": inspection.recheck_decisions.all(),
            "inspectors": inspection.inspectors.all(),
        },
    )


@require_POST
@login_required
def inspection_begin(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a planned inspection, then open the field page."""
    inspection = _inspection_for(request, pk, "conduct")
    try:
        with durable_atomic():
            inspection = inspection_start(actor=request.user, inspection=inspection)
    except REFUSALS as exc:
        messages.error(request, _error_text(exc))
        return redirect(inspection.get_absolute_url())
    if inspection.is_recheck:
        return redirect(inspection.get_absolute_url())
    return redirect("inspections:inspection-conduct", pk=inspection.pk)


@require_GET
@login_required
def inspection_conduct(request: HttpRequest, pk: int) -> HttpResponse:
    """The field page: works on a phone and, once loaded, without a network (field.js)."""
    inspection = _inspection_for(request, pk, "conduct")
    if inspection.status != InspectionStatus.IN_PROGRESS or inspection.is_recheck:
        return redirect(inspection.get_absolute_url())
    assert inspection.checklist is not None  # only re-checks have none, and they left above
    items = checklist_items_for_site(checklist=inspection.checklist, site=inspection.site)
    payload = {
        "inspection": str(inspection.uuid),
        "syncUrl": reverse("inspections:inspection-sync", kwargs={"uuid": inspection.uuid}),
        "detailUrl": inspection.get_absolute_url(),
        "siteSignatureRequired": inspection.kind != "self",
        "items": [{"id": item.pk, "position": item.position} for item in items],
    }
    return render(
        request,
        "inspections/inspection_conduct.html",
        {
            "inspection": inspection,
            "items": items,
            "payload": payload,
            "field_messages": {key: str(text) for key, text in FIELD_MESSAGES.items()},
        },
    )


def _json_error(status: int, message: Any, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": str(message), **extra}, status=status)


@require_POST
def inspection_sync_view(request: HttpRequest, uuid: Any) -> JsonResponse:
    """The idempotent sync endpoint: one JSON document per inspection (sync.py)."""
    user = request.user
    if not user.is_authenticated:
        return _json_error(
            401, _("Your session has ended. Sign in again; your results are kept on this device.")
        )
    try:
        inspection = get_object_for_user(inspection_list(user=user), user, "conduct", uuid=uuid)
        document = sync_document_load(request.body)
        if document.get("inspection") != str(inspection.uuid):
            raise ValueError
        with durable_atomic():
            result = inspection_sync(actor=user, inspection=inspection, document=document)
    except Http404:
        return _json_error(404, _("This inspection was not found."))
    except PermissionDenied:
        return _json_error(403, _("You may not submit this inspection."))
    except RequestDataTooBig:
        return _json_error(413, _("Too many or too large photos: remove some and send again."))
    except (ValueError, UnicodeDecodeError):
        return _json_error(400, _("The data sent is not a valid inspection document."))
    except Conflict as exc:  # SyncConflict: submitted with other content, or cancelled
        return _json_error(409, exc.message)
    except ValidationError as exc:
        return _json_error(400, _("The inspection was not saved."), errors=exc.messages)
    return JsonResponse(
        {
            "status": result.inspection.status,
            "replayed": result.replayed,
            "redirect": result.inspection.get_absolute_url(),
            "drafts": result.inspection.drafts.filter(status=DraftStatus.DRAFT).count(),
        }
    )


@require_GET
@login_required
def inspection_record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable inspection record as PDF."""
    inspection = _inspection_for(request, pk)
    response = HttpResponse(
        inspection_record_pdf_bytes(inspection=inspection, user=request.user),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'inline; filename="inspection-{inspection.pk}.pdf"'
    return response


@require_GET
@login_required
def inspection_signature(request: HttpRequest, pk: int, which: str) -> HttpResponseBase:
    """A signature, served only to users who may see the inspection."""
    inspection = _inspection_for(request, pk)
    field = {"inspector": inspection.inspector_signature, "site": inspection.site_signature}.get(
        which
    )
    if not field:
        raise Http404
    return upload_response(field)


@require_GET
@login_required
def photo_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An item photo, served only to users who may see the inspection."""
    photo = get_object_or_404(ItemPhoto.objects.select_related("result"), pk=pk)
    _inspection_for(request, photo.result.inspection_id)
    return upload_response(
        photo.file, content_type=photo.content_type, filename=photo.download_name
    )


@require_GET
@login_required
def site_start_qr(request: HttpRequest, site_pk: int) -> HttpResponse:
    """An SVG QR code that opens "start an inspection" of the site (print it at the site)."""
    site = get_object_for_user(site_list(user=request.user), request.user, "view", pk=site_pk)
    url = request.build_absolute_uri(reverse("inspections:inspection-start", args=[site.pk]))
    stream = io.BytesIO()
    segno.make(url, error="m").save(stream, kind="svg", scale=6, border=2)
    return HttpResponse(stream.getvalue(), content_type="image/svg+xml")


# --- hazard drafts ----------------------------------------------------------------------------


def _draft_form(draft: HazardDraft, data: Any = None) -> HazardDraftForm:
    initial = {
        "description": draft.description,
        "location": draft.location,
        "category": draft.category,
        "grade": draft.grade,
    }
    regulatory = draft.inspection.kind not in ENTERPRISE_KINDS
    return HazardDraftForm(data, initial=initial, prefix=f"d{draft.pk}", regulatory=regulatory)


def _draft_for(request: HttpRequest, pk: int) -> HazardDraft:
    """The draft to decide (``confirm`` is narrowed to the kinds of inspection the user runs)."""
    return get_object_for_user(hazard_draft_queryset(), request.user, "confirm", pk=pk)


class HazardDraftConfirmView(LoginRequiredMixin, ServiceFormMixin, FormView):
    """Confirm (or edit, then confirm) the hazard a failed item proposes."""

    template_name = "inspections/draft_confirm.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.draft = _draft_for(request, kwargs["pk"])
            if self.draft.status != DraftStatus.DRAFT:
                return redirect(self.draft.inspection.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class: Any = None) -> HazardDraftForm:
        return _draft_form(self.draft, self.request.POST if self.request.method == "POST" else None)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["draft"] = self.draft
        context["inspection"] = self.draft.inspection
        return context

    def perform(self, form: HazardDraftForm) -> HttpResponse:
        try:
            with durable_atomic():
                hazard = hazard_draft_confirm(
                    actor=self.request.user, draft=self.draft, data=form.cleaned_data
                )
        except InspectionError as exc:
            messages.error(self.request, str(exc.message))
            return redirect(self.draft.inspection.get_absolute_url())
        messages.success(
            self.request,
            _("Hazard #%(n)s recorded: %(grade)s.")
            % {"n": hazard.pk, "grade": hazard.get_grade_display()},
        )
        return redirect(self.draft.inspection.get_absolute_url())


@require_POST
@login_required
def draft_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft_for(request, pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
    else:
        try:
            with durable_atomic():
                hazard_draft_dismiss(
                    actor=request.user, draft=draft, reason=form.cleaned_data["reason"]
                )
        except REFUSALS as exc:
            messages.error(request, _error_text(exc))
    return redirect(draft.inspection.get_absolute_url())


# --- re-checks --------------------------------------------------------------------------------


@require_POST
@login_required
def recheck_decide_view(request: HttpRequest, pk: int, hazard_pk: int) -> HttpResponse:
    """Accept or reject a hazard's rectification during a re-check (through the ledger)."""
    inspection = _inspection_for(request, pk, "conduct")
    hazard = get_object_for_user(hazard_list(user=request.user), request.user, "view", pk=hazard_pk)
    form = RecheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return redirect(inspection.get_absolute_url())
    try:
        with durable_atomic():
            recheck_decide(
                actor=request.user,
                inspection=inspection,
                hazard=hazard,
                outcome=form.cleaned_data["outcome"],
                expected_version=form.cleaned_data["version"],
                comment=form.cleaned_data["comment"],
            )
    except (ServiceError, ValidationError, PermissionDenied) as exc:
        # The ledger's refusals (its state machine's, a stale page's) are the user's answer.
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Decision recorded on hazard #%(n)s.") % {"n": hazard.pk})
    return redirect(inspection.get_absolute_url())


@require_POST
@login_required
def recheck_finish_view(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection_for(request, pk, "conduct")
    try:
        with durable_atomic():
            recheck_finish(actor=request.user, inspection=inspection)
    except REFUSALS as exc:
        messages.error(request, _error_text(exc))
    return redirect(inspection.get_absolute_url())


# --- checklists -------------------------------------------------------------------------------


@require_GET
@login_required
def checklist_list(request: HttpRequest) -> HttpResponse:
    _require(request.user, Checklist, "view")
    return render(
        request,
        "inspections/checklist_list.html",
        {
            "checklists": checklist_current_list(),
            "can_upload": user_can(request.user, Checklist, "add"),
        },
    )


def _checklist_for(request: HttpRequest, pk: int) -> Checklist:
    """Checklists are reference data, not scoped: the role decides, then the pk."""
    _require(request.user, Checklist, "view")
    return get_object_or_404(Checklist, pk=pk)


@require_GET
@login_required
def checklist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    checklist = _checklist_for(request, pk)
    return render(
        request,
        "inspections/checklist_detail.html",
        {
            "checklist": checklist,
            "items": checklist_items(checklist=checklist),
            "versions": Checklist.objects.filter(code=checklist.code).order_by("-version"),
        },
    )


@require_GET
@login_required
def checklist_download(request: HttpRequest, pk: int) -> HttpResponse:
    checklist = _checklist_for(request, pk)
    response = HttpResponse(
        checklist_to_toml(checklist), content_type="application/toml; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{checklist.code}-v{checklist.version}.toml"'
    )
    return response


class ChecklistUploadView(ActionRequiredMixin, ServiceFormMixin, FormView):
    """Administrators load a new version of a checklist from an edited file."""

    scope_model = Checklist
    scope_action = "add"
    form_class = ChecklistUploadForm
    template_name = "inspections/checklist_upload.html"

    def perform(self, form: ChecklistUploadForm) -> HttpResponse:
        try:
            with durable_atomic():
                checklist, created = checklist_load(
                    text=form.cleaned_data["file"], actor=self.request.user
                )
        except ValidationError as exc:
            # Every problem is the file's: show them beside it.
            raise Invalid({"file": exc.messages}) from exc
        if created:
            messages.success(self.request, _("Version %(v)d loaded.") % {"v": checklist.version})
        else:
            messages.info(self.request, _("Nothing changed: the file is the current version."))
        return HttpResponseRedirect(checklist.get_absolute_url())


# --- double-random draws ----------------------------------------------------------------------


@require_GET
@login_required
def draw_list_view(request: HttpRequest) -> HttpResponse:
    """Draws published in the user's scope (seed and input hash shown for each)."""
    _require(request.user, Draw, "view")
    return render(
        request,
        "inspections/draw_list.html",
        {
            "draws": draw_list(user=request.user)[:100],
            "can_add": user_can(request.user, Draw, "add"),
        },
    )


class DrawCreateView(ActionRequiredMixin, ServiceFormMixin, FormView):
    """Step 1 of a draw: fix the scope, the pool and the seed."""

    scope_model = Draw
    scope_action = "add"
    form_class = DrawForm
    template_name = "inspections/draw_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def perform(self, form: DrawForm) -> HttpResponse:
        data = form.cleaned_data
        with durable_atomic():
            draw = draw_seal(
                actor=self.request.user,
                title=data["title"],
                regions=data["regions"],
                sectors=data["sectors"],
                site_kinds=data["site_kinds"],
                size=data["size"],
                inspector_ids=data["inspectors"],
                planned_on=data["planned_on"],
                seed=data["seed"],
            )
        return HttpResponseRedirect(draw.get_absolute_url())


def _draw_for(request: HttpRequest, pk: int, action: str = "view") -> Draw:
    return get_object_for_user(draw_list(user=request.user), request.user, action, pk=pk)


@require_GET
@login_required
def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draw = _draw_for(request, pk)
    return render(
        request,
        "inspections/draw_detail.html",
        {
            "draw": draw,
            "inspections": draw_inspections(draw=draw),
            "can_perform": user_can(request.user, Draw, "perform"),
            "inputs_json": json.dumps(draw.inputs, ensure_ascii=False, sort_keys=True, indent=1),
        },
    )


@require_POST
@login_required
def draw_perform_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: draw from the sealed inputs and plan the inspections."""
    draw = _draw_for(request, pk, "perform")
    try:
        with durable_atomic():
            draw = draw_perform(actor=request.user, draw=draw)
    except REFUSALS as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("%(n)d sites drawn and inspections planned.") % {"n": len(draw.result["sites"])},
        )
    return redirect(draw.get_absolute_url())


@require_GET
@login_required
def draw_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    """Recompute the draw from its stored inputs and seed and show that it matches."""
    draw = _draw_for(request, pk)
    recomputed, hash_ok, matches = draw_verify(draw=draw)
    # Names of the sites the user may see; others show as "?" (the ids are in the inputs).
    sites = site_list(user=request.user).in_bulk(recomputed["sites"])
    rows = [
        (sites.get(site_id), pair)
        for site_id, pair in zip(recomputed["sites"], recomputed["pairs"], strict=True)
    ]
    return render(
        request,
        "inspections/draw_rerun.html",
        {
            "draw": draw,
            "rows": rows,
            "hash_ok": hash_ok,
            "matches": matches,
            "drawn": bool(draw.result),
        },
    )
