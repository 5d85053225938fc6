"""Supervision listing pages: the published list of listed hazards (per level, with days
left) and its export, a listing with what its viewer may do, and the forms to propose,
confirm, refuse and delist."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import DetailView
from django_filters.views import FilterView

from hazardledger.access.scope import get_object_for_user, scope_region_code, user_can
from hazardledger.access.views import ScopedObjectMixin, ScopedQuerysetMixin
from hazardledger.core.errors import ServiceError, form_add_service_error
from hazardledger.core.forms import StyledFormMixin
from hazardledger.core.pagination import LastPageMixin
from hazardledger.core.transactions import durable_atomic
from hazardledger.hazards.choices import ListingLevel, ProductionStop
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.forms import DateInput
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.selectors import hazard_list
from hazardledger.regions.selectors import region_filter_choices
from hazardledger.transfer.spreadsheets import xlsx_response

from ..filtersets import ListingFilterSet
from ..models import Listing
from ..policies import LISTING_POLICY
from ..selectors import listing_level_counts, listing_list, listings_in_force
from ..services.listings import (
    ListingProposal,
    listing_confirm,
    listing_create,
    listing_delist,
    listing_propose,
    listing_refuse,
    office_listing_level,
)
from ..transfer import listing_export_headers, listing_export_rows, listing_export_title

LISTING_PAGE_SIZE = 50
LISTING_EXPORT_MAX_ROWS = 10_000
_OFFICIAL_SEPARATOR = re.compile(r"[,，、;；]")


# --- forms ----------------------------------------------------------------------------------


class ListingProposeForm(StyledFormMixin, forms.Form):
    """A proposal to list a hazard; an office listing directly also gives the document
    number (``with_document_number``)."""

    required_by = forms.DateField(label=gettext_lazy("Required completion date"), widget=DateInput)
    stop = forms.ChoiceField(label=gettext_lazy("Production stop"), choices=ProductionStop.choices)
    officials = forms.CharField(
        label=gettext_lazy("Officials responsible"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line: name, post."),
    )
    grounds = forms.CharField(
        label=gettext_lazy("Grounds for listing"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    document_number = forms.CharField(label=gettext_lazy("Document number"), max_length=60)

    def __init__(self, *args: Any, with_document_number: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_document_number:
            del self.fields["document_number"]

    def proposal(self) -> ListingProposal:
        data = self.cleaned_data
        officials = []
        for line in data["officials"].splitlines():
            parts = _OFFICIAL_SEPARATOR.split(line.strip(), maxsplit=1)
            post = parts[1] if len(parts) > 1 else ""
            officials.append({"name": parts[0].strip(), "post": post.strip()})
        return ListingProposal(
            required_by=data["required_by"],
            stop=data["stop"],
            officials=tuple(officials),
            grounds=data["grounds"],
        )


class ListingConfirmForm(StyledFormMixin, forms.Form):
    document_number = forms.CharField(label=gettext_lazy("Document number"), max_length=60)
    required_by = forms.DateField(label=gettext_lazy("Required completion date"), widget=DateInput)
    stop = forms.ChoiceField(label=gettext_lazy("Production stop"), choices=ProductionStop.choices)


class ListingRefuseForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for refusal"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ListingDelistForm(StyledFormMixin, forms.Form):
    delist_document_number = forms.CharField(
        label=gettext_lazy("Delisting document number"), max_length=60
    )


# --- the list and its export ----------------------------------------------------------------


class ListingListView(LastPageMixin, ScopedQuerysetMixin, FilterView):
    """Listed hazards in scope, one tab per level, with days left (negative once the required
    date has passed), filterable by region and sector, paginated."""

    queryset = Listing.objects.filter(status=Listing.Status.LISTED).select_related(
        "hazard", "hazard__site", "region", "sector", "organisation"
    )
    filterset_class = ListingFilterSet
    template_name = "supervision/listing_list.html"
    paginate_by = LISTING_PAGE_SIZE
    strict = False

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, local_today()
        page = context["page_obj"]
        page.object_list = list(page.object_list)
        for listing in page.object_list:
            listing.left = listing.days_left(today)  # for the template only
        context.update(
            today=today,
            levels=ListingLevel.choices,
            level=self.request.GET.get("level", ""),
            level_counts=listing_level_counts(
                listings=listings_in_force(fetched_by=user).filter(
                    pk__in=self.filterset.qs.values("pk")
                )
            ),
            region_choices=region_filter_choices(
                scope_code=scope_region_code(user), selected=self.request.GET.get("region", "")
            ),
            can_export=user_can(user, Listing, "export"),
        )
        return context


@require_GET
@login_required
def listing_export(request: HttpRequest) -> HttpResponse:
    """The listed hazards the page shows (its filters), as xlsx in the regulator's ledger
    layout with the listing's columns."""
    if not user_can(request.user, Listing, "export"):
        raise PermissionDenied
    listings = ListingFilterSet(
        request.GET,
        queryset=listing_list(fetched_by=request.user, action="export").filter(
            status=Listing.Status.LISTED
        ),
    ).qs
    return xlsx_response(
        title=listing_export_title(),
        headers=listing_export_headers(),
        rows=listing_export_rows(listings, user=request.user, limit=LISTING_EXPORT_MAX_ROWS),
        filename="listed-hazards",
    )


