"""Input parsing for the notification pages: the preferences form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hazardledger.core.forms import StyledFormMixin

from .choices import ChannelName
from .kinds import NoticeKind

# Posted keys that are not a kind's field and still belong to the form.
FORM_KEYS = frozenset({"csrfmiddlewaretoken"})


def field_name(kind: NoticeKind) -> str:
    """The form field of a kind: its name, whose dots are not valid in an HTML id selector."""
    return "kind-" + kind.name.replace(".", "-")


class PreferenceForm(StyledFormMixin, forms.Form):
    """For each registered kind of notice, which outbound channels (email, SMS) a user wants.

    In-app notices are always on, so they are not a choice. A posted key that names no kind,
    or a channel that is not offered, is an error and nothing is saved.
    """

    def __init__(
        self,
        *args: Any,
        kinds: list[NoticeKind],
        current: dict[str, list[str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind in kinds:
            self.fields[field_name(kind)] = forms.MultipleChoiceField(
                label=kind.label,
                choices=ChannelName.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=current.get(kind.name, list(kind.default_channels)),
            )

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        unknown = set(self.data) - set(self.fields) - FORM_KEYS
        if unknown:
            # Not echoed back: the keys are whatever the client sent.
            raise ValidationError(
                _("The form sent a setting that does not exist; nothing was saved."),
                code="unknown_setting",
            )
        return cleaned

    def channels_by_kind(self) -> dict[str, list[str]]:
        """The chosen channels per kind name (after ``is_valid()``)."""
        return {kind.name: list(self.cleaned_data[field_name(kind)]) for kind in self.kinds}
