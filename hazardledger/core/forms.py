"""Form helpers shared by every app, and the input rules every form applies.

``StyledFormMixin`` (which every form of the project uses) includes ``InputGuardMixin``: every
text field refuses control characters and every integer field stays within the database's
signed 64-bit range, without each form having to remember it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from .text import control_characters

# The range of a signed 64-bit integer (BigAutoField, BigIntegerField), the widest integer
# column in either database. A number outside it is bad input, not a query to send: SQLite
# raises OverflowError and PostgreSQL "out of range" for it, both 500s.
BIGINT_MIN = -(2**63)
BIGINT_MAX = 2**63 - 1

# At most this many distinct control characters are named in the message.
CONTROL_CHARACTERS_SHOWN = 3


@deconstructible
class ControlCharacterValidator:
    """Refuse text containing control characters; ``multiline`` allows tab and line breaks.

    The message names the characters found (``U+0007``), since they cannot be seen.
    """

    message = _("This text contains invisible control characters (%(chars)s). Remove them.")
    code = "control_characters"

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        found = control_characters(value, multiline=self.multiline)
        if found:
            chars = ", ".join(found[:CONTROL_CHARACTERS_SHOWN])
            raise ValidationError(self.message, code=self.code, params={"chars": chars})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ControlCharacterValidator) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash((type(self), self.multiline))


def is_multiline(field: forms.Field) -> bool:
    """True for a text field typed in a text area (where tabs and line breaks belong)."""
    return isinstance(field.widget, forms.Textarea)


def _is_null_check(validator: Any) -> bool:
    return isinstance(validator, validators.ProhibitNullCharactersValidator)


def guard_fields(form: forms.BaseForm) -> None:
    """Put the input rules on every field of ``form`` (idempotent; fields added by a form's
    ``__init__`` are covered because this runs when the form is cleaned).

    - text fields (``CharField`` and its kinds, not passwords or JSON) refuse control
      characters; this replaces Django's null-character check, which only knows ``\\x00``;
    - integer fields without tighter bounds are bounded to the signed 64-bit range.
    """
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and not isinstance(field, forms.JSONField):
            if isinstance(field.widget, forms.PasswordInput):
                continue
            if not any(isinstance(v, ControlCharacterValidator) for v in field.validators):
                field.validators = [v for v in field.validators if not _is_null_check(v)]
                field.validators.append(ControlCharacterValidator(multiline=is_multiline(field)))
        elif isinstance(field, forms.IntegerField) and not isinstance(
            field, forms.FloatField | forms.DecimalField
        ):
            if field.min_value is None or field.min_value < BIGINT_MIN:
                field.min_value = BIGINT_MIN
                field.validators.append(validators.MinValueValidator(BIGINT_MIN))
            if field.max_value is None or field.max_value > BIGINT_MAX:
                field.max_value = BIGINT_MAX
                field.validators.append(validators.MaxValueValidator(BIGINT_MAX))


class InputGuardMixin:
    """Forms that apply ``guard_fields`` before validating (part of ``StyledFormMixin``)."""

    def full_clean(self) -> None:
        guard_fields(self)  # type: ignore[arg-type]
        super().full_clean()  # type: ignore[misc]


class IdField(forms.IntegerField):
    """A row id: a whole number from 1 to the largest 64-bit integer.

    Use it for every id that arrives as text (query strings, filters, hidden inputs), so a
    number no row can have is invalid input rather than a query the database rejects.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(**kwargs)


def error_text(form: forms.BaseForm) -> str:
    """Every error of a bound form in one line, for views that answer with a message (a
    one-field form posted from a page that shows no form)."""
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


def parse_id(value: Any) -> int | None:
    """``value`` (e.g. ``request.GET.get("site")``) read as ``IdField`` reads it; ``None`` when
    missing or invalid (not a whole number, or out of range)."""
    try:
        return IdField(required=False).clean(value)
    except ValidationError:
        return None


def style_widgets(form: forms.BaseForm) -> None:
    """Give every widget its Bootstrap class, and mark fields with errors as invalid."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            # Bootstrap's inline form-check layout instead of Django's bare list.
            widget.template_name = "core/widgets/choice_list.html"
            widget.option_template_name = "core/widgets/choice_option.html"
            css = "form-check-input"
        elif isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        elif isinstance(widget, forms.HiddenInput):
            continue
        else:
            css = "form-control"
        # ``_errors`` rather than ``errors``: reading ``errors`` would validate the form early.
        # django-stubs does not declare the private attribute.
        errors = form._errors  # type: ignore[attr-defined]
        if errors is not None and name in errors:
            css += " is-invalid"
        widget.attrs["class"] = css


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """``form.fields[name]``, checked to be a choice field, so its ``choices`` can be set."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField), name
    return field


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """``form.fields[name]``, checked to be a model choice field, for its ``queryset``."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField), name
    return field


class StyledFormMixin(InputGuardMixin):
    """Mixin for forms rendered with Bootstrap: classes are set once the form is validated.

    Every form of the project uses it, so it carries the input rules (``InputGuardMixin``).
    """

    def full_clean(self) -> None:
        super().full_clean()
        style_widgets(self)  # type: ignore[arg-type]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)  # type: ignore[arg-type]
