"""Input validation for the risk pages. Forms validate; services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardledger.core.forms import StyledFormMixin, choice_field
from hazardledger.core.images import UnreadableImage, image_check
from hazardledger.regions.models import Sector

from .choices import AssessmentMethod, ControlKind, ControlLevel, HazardType, RiskPointKind
from .constants import (
    DEFAULT_LEC_SCALE_SET,
    DEFAULT_MATRIX_THRESHOLD_SET,
    LEC_SCALE_SETS,
    MATRIX_LIKELIHOOD,
    MATRIX_SEVERITY,
    MATRIX_THRESHOLD_SETS,
    ScaleStep,
)
from .grading import InvalidFactor, Result, assess, format_number

PHOTO_MAX_BYTES = 10 * 1024 * 1024


class RiskPointForm(StyledFormMixin, forms.Form):
    """Describe a risk point: what and where it is, what could happen."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=RiskPointKind.choices, initial=RiskPointKind.PLACE
    )
    location = forms.CharField(
        label=_("Place or activity"),
        max_length=200,
        required=False,
        help_text=_("Where at the site, or which work step."),
    )
    hazard_types = forms.MultipleChoiceField(
        label=_("Hazard types"),
        choices=HazardType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Accident types as classified by GB 6441."),
        error_messages={"required": _("Choose at least one hazard type.")},
    )
    consequences = forms.CharField(
        label=_("Possible consequences"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    emergency_phone = forms.CharField(
        label=_("Emergency phone"),
        max_length=30,
        required=False,
        help_text=_("The site's own emergency number, printed on the notice card."),
    )
    # The version the edit page was loaded at (empty when adding), so a stale page is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _scale_choices(steps: tuple[ScaleStep, ...]) -> list[tuple[str, str]]:
    return [("", "---------")] + [
        (format_number(step.value), f"{format_number(step.value)} · {step.label}") for step in steps
    ]


class AssessmentForm(StyledFormMixin, forms.Form):
    """Choose a method and a level for each of its factors; the grade is computed, never typed.

    The factor fields accept any text and leave the judgement to ``grading``, so a value off
    the scale gets the grading's message naming the allowed values.
    """

    method = forms.ChoiceField(
        label=_("Method"), choices=AssessmentMethod.choices, initial=AssessmentMethod.LEC
    )
    l = forms.CharField(label=_("L: likelihood"), required=False)  # noqa: E741
    e = forms.CharField(label=_("E: frequency of exposure"), required=False)
    c = forms.CharField(label=_("C: severity of consequence"), required=False)
    matrix_l = forms.CharField(label=_("L: likelihood"), required=False)
    s = forms.CharField(label=_("S: severity"), required=False)
    threshold_set = forms.ChoiceField(
        label=_("Threshold set"),
        choices=[(code, s.label) for code, s in MATRIX_THRESHOLD_SETS.items()],
        initial=DEFAULT_MATRIX_THRESHOLD_SET,
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    LEC_FIELDS = ("l", "e", "c")
    MATRIX_FIELDS = {"l": "matrix_l", "s": "s", "threshold_set": "threshold_set"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scales = LEC_SCALE_SETS[DEFAULT_LEC_SCALE_SET]
        for name, steps in (
            ("l", scales.likelihood),
            ("e", scales.exposure),
            ("c", scales.consequence),
            ("matrix_l", MATRIX_LIKELIHOOD),
            ("s", MATRIX_SEVERITY),
        ):
            self.fields[name].widget = forms.Select(
                choices=_scale_choices(steps), attrs=self.fields[name].widget.attrs
            )
        self.result: Result | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        method = data.get("method")
        if not method:
            return data
        if method == AssessmentMethod.LEC:
            fields = {name: name for name in self.LEC_FIELDS}
        else:
            fields = dict(self.MATRIX_FIELDS)
        factors = {factor: (data.get(field) or "").strip() for factor, field in fields.items()}
        missing = [
            f for factor, f in fields.items() if not factors[factor] and f != "threshold_set"
        ]
        if missing:
            for field in missing:
                self.add_error(field, _("Choose a value."))
            return data
        try:
            self.result = assess(method, **factors)
        except InvalidFactor as exc:
            self.add_error(fields.get(exc.factor), exc.message)
        return data

    def factors(self) -> dict[str, Any]:
        """The factors for ``risk_point_assess`` (only valid after ``is_valid()``)."""
        data = self.cleaned_data
        if data["method"] == AssessmentMethod.LEC:
            return {"l": data["l"], "e": data["e"], "c": data["c"]}
        return {"l": data["matrix_l"], "s": data["s"], "threshold_set": data["threshold_set"]}


class ControlMeasureForm(StyledFormMixin, forms.Form):
    """A control measure and who owns it."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ControlKind.choices)
    description = forms.CharField(
        label=_("Measure"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    level = forms.ChoiceField(label=_("Controlling level"), choices=ControlLevel.choices)
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=50)
    responsible_phone = forms.CharField(
        label=_("Responsible person's phone"), max_length=30, required=False
    )
    check_item = forms.CharField(
        label=_("Check item"),
        max_length=300,
        required=False,
        help_text=_("What a self-inspection checks; leave empty to check the measure itself."),
    )
    # The version the edit page was loaded at (empty when adding), so a stale page is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PhotoForm(StyledFormMixin, forms.Form):
    image = forms.ImageField(label=_("Photo"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def clean_image(self) -> Any:
        image = self.cleaned_data["image"]
        if image.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(
                _("The photo is larger than %(mb)d MB.") % {"mb": PHOTO_MAX_BYTES // 1024 // 1024}
            )
        # The same pixel limits as every other picture (core.images), read from the header.
        image.seek(0)
        try:
            image_check(image.read(), label=str(_("The photo")))
        except UnreadableImage as exc:
            raise forms.ValidationError(
                _("%(what)s cannot be opened.") % {"what": _("The photo")}
            ) from exc
        image.seek(0)
        return image


class InspectionRecordForm(StyledFormMixin, forms.Form):
    inspected_on = forms.DateField(
        label=_("Inspected on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_inspected_on(self) -> Any:
        day = self.cleaned_data["inspected_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The inspection date cannot be in the future."))
        return day


class RiskCountsForm(StyledFormMixin, forms.Form):
    """The region and sector of the risk counts page (choices set by the view)."""

    region = forms.ChoiceField(label=_("Region"), required=False)
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All sectors"),
    )

    def __init__(self, *args: Any, region_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "region").choices = region_choices
