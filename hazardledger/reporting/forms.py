"""The dashboard's choices: the period, a sector, the map's indicator."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hazardledger.core.forms import StyledFormMixin, choice_field

from .constants import EARLIEST, LATEST, MAP_INDICATORS, MAX_PERIOD_DAYS, PERIOD_KINDS
from .selectors import period_defaults


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DashboardForm(StyledFormMixin, forms.Form):
    """Which period (this month, quarter or year, the one holding ``start``, or ``start`` to
    ``end``) and, for a scope of several sectors, which one. ``cleaned_data["range"]`` is the
    period's first and last day; ``cleaned_data["kind"]`` its kind."""

    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_KINDS, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    sector = forms.ChoiceField(label=_("Sector"), required=False)

    def __init__(
        self, data: Any, *, sectors: list[tuple[str, str]], today: date, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.today = today
        field = choice_field(self, "sector")
        field.choices = [("", _("All my sectors")), *sectors]
        if len(sectors) <= 1:
            field.widget = forms.HiddenInput()

    def _in_bounds(self, name: str) -> date | None:
        value = self.cleaned_data.get(name)
        if value is not None and not (EARLIEST <= value <= LATEST):
            self.add_error(
                name,
                _("Choose a date from %(first)s to %(last)s.")
                % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
            )
            return None
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("period") or "year"
        start, end = self._in_bounds("start"), self._in_bounds("end")
        if self.errors:
            return data
        if kind == "custom":
            if start is None or end is None:
                self.add_error("end" if start else "start", _("Give both dates of the period."))
                return data
            if end < start:
                self.add_error("end", _("The period ends before it begins."))
                return data
            if (end - start).days >= MAX_PERIOD_DAYS:
                self.add_error("end", _("At most %(days)d days.") % {"days": MAX_PERIOD_DAYS})
                return data
            data["range"] = (start, end)
        else:
            data["range"] = period_defaults(start or self.today)[kind]
        data["kind"] = kind
        return data


class MapForm(DashboardForm):
    """The dashboard's choices and the indicator the map is coloured by."""

    indicator = forms.ChoiceField(label=_("Colour by"), choices=MAP_INDICATORS, required=False)
