"""Login throttling hooks for django-axes (``AXES_CLIENT_IP_CALLABLE``, ``AXES_LOCKOUT_CALLABLE``).

Axes counts failed logins per account and per address (settings ``AXES_*``); these two functions
say which address a request comes from and what a refused login looks like.
"""

from __future__ import annotations

import ipaddress
import math
from http import HTTPStatus
from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hazardledger.core.http import safe_next


def client_ip(request: HttpRequest) -> str | None:
    """The address failed logins are counted against.

    With ``TRUSTED_PROXY_COUNT = 0`` (the default) it is the connection's address, and
    X-Forwarded-For is ignored: anybody can send that header. Behind N trusted proxies, each
    appending the address it received the request from, it is the N-th entry from the right of
    X-Forwarded-For; entries further left were written by the client and may be forged. When the
    header is shorter than that or the entry is not an address (a proxy that does not append),
    it falls back to the connection's address.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


def lockout_message(request: HttpRequest) -> str:
    """Why the login was refused, and for how long (in the user's language)."""
    cool_off = get_cool_off(request)
    if not cool_off:
        return _("Too many failed login attempts. Ask an administrator to unlock the account.")
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60))
    return ngettext(
        "Too many failed login attempts. Try again in %(minutes)d minute, "
        "or ask an administrator to unlock the account.",
        "Too many failed login attempts. Try again in %(minutes)d minutes, "
        "or ask an administrator to unlock the account.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The login page again with the lockout message, as HTTP 429 (Too Many Requests).

    The form is unbound on purpose: validating it would try the password once more.
    """
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return render(
        request,
        "accounts/login.html",
        {
            "form": AuthenticationForm(request, initial={"username": username}),
            "lockout_message": lockout_message(request),
            "next": safe_next(request, ""),
        },
        status=HTTPStatus.TOO_MANY_REQUESTS,
    )
