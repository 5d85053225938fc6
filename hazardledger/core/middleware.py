"""Request-scoped context (a request id that audit records and logs can carry) and the
query-string guard."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from .text import control_characters

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)


class RequestIdMiddleware:
    """Give each request a UUID, kept in a context variable and sent back as ``X-Request-ID``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RejectControlQueryMiddleware:
    """Answer 400 to a query string whose values hold C0/C1 control characters.

    No filter or lookup has a use for them, and a NUL reaching PostgreSQL in a text
    comparison is an error (SQLite accepts it), so they are refused before any view runs,
    whatever view it is. Form fields have their own, friendlier check (``core.forms``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key, values in request.GET.lists():
            found = control_characters(key) or [
                code for value in values for code in control_characters(value)
            ]
            if found:
                message = _(
                    "The address contains invisible control characters (%(characters)s) and "
                    "cannot be used."
                ) % {"characters": ", ".join(dict.fromkeys(found))}
                return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
