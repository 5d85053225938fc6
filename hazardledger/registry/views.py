"""Site pages: list, detail, create, edit, import, export and the QR code."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from hazardledger.access.scope import get_object_for_user, scope_region_code, user_can
from hazardledger.access.views import ActionRequiredMixin, ScopedObjectMixin, ScopedQuerysetMixin
from hazardledger.accounts.http import AuthenticatedHttpRequest
from hazardledger.core.errors import ServiceError, form_add_service_error
from hazardledger.core.htmx import HtmxTemplateMixin, is_partial
from hazardledger.core.pagination import LastPageMixin
from hazardledger.core.stash import stash_discard, stash_files, stash_read, uploads_named
from hazardledger.core.transactions import durable_atomic
from hazardledger.regions.selectors import region_filter_choices, region_path
from hazardledger.transfer.spreadsheets import xlsx_response

from .attributes import attribute_display
from .filtersets import SiteFilterSet
from .forms import ATTR_PREFIX, SiteForm, SiteImportConfirmForm, SiteImportForm
from .models import Site
from .policies import SITE_POLICY
from .selectors import enterprise_options, site_list
from .services import site_create, site_update
from .transfer import (
    COLUMNS,
    EXPORT_TITLE,
    export_headers,
    import_preview,
    site_export_rows,
    site_import_apply,
    site_import_plan,
)


class SiteListView(LastPageMixin, ScopedQuerysetMixin, HtmxTemplateMixin, FilterView):
    """Sites in scope with filters, sorting, totals and pagination."""

    queryset = Site.objects.select_related("sector", "region", "organisation")
    filterset_class = SiteFilterSet
    template_name = "registry/site_list.html"
    partial_template_name = "registry/partials/_site_results.html"
    paginate_by = 25
    strict = False

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["region_choices"] = region_filter_choices(
            scope_code=scope_region_code(user), selected=self.request.GET.get("region", "")
        )
        context["can_add"] = user_can(user, Site, "add")
        context["can_import"] = user_can(user, Site, "import")
        context["can_export"] = user_can(user, Site, "export")
        return context


class SiteDetailView(ScopedObjectMixin, DetailView):
    """One site with its attributes, location and QR code."""

    queryset = Site.objects.select_related("sector", "region", "organisation", "created_by")
    template_name = "registry/site_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        site = self.object
        context["attributes"] = attribute_display(site.kind, site.attributes)
        context["region_path"] = region_path(code=site.region_id)
        context["can_change"] = user_can(self.request.user, Site, "change")
        return context


class SiteFormMixin:
    """Shared by create and edit: the kind picks the attribute fields (re-rendered by HTMX),
    and ``perform(form)`` calls the service. A service error (``core.errors``) is shown on the
    form, which the page answers as it always has: the form again, status 200, nothing saved.
    """

    # Typed as FormMixin and TemplateResponseMixin declare them, which the views also inherit.
    form_class: type[SiteForm] | None = SiteForm
    template_name: str | None = "registry/site_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()  # type: ignore[misc]
        kwargs["user"] = self.request.user  # type: ignore[attr-defined]
        return kwargs

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if is_partial(request) and "kind" in request.GET:
            # The kind changed: send back only the attribute fields for the new kind.
            form = SiteForm(user=request.user, kind=request.GET["kind"])
            return render(request, "registry/partials/_site_attributes.html", {"form": form})
        return super().get(request, *args, **kwargs)  # type: ignore[misc]

    def form_valid(self, form: SiteForm) -> HttpResponse:
        try:
            return self.perform(form)  # type: ignore[attr-defined]
        except (ServiceError, ValidationError, PermissionDenied) as exc:
            form_add_service_error(form, exc)
            return self.form_invalid(form)  # type: ignore[attr-defined]


class SiteCreateView(ActionRequiredMixin, SiteFormMixin, FormView):
    scope_model = Site
    scope_action = "add"

    def perform(self, form: SiteForm) -> HttpResponse:
        with durable_atomic():
            site = site_create(actor=self.request.user, data=form.service_data())
        messages.success(self.request, _("Site “%(name)s” created.") % {"name": site.name})
        return HttpResponseRedirect(site.get_absolute_url())


class SiteUpdateView(ScopedObjectMixin, SiteFormMixin, FormView):
    request: AuthenticatedHttpRequest  # LoginRequiredMixin turns anonymous requests away
    scope_action = "change"
    queryset = Site.objects.select_related("sector", "region", "organisation")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return self.queryset

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        # Shown, not editable, for whoever may not move the site (``site_update`` enforces it).
        kwargs["locked"] = not SITE_POLICY.user_has_permission(self.request.user, "change_scope")
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        site = self.object
        initial = {
            "name": site.name,
            "kind": site.kind,
            "sector": site.sector_id,
            "region": site.region_id,
            "address": site.address,
            "longitude": site.longitude,
            "latitude": site.latitude,
            "organisation": site.organisation.credit_code or site.organisation.name
            if site.organisation
            else "",
            "contact_person": site.contact_person,
            "contact_phone": site.contact_phone,
            "status": site.status,
            "mine_type": site.mine_type,
            "version": site.version,
        }
        for key, value in (site.attributes or {}).items():
            initial[ATTR_PREFIX + key] = value
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["site"] = self.object
        return context

    def perform(self, form: SiteForm) -> HttpResponse:
        version = form.cleaned_data.get("version") or self.object.version
        with durable_atomic():
            site = site_update(
                actor=self.request.user,
                site=self.object,
                expected_version=version,
                data=form.service_data(),
            )
        messages.success(self.request, _("Site “%(name)s” saved.") % {"name": site.name})
        return HttpResponseRedirect(site.get_absolute_url())


@require_GET
@login_required
def site_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as xlsx, in the import layout (so it can be edited and re-imported)."""
    if not user_can(request.user, Site, "export"):
        raise PermissionDenied
    sites = SiteFilterSet(request.GET, queryset=site_list(user=request.user, action="export")).qs
    return xlsx_response(
        title=str(EXPORT_TITLE),
        headers=export_headers(),
        rows=site_export_rows(sites),
        filename="sites",
    )


