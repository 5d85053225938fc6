"""Notification pages: the bell in the top bar, the list of a user's notices with "mark read",
opening a notice, and the preferences form.

Every page is the signed-in user's own: notices come from ``notice_list(user=…)``, so another
user's notice is a 404 like one that does not exist. Mark-read answers HTMX with the item (or
the list) and the bell's count swapped out of band, and a plain form post with a redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hazardledger.accounts.http import AuthenticatedHttpRequest
from hazardledger.core.errors import Invalid, form_add_service_error
from hazardledger.core.htmx import is_partial
from hazardledger.core.http import safe_next
from hazardledger.core.pagination import nearest_page
from hazardledger.core.transactions import durable_atomic

from .forms import PreferenceForm
from .kinds import kinds
from .models import Notice
from .selectors import notice_list, preference_channels, unread_count
from .services import notice_mark_read, notices_mark_all_read, preference_set

NOTICE_PAGE_SIZE = 20


def _own_notice(request: AuthenticatedHttpRequest, pk: int) -> Notice:
    """The user's notice ``pk``; 404 for another user's or a missing one (an id beyond any
    row included), so whether it exists is not revealed."""
    return get_object_or_404(notice_list(user=request.user), pk=pk)


def _list_url() -> str:
    return reverse("notifications:notice-list")


@require_GET
def notice_bell(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The bell's link and unread count (one query), polled by the top bar.

    When the session has ended, the poll gets "no content" (the bell stays as it was) rather
    than the sign-in page, which HTMX would follow and put inside the top bar; a plain request
    is sent to sign in like any other page.
    """
    if not request.user.is_authenticated:
        if is_partial(request):
            return HttpResponse(status=204)
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "notifications/partials/_bell.html",
        {"unread": unread_count(user=request.user)},
    )


def _render_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The page of notices ``?page=`` names (the last one past the end, the first when the
    number is not one), in full or as the results fragment with the bell swapped too."""
    page = nearest_page(
        Paginator(notice_list(user=request.user), NOTICE_PAGE_SIZE), request.GET.get("page")
    )
    context: dict[str, Any] = {"page_obj": page, "unread": unread_count(user=request.user)}
    if is_partial(request):
        context["oob_bell"] = True
        return render(request, "notifications/partials/_notice_results.html", context)
    return render(request, "notifications/notice_list.html", context)


@require_GET
@login_required
def notice_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's notices, newest first, a page at a time; unread ones stand out."""
    return _render_list(request)


@require_POST
@login_required
@durable_atomic()
def notice_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark one notice read: HTMX gets the item and the bell, a form post goes back."""
    notice = notice_mark_read(user=request.user, notice_id=_own_notice(request, pk).pk)
    if not is_partial(request):
        return HttpResponseRedirect(safe_next(request, _list_url()))
    return render(
        request,
        "notifications/partials/_notice_read.html",
        {"notice": notice, "unread": unread_count(user=request.user)},
    )


@require_POST
@login_required
@durable_atomic()
def notice_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mark every notice of the user read; HTMX gets the list's first page and the bell."""
    notices_mark_all_read(user=request.user)
    if not is_partial(request):
        messages.success(request, _("All notifications marked as read."))
        return HttpResponseRedirect(safe_next(request, _list_url()))
    return _render_list(request)


@require_GET
@login_required
@durable_atomic()
def notice_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark the notice read and go to its object's page.

    The redirect goes only to the notice's own stored path, and only when that path stays on
    this site; anything else (an empty or foreign link) leads back to the list.
    """
    notice = notice_mark_read(user=request.user, notice_id=_own_notice(request, pk).pk)
    target = notice.url
    local = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return HttpResponseRedirect(target if local else _list_url())


@require_http_methods(["GET", "POST"])
@login_required
def notice_preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Which channels the user wants for each kind of notice (in-app is always on)."""
    form = PreferenceForm(
        request.POST if request.method == "POST" else None,
        kinds=kinds(),
        current=preference_channels(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            with durable_atomic():
                for kind_name, channels in form.channels_by_kind().items():
                    preference_set(user=request.user, kind=kind_name, channels=channels)
        except Invalid as exc:  # all or nothing: the transaction rolled back
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("Notification settings saved."))
            return HttpResponseRedirect(reverse("notifications:notice-preferences"))
    return render(request, "notifications/notice_preferences.html", {"form": form})
