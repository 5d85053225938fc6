"""HTTP helpers shared by every app."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """The request's ``next`` URL (POST first, then the query string) when it leads back to this
    site, else ``default``.

    Anything that would leave the site (``https://evil.example/``, ``//evil.example/``, a
    ``javascript:`` URL) falls back to ``default``, as does plain HTTP from an HTTPS page.
    Every view that redirects to a URL the client sent goes through here (Django's login and
    language views check their own ``next``).
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
