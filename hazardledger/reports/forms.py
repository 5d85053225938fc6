"""Forms of the reports app: input validation only. Every period a page reads from its query
string goes through ``PeriodForm``: a year outside 2000–2100 or a month/quarter that does not
exist is a form error (400), never a date computation that fails."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hazardledger.core.forms import StyledFormMixin, choice_field

from .choices import FilingState, Indicator, PeriodKind, ReportKind
from .constants import FIRST_YEAR, LAST_YEAR, SIGNATURE_MAX_BYTES
from .periods import Period, period_containing
from .returns import ReturnPeriodKey
from .services import SignatureImage, signature_from_bytes, signature_from_data_url


class PeriodForm(StyledFormMixin, forms.Form):
    """A calendar period: kind, year and the month or quarter (``number``; ignored for a
    year). Without data, the period containing ``today``."""

    period = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices, required=False)
    year = forms.IntegerField(
        label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False
    )
    number = forms.IntegerField(
        label=_("Month or quarter"), min_value=1, max_value=12, required=False
    )

    def __init__(self, *args: Any, today: date, kinds: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        if kinds is not None:
            choice_field(self, "period").choices = kinds

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        field_choices: Any = choice_field(self, "period").choices
        choices = {value for value, _label in field_choices}
        kind = cleaned.get("period") or (
            PeriodKind.MONTH if PeriodKind.MONTH in choices else next(iter(sorted(choices)))
        )
        year = cleaned.get("year") or self.today.year
        current = period_containing(kind, self.today)
        number = cleaned.get("number")
        if number is None:
            number = current.number if year == current.year else 1
        try:
            cleaned["the_period"] = Period(kind, year, 1 if kind == PeriodKind.YEAR else number)
        except ValueError:
            raise ValidationError({"number": _("There is no such month or quarter.")}) from None
        if cleaned["the_period"].start > self.today:
            raise ValidationError({"number": _("This period has not begun yet.")})
        return cleaned


class RankingForm(PeriodForm):
    indicator = forms.ChoiceField(label=_("Rank on"), choices=Indicator.choices, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["indicator"] = cleaned.get("indicator") or Indicator.CLOSURE_RATE
        return cleaned


class ReportRequestForm(PeriodForm):
    """Ask for a monthly or quarterly report of a division (the user's, or one under it)."""

    region = forms.ChoiceField(label=_("Division"), required=False)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(
            *args,
            kinds=[
                (PeriodKind.MONTH, ReportKind.MONTHLY.label),
                (PeriodKind.QUARTER, ReportKind.QUARTERLY.label),
            ],
            **kwargs,
        )
        choice_field(self, "region").choices = regions

    @property
    def report_kind(self) -> str:
        period = self.cleaned_data["the_period"]
        return ReportKind.MONTHLY if period.kind == PeriodKind.MONTH else ReportKind.QUARTERLY


class ReturnPeriodField(forms.CharField):
    """A return's period as ``2026-Q3`` or ``2026``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        key = ReturnPeriodKey.parse(text)
        if key is None:
            raise ValidationError(_("Give a period as 2026-Q3 or 2026."))
        return key


class ReturnPrepareForm(StyledFormMixin, forms.Form):
    period = ReturnPeriodField(label=_("Period"))


class ReturnTrackingForm(StyledFormMixin, forms.Form):
    """The regulator's list: which return, which filing state, which division, which name."""

    period = ReturnPeriodField(label=_("Return"), required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("Every state")), *FilingState.choices], required=False
    )
    region = forms.ChoiceField(label=_("Division"), required=False)
    q = forms.CharField(label=_("Enterprise"), max_length=100, required=False)

    def __init__(
        self,
        *args: Any,
        regions: list[tuple[str, str]],
        periods: list[ReturnPeriodKey],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "region").choices = [("", _("Every division")), *regions]
        self.periods = periods

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("period") and self.periods:
            cleaned["period"] = self.periods[0]
        cleaned["q"] = (cleaned.get("q") or "").strip()
        return cleaned


class ReturnSignForm(StyledFormMixin, forms.Form):
    """The principal's name and signature (drawn on the page as a PNG data URL, or a photo
    uploaded), and the version of the figures the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    principal_name = forms.CharField(label=_("Principal"), max_length=100)
    confirm = forms.BooleanField(
        label=_("I have checked the figures and submit this return to our regulators."),
    )
    signature_data = forms.CharField(required=False, widget=forms.HiddenInput, max_length=800_000)
    signature_file = forms.FileField(
        label=_("Or upload a photo of the signature"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.signature: SignatureImage | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("signature_file")
        drawn = (cleaned.get("signature_data") or "").strip()
        try:
            if upload:
                self.signature = signature_from_bytes(upload.read(SIGNATURE_MAX_BYTES + 1))
            elif drawn:
                self.signature = signature_from_data_url(drawn)
            else:
                self.add_error("signature_file", _("The principal signs the return."))
        except ValidationError as exc:
            self.add_error("signature_file", exc)
        return cleaned