# --- one listing ----------------------------------------------------------------------------


def listing_forms(*, user: Any, listing: Listing) -> dict[str, forms.Form | None]:
    """The decision forms ``user`` may use on ``listing`` now (None: not offered): confirm or
    refuse a proposal, delist a listing in force (the listing body, once the hazard is
    closed)."""
    office = LISTING_POLICY.user_has_permission(user, "confirm") and bool(
        office_listing_level(getattr(user, "organisation", None))
    )
    proposed = listing.status == Listing.Status.PROPOSED
    closed = listing.hazard.status == "closed"
    delist = (
        listing.status == Listing.Status.LISTED
        and closed
        and LISTING_POLICY.user_has_permission(user, "delist")
        and listing.body_id == getattr(user, "organisation_id", None)
    )
    return {
        "confirm": ListingConfirmForm(
            initial={"required_by": listing.required_by, "stop": listing.stop}
        )
        if office and proposed
        else None,
        "refuse": ListingRefuseForm() if office and proposed else None,
        "delist": ListingDelistForm() if delist else None,
    }


class ListingDetailView(ScopedObjectMixin, DetailView):
    """A listing: its hazard, level, body, document number, required date with days left,
    stop, officials and decisions, and the forms its viewer may use."""

    queryset = Listing.objects.select_related("hazard", "hazard__site", "region", "sector")
    template_name = "supervision/listing_detail.html"
    bound: dict[str, forms.Form] | None = None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        available = listing_forms(user=self.request.user, listing=self.object)
        for name, form in (self.bound or {}).items():
            available[name] = form
        context.update(forms=available, today=local_today())
        return context


_DECISIONS: dict[str, Any] = {
    "confirm": (
        ListingConfirmForm,
        lambda user, listing, data: listing_confirm(
            actor=user,
            listing=listing,
            document_number=data["document_number"],
            required_by=data["required_by"],
            stop=data["stop"],
        ),
        gettext_lazy("The hazard is listed for supervision."),
    ),
    "refuse": (
        ListingRefuseForm,
        lambda user, listing, data: listing_refuse(
            actor=user, listing=listing, reason=data["reason"]
        ),
        gettext_lazy("The proposal is refused."),
    ),
    "delist": (
        ListingDelistForm,
        lambda user, listing, data: listing_delist(
            actor=user, listing=listing, document_number=data["delist_document_number"]
        ),
        gettext_lazy("The hazard is delisted."),
    ),
}


@require_POST
@login_required
def listing_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponseBase:
    """Confirm, refuse or delist a listing (``decision``); on an error the listing's page
    again, with the form and its errors."""
    listing = get_object_for_user(Listing.objects.all(), request.user, decision, pk=pk)
    form_class, service, done = _DECISIONS[decision]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            with durable_atomic():
                service(request.user, listing, form.cleaned_data)
        except ServiceError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, str(done))
            return HttpResponseRedirect(listing.get_absolute_url())
    view = ListingDetailView.as_view(bound={decision: form})
    return view(_as_get(request), pk=pk)


def _as_get(request: HttpRequest) -> HttpRequest:
    request.method = "GET"
    return request


# --- proposing ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def listing_propose_view(request: HttpRequest, hazard_pk: int) -> HttpResponse:
    """Propose a hazard for listing (a department's inspector) or list it directly (an office
    of a province, city or county, which also gives the document number)."""
    user = request.user
    hazard = get_object_for_user(hazard_list(user=user), user, "view", pk=hazard_pk)
    if not LISTING_POLICY.user_has_permission(user, "propose"):
        raise PermissionDenied
    direct = LISTING_POLICY.user_has_permission(user, "confirm") and bool(
        office_listing_level(getattr(user, "organisation", None))
    )
    form = ListingProposeForm(request.POST or None, with_document_number=direct)
    if request.method == "POST" and form.is_valid():
        try:
            with durable_atomic():
                listing = _propose(user, hazard, form, direct)
        except ServiceError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("The listing is saved."))
            return HttpResponseRedirect(listing.get_absolute_url())
    context = {"hazard": hazard, "form": form, "direct": direct}
    return render(request, "supervision/listing_form.html", context)


def _propose(user: Any, hazard: Hazard, form: ListingProposeForm, direct: bool) -> Listing:
    if direct:
        return listing_create(
            actor=user,
            hazard=hazard,
            proposal=form.proposal(),
            document_number=form.cleaned_data["document_number"],
        )
    return listing_propose(actor=user, hazard=hazard, proposal=form.proposal())
