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
        if form._errors is not None and name in form._errors:
            css += " is-invalid"
        widget.attrs["class"] = css


class StyledFormMixin:
    """Mixin for forms rendered with Bootstrap: classes are set once the form is validated."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        style_widgets(self)  # type: ignore[arg-type]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)  # type: ignore[arg-type]
