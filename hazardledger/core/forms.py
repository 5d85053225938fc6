"""Form helpers shared by every app."""

from __future__ import annotations

from typing import Any

from django import forms


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


class StyledFormMixin:
    """Mixin for forms rendered with Bootstrap: classes are set once the form is validated."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        style_widgets(self)  # type: ignore[arg-type]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)  # type: ignore[arg-type]