@require_GET
@login_required
def site_import_template(request: HttpRequest) -> HttpResponse:
    """A blank workbook with the import columns and one example row."""
    if not user_can(request.user, Site, "import"):
        raise PermissionDenied
    example = {
        "name": _("Example Chemical Co. Ltd. tank farm"),
        "kind": _("Hazardous chemicals plant"),
        "region": "440106001",
        "address": _("1 Example Road"),
        "longitude": 113.3245,
        "latitude": 23.1291,
        "status": _("Operating"),
    }
    return xlsx_response(
        title=str(EXPORT_TITLE),
        headers=export_headers(),
        rows=[[example.get(column.key, "") for column in COLUMNS]],
        filename="sites-template",
    )


class SiteImportView(ActionRequiredMixin, FormView):
    """Upload a spreadsheet: every bad row is reported, or the plan is shown (new, changed and
    unchanged rows) to be confirmed; nothing is written until then. The file is kept for the
    confirmation (``core.stash``), so it is not uploaded twice."""

    scope_model = Site
    scope_action = "import"
    form_class = SiteImportForm
    template_name = "registry/site_import.html"

    def form_valid(self, form: SiteImportForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        result = site_import_plan(actor=self.request.user, handle=upload, filename=upload.name)
        context: dict[str, Any] = {"form": form, "result": result}
        if result.ok and result.has_work:
            token, _kept = stash_files(user=self.request.user, files=uploads_named([upload]))
            context["confirm"] = SiteImportConfirmForm(
                initial={"token": token, "digest": result.digest}
            )
            context["preview"] = import_preview(result)
        elif result.ok:
            context["preview"] = import_preview(result)
        return self.render_to_response(self.get_context_data(**context))


@require_POST
@login_required
def site_import_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Import the file a preview showed, if the plan is still the one shown (same rows, same
    stored sites at the same versions); otherwise show the new plan to confirm again. After
    the import, the list of the sites it created."""
    if not user_can(request.user, Site, "import"):
        raise PermissionDenied
    form = SiteImportConfirmForm(request.POST)
    uploads = (
        stash_read(user=request.user, token=form.cleaned_data["token"]) if form.is_valid() else []
    )
    if not uploads:
        messages.error(request, _("The preview has expired. Upload the file again."))
        return HttpResponseRedirect(reverse("registry:site-import"))
    upload = uploads[0]
    filename = upload.name or "sites"
    token = form.cleaned_data["token"]
    with durable_atomic():
        result = site_import_plan(actor=request.user, handle=upload, filename=filename)
        stale = result.ok and result.digest != form.cleaned_data["digest"]
        if result.ok and not stale and result.has_work:
            site_import_apply(actor=request.user, result=result, filename=filename)
    context: dict[str, Any] = {"form": SiteImportForm(), "result": result}
    if not result.ok:
        return render(request, "registry/site_import.html", context)
    if stale:
        context["stale"] = True
        context["preview"] = import_preview(result)
        if result.has_work:
            context["confirm"] = SiteImportConfirmForm(
                initial={"token": token, "digest": result.digest}
            )
        return render(request, "registry/site_import.html", context)
    stash_discard(user=request.user, token=token)
    messages.success(
        request,
        _("Import done: %(new)d sites created, %(changed)d changed, %(same)d unchanged.")
        % {"new": result.created, "changed": result.updated, "same": result.unchanged},
    )
    if result.batch is not None:
        return HttpResponseRedirect(f"{reverse('registry:site-list')}?batch={result.batch}")
    return HttpResponseRedirect(reverse("registry:site-import"))


@require_GET
@login_required
def site_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """An SVG QR code of the site's address in this application (print it at the site)."""
    site = get_object_for_user(site_list(user=request.user), request.user, "view", pk=pk)
    url = request.build_absolute_uri(site.get_absolute_url())
    stream = io.BytesIO()
    segno.make(url, error="m").save(stream, kind="svg", scale=6, border=2)
    return HttpResponse(stream.getvalue(), content_type="image/svg+xml")


@require_GET
@login_required
def organisation_options(request: AuthenticatedHttpRequest) -> HttpResponse:
    """``<option>`` elements of the enterprises ``?organisation=`` may name (``enterprise_options``:
    by name only those running a site in the user's scope, else by exact credit code)."""
    text = request.GET.get("organisation", "").strip()
    organisations: Any = []
    if len(text) >= 2 and user_can(request.user, Site, "add"):
        organisations = enterprise_options(user=request.user, text=text)
    return render(
        request, "registry/partials/_organisation_options.html", {"organisations": organisations}
    )
