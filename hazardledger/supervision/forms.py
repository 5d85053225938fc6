"""Forms of the supervision app: input validation only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hazardledger.core.forms import StyledFormMixin

from .constants import DEFAULT_COMPLETION_REPORT, SIGNATURE_MAX_BYTES
from .services.orders import (
    OrderHazard,
    SignatureImage,
    hazard_order_basis,
    signature_from_bytes,
    signature_from_data_url,
)

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class OrderIssueForm(StyledFormMixin, forms.Form):
    """The issue form: which of the inspection's hazards the order names, each with its legal
    basis and deadline (the hazard's by default), then the order's place, how to report
    completion, and the enterprise representative with a signature drawn on the page
    (``signature_data``, a PNG data URL) or uploaded (``signature_file``)."""

    place = forms.CharField(label=_("Place of inspection"), max_length=300)
    completion_report = forms.CharField(
        label=_("How to report completion"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    representative = forms.CharField(label=_("Enterprise representative"), max_length=100)
    signature_data = forms.CharField(required=False, widget=forms.HiddenInput, max_length=800_000)
    signature_file = forms.FileField(
        label=_("Or upload a photo of the signature"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    def __init__(self, *args: Any, hazards: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hazards = hazards
        self.fields["completion_report"].initial = DEFAULT_COMPLETION_REPORT
        for hazard in hazards:
            self.fields[f"include_{hazard.pk}"] = forms.BooleanField(
                label=_("Name this hazard in the order"), required=False, initial=True
            )
            self.fields[f"basis_{hazard.pk}"] = forms.CharField(
                label=_("Legal basis"),
                max_length=1000,
                required=False,
                initial=hazard_order_basis(hazard),
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"deadline_{hazard.pk}"] = forms.DateField(
                label=_("Deadline"), required=False, initial=hazard.deadline, widget=DATE_WIDGET
            )
        self.signature: SignatureImage | None = None
        self.order_hazards: list[OrderHazard] = []

    def hazard_rows(self) -> list[tuple[Any, Any, Any, Any]]:
        """Each hazard with its bound include, basis and deadline fields, for the template."""
        return [
            (h, self[f"include_{h.pk}"], self[f"basis_{h.pk}"], self[f"deadline_{h.pk}"])
            for h in self.hazards
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for hazard in self.hazards:
            if not cleaned.get(f"include_{hazard.pk}"):
                continue
            basis = (cleaned.get(f"basis_{hazard.pk}") or "").strip()
            deadline = cleaned.get(f"deadline_{hazard.pk}")
            if not basis:
                self.add_error(f"basis_{hazard.pk}", _("The order cites a legal basis."))
            if deadline is None and f"deadline_{hazard.pk}" not in self.errors:
                self.add_error(f"deadline_{hazard.pk}", _("Give the deadline."))
            if basis and deadline is not None:
                self.order_hazards.append(
                    OrderHazard(hazard=hazard, basis=basis, deadline=deadline)
                )
        if not self.order_hazards and not self.errors:
            raise ValidationError(_("Choose at least one hazard for the order."))
        upload = cleaned.get("signature_file")
        drawn = (cleaned.get("signature_data") or "").strip()
        try:
            if upload:
                self.signature = signature_from_bytes(upload.read(SIGNATURE_MAX_BYTES + 1))
            elif drawn:
                self.signature = signature_from_data_url(drawn)
            else:
                self.add_error(
                    "signature_file", _("The enterprise representative signs the order.")
                )
        except ValidationError as exc:
            self.add_error("signature_file", exc)
        return cleaned
