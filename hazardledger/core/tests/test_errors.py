"""The service errors map the same way onto forms, pages and problem responses."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from hazardledger.core.errors import (
    Conflict,
    Invalid,
    InvalidTransition,
    NotAllowed,
    NotFound,
    error_status,
    form_add_service_error,
    form_error_status,
    problem_details,
)


class _Form(forms.Form):
    name = forms.CharField()


@pytest.mark.parametrize(
    ("exc", "status", "form_status"),
    [
        (Invalid({"name": ["too long"]}), 400, 200),
        (ValidationError("bad"), 400, 200),
        (NotAllowed(), 403, 403),
        (PermissionDenied(), 403, 403),
        (NotFound(), 404, 404),
        (Conflict(), 409, 409),
        (InvalidTransition(), 409, 409),
    ],
)
def test_each_error_has_one_status(exc, status, form_status):
    assert error_status(exc) == status
    assert form_error_status(exc) == form_status
    assert problem_details(exc)["status"] == status


def test_field_errors_land_beside_their_fields_and_others_on_top(english):
    form = _Form({"name": "x"})
    assert form.is_valid()
    form_add_service_error(form, Invalid({"name": ["Too short."], "other": ["Elsewhere."]}))
    assert form.errors["name"] == ["Too short."]
    assert form.non_field_errors() == ["Elsewhere."]
    form = _Form({"name": "x"})
    form.is_valid()
    form_add_service_error(form, Conflict())
    assert "Someone else changed this" in form.non_field_errors()[0]


def test_a_problem_response_lists_every_field_error(english):
    body = problem_details(Invalid({"name": ["Too short."], "deadline": ["Past."]}))
    assert body["status"] == 400
    assert body["errors"] == {"name": ["Too short."], "deadline": ["Past."]}
    assert body["type"].endswith("#invalid")
    assert problem_details(NotAllowed("No."))["title"] == "No."
