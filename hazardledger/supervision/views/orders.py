"""Pages of rectification orders: issue one from an inspection, the list in scope, the order
with its hazards, its PDF and the representative's signature."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django.views.generic import DetailView, ListView

from hazardledger.access.scope import get_object_for_user, user_can
from hazardledger.access.views import ScopedObjectMixin, ScopedQuerysetMixin
from hazardledger.core.errors import ServiceError, form_add_service_error, form_error_status
from hazardledger.core.pagination import LastPageMixin
from hazardledger.core.transactions import durable_atomic
from hazardledger.core.uploads import upload_response
from hazardledger.inspections.selectors import inspection_list

from ..documents import order_document_pdf_bytes
from ..forms import OrderIssueForm
from ..models import RectificationOrder
from ..selectors import inspections_awaiting_order
from ..services.orders import order_issuable_hazards, order_issue


class OrderListView(LastPageMixin, ScopedQuerysetMixin, ListView):
    """The orders the user may see, newest first; an inspector also sees the inspections of
    their scope whose open hazards no order names yet."""

    queryset = RectificationOrder.objects.select_related("site")
    template_name = "supervision/order_list.html"
    context_object_name = "orders"
    paginate_by = 25

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_issue"] = user_can(user, RectificationOrder, "add")
        if context["can_issue"]:
            context["awaiting"] = inspections_awaiting_order(user=user)[:20]
        return context


class OrderDetailView(ScopedObjectMixin, DetailView):
    """An order with its hazards (each linked to the ledger), its signature and the PDF."""

    queryset = RectificationOrder.objects.select_related("site", "inspection")
    template_name = "supervision/order_detail.html"
    context_object_name = "order"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["items"] = self.object.items.select_related("hazard").order_by("position")
        return context


def _order_for(request: HttpRequest, pk: int) -> RectificationOrder:
    return get_object_for_user(RectificationOrder.objects.all(), request.user, "view", pk=pk)


@require_http_methods(["GET", "POST"])
@login_required
def order_issue_view(request: HttpRequest, inspection_pk: int) -> HttpResponse:
    """Issue an order from an inspection in the inspector's scope (404 outside it, 403 for a
    role that does not issue orders)."""
    inspection = get_object_for_user(
        inspection_list(user=request.user), request.user, "view", pk=inspection_pk
    )
    if not user_can(request.user, RectificationOrder, "add"):
        raise PermissionDenied
    hazards = list(order_issuable_hazards(inspection=inspection, user=request.user))
    form = OrderIssueForm(request.POST or None, request.FILES or None, hazards=hazards)
    if request.method == "GET":
        form.initial["place"] = inspection.site.address or inspection.site.name
    status = 200
    if request.method == "POST" and form.is_valid():
        assert form.signature is not None  # form.clean() sets it or adds an error
        try:
            with durable_atomic():
                order = order_issue(
                    inspection=inspection,
                    actor=request.user,
                    hazards=form.order_hazards,
                    place=form.cleaned_data["place"],
                    completion_report=form.cleaned_data["completion_report"],
                    representative=form.cleaned_data["representative"],
                    signature=form.signature,
                    issued_on=timezone.localdate(),
                )
        except (ServiceError, ValidationError, PermissionDenied) as exc:
            form_add_service_error(form, exc)
            status = form_error_status(exc)
        else:
            return redirect(order)
    context = {"inspection": inspection, "form": form, "hazards": hazards}
    return render(request, "supervision/order_issue.html", context, status=status)


@require_GET
@login_required
def order_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The order as PDF, with a QR code of its page."""
    order = _order_for(request, pk)
    url = request.build_absolute_uri(order.get_absolute_url())
    response = HttpResponse(
        order_document_pdf_bytes(order=order, url=url), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="order-{order.pk}.pdf"'
    return response


@require_GET
@login_required
def order_signature(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The representative's signature, served only to users who may see the order."""
    order = _order_for(request, pk)
    if not order.signature:
        raise Http404
    return upload_response(order.signature)
