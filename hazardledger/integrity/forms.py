"""Forms of the integrity pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hazardledger.core.forms import StyledFormMixin

from .checkpoints import MAX_FILE_BYTES


class CheckpointImportForm(StyledFormMixin, forms.Form):
    """A signed checkpoint file another instance exported (``.json.gz``)."""

    file = forms.FileField(
        label=_("Checkpoint file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".gz,.json"}),
        help_text=_("A .json.gz file exported by an instance whose key is trusted here."),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        data: bytes = upload.read()
        return data
