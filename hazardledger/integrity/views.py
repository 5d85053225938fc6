"""Checkpoint pages: the list (with "take one now" and the key), one checkpoint, its signed
file, and importing another instance's file."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import DetailView, ListView

from hazardledger.access.scope import get_object_for_user, user_can
from hazardledger.access.views import ScopedObjectMixin, ScopedQuerysetMixin
from hazardledger.core.errors import Conflict, ServiceError, form_add_service_error
from hazardledger.core.pagination import LastPageMixin
from hazardledger.core.transactions import durable_atomic

from .forms import CheckpointImportForm
from .models import Checkpoint
from .selectors import instance_in_scope, signing_key_info
from .services import (
    NoSigningKey,
    checkpoint_create,
    checkpoint_export,
    checkpoint_import,
    signature_status,
    signed,
)

PAGE_SIZE = 50
ENTRIES_SHOWN = 200


class CheckpointListView(LastPageMixin, ScopedQuerysetMixin, ListView):
    """The checkpoints in scope, newest first, with this instance's key and what the user may
    do (take one now, import a file)."""

    model = Checkpoint
    queryset = Checkpoint.objects.select_related("region").order_by("-created_at", "-id")
    template_name = "integrity/checkpoint_list.html"
    context_object_name = "checkpoints"
    paginate_by = PAGE_SIZE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            key=signing_key_info(),
            instance=settings.INTEGRITY_INSTANCE,
            may_create=user_can(user, Checkpoint, "add") and instance_in_scope(user),
            may_import=user_can(user, Checkpoint, "import"),
            cron=settings.INTEGRITY_CHECKPOINT_CRON,
        )
        return context


class CheckpointDetailView(ScopedObjectMixin, DetailView):
    """One checkpoint: what it attests, whether its signature verifies with a trusted key, the
    hazards it lists (the first ``ENTRIES_SHOWN``) and its files."""

    queryset = Checkpoint.objects.select_related("region")
    template_name = "integrity/checkpoint_detail.html"
    context_object_name = "checkpoint"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        checkpoint: Checkpoint = self.object
        try:
            item = signed(checkpoint)
            status = signature_status(item)
            entries = [line.split(" ") for line in item.entries[:ENTRIES_SHOWN]]
            total = len(item.entries)
        except (ValueError, OSError, EOFError):
            status, entries, total = False, [], 0
        context.update(
            document=checkpoint.document,
            signature_ok=status,
            entries=entries,
            entries_total=total,
            may_export=user_can(self.request.user, Checkpoint, "export"),
        )
        return context


@require_GET
@login_required
def checkpoint_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The checkpoint's signed file (``?full=1``: with the whole list of hazards)."""
    checkpoint = get_object_for_user(Checkpoint.objects.all(), request.user, "export", pk=pk)
    full = request.GET.get("full") == "1"
    try:
        data = checkpoint_export(checkpoint=checkpoint, full=full)
    except Conflict as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(checkpoint.get_absolute_url())
    suffix = "-full" if full else ""
    response = HttpResponse(data, content_type="application/gzip")
    response["Content-Disposition"] = (
        f'attachment; filename="checkpoint-{checkpoint.instance}-{checkpoint.number}{suffix}'
        '.json.gz"'
    )
    return response


@require_POST
@login_required
def checkpoint_create_view(request: HttpRequest) -> HttpResponse:
    """Take a checkpoint now (those whose scope covers this instance's region)."""
    if not (user_can(request.user, Checkpoint, "add") and instance_in_scope(request.user)):
        raise PermissionDenied
    try:
        with durable_atomic():
            taken = checkpoint_create(actor=request.user)
    except NoSigningKey as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(_list_url())
    number = taken.checkpoint.number
    if taken.created:
        messages.success(request, _("Checkpoint #%(number)d signed.") % {"number": number})
    else:
        messages.info(
            request, _("Nothing changed since checkpoint #%(number)d.") % {"number": number}
        )
    return HttpResponseRedirect(taken.checkpoint.get_absolute_url())


@require_http_methods(["GET", "POST"])
@login_required
def checkpoint_import_view(request: HttpRequest) -> HttpResponse:
    """Import a signed checkpoint file; every problem is shown on the form, nothing stored."""
    if not user_can(request.user, Checkpoint, "import"):
        raise PermissionDenied
    form = CheckpointImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with durable_atomic():
                result = checkpoint_import(data=form.cleaned_data["file"], actor=request.user)
        except ServiceError as exc:
            form_add_service_error(form, exc)
        else:
            names = ", ".join(f"{c.instance} #{c.number}" for c in result.created)
            if result.created:
                messages.success(request, _("Imported %(names)s.") % {"names": names})
            if result.existing:
                messages.info(
                    request,
                    _("%(n)d checkpoint(s) of the file were already held.")
                    % {"n": result.existing},
                )
            return HttpResponseRedirect(_list_url())
    return render(request, "integrity/checkpoint_import.html", {"form": form})


def _list_url() -> str:
    from django.urls import reverse

    return reverse("integrity:checkpoint-list")
