"""One family of errors for services, and one way to show them on forms and in the API.

Services raise:

- ``Invalid``: the input is wrong (per field, like Django's ``ValidationError``, which it is);
- ``NotAllowed``: the actor may not do this (a ``PermissionDenied``: 403 if nobody catches it);
- ``NotFound``: the object does not exist for this actor (an ``Http404``);
- ``Conflict``: someone else changed the object first; nothing was written (409);
- ``InvalidTransition``: the move is not possible in the object's current state (409).

Every one carries a ``message`` for the user. Views map them with ``ServiceFormMixin`` (class
views) or ``form_add_service_error`` (function views); the API maps them with
``problem_details`` (RFC 9457 problem responses).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    """Base of the family: a message for the user and the HTTP status it maps to."""

    status = 400
    default_message: Any = _("The request could not be carried out.")

    def __init__(self, message: Any = None) -> None:
        self.message = message or self.default_message
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class Invalid(ServiceError, ValidationError):
    """The input is wrong; ``message`` may be a text, a list or a ``{field: [texts]}`` dict
    (as ``ValidationError`` takes), so forms show each problem beside its field."""

    status = 400
    default_message = _("Check the highlighted fields.")

    def __init__(self, message: Any = None, code: str | None = None, params: Any = None) -> None:
        ValidationError.__init__(self, message or self.default_message, code, params)
        self.message = message or self.default_message

    def __str__(self) -> str:
        return ValidationError.__str__(self)


class NotAllowed(ServiceError, PermissionDenied):
    """The actor may not do this to this object. Nothing was written."""

    status = 403
    default_message = _("You may not do this.")


class NotFound(ServiceError, Http404):
    """The object does not exist, or is outside the actor's scope (the two look the same)."""

    status = 404
    default_message = _("Not found.")


class Conflict(ServiceError):
    """Someone else changed the object after the actor loaded it. Nothing was written."""

    status = 409
    default_message = _(
        "Someone else changed this after you opened it. Nothing was saved: check the current "
        "state and try again."
    )


class InvalidTransition(ServiceError):
    """The action is not possible in the object's current state. Nothing was written."""

    status = 409
    default_message = _("This action is not possible in the current state.")


def form_add_service_error(form: Any, exc: Exception) -> None:
    """Put a service error on ``form``: field errors beside their fields (or on top when the
    form has no such field), anything else as a message on top."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
        return
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            form.add_error(None, message)
        return
    form.add_error(None, str(getattr(exc, "message", exc)))


def error_status(exc: Exception) -> int:
    """The HTTP status a service error maps to (400 for Django's own ``ValidationError``)."""
    if isinstance(exc, ServiceError):
        return exc.status
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, Http404):
        return 404
    return 400


def problem_details(exc: Exception) -> dict[str, Any]:
    """An RFC 9457 problem document for a service error (the API's error body)."""
    status = error_status(exc)
    body: dict[str, Any] = {"status": status, "title": str(getattr(exc, "message", exc))}
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            body["title"] = str(Invalid.default_message)
            body["errors"] = {
                field: [str(m) for e in errors for m in e.messages]
                for field, errors in exc.error_dict.items()
            }
        else:
            body["title"] = "; ".join(str(m) for m in exc.messages)
    body["type"] = f"about:blank#{type(exc).__name__.lower()}"
    return body


class ServiceFormMixin:
    """For form views: ``form_valid`` calls the view's ``perform(form)`` (which calls one
    service and returns a response, or None to go on to ``get_success_url``) and turns a service
    error into form errors, answered with the error's status (a stale page gets 409 and the
    message, a refused action 403), never a 500 or a half-saved change."""

    def form_valid(self, form: Any) -> Any:
        try:
            response = self.perform(form)  # type: ignore[attr-defined]
        except (ServiceError, ValidationError, PermissionDenied) as exc:
            form_add_service_error(form, exc)
            result = self.form_invalid(form)  # type: ignore[attr-defined]
            result.status_code = form_error_status(exc)
            return result
        if response is not None:
            return response
        return super().form_valid(form)  # type: ignore[misc]


def form_error_status(exc: Exception) -> int:
    """The status of a form page re-rendered with a service error on it: 200 for problems
    with the input (as Django's own form errors), else the error's status (403, 404, 409)."""
    return 200 if isinstance(exc, ValidationError) else error_status(exc)
