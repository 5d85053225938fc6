"""Forms of the responsibility app: input validation only (the services check the rest)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hazardledger.access.scope import is_unrestricted, scope_region_code
from hazardledger.accounts.choices import OrganisationKind
from hazardledger.accounts.models import Organisation, User
from hazardledger.core.forms import StyledFormMixin, choice_field, model_choice_field
from hazardledger.hazards.workflow.rules import URGE_MESSAGE_MAX
from hazardledger.regions.models import Sector
from hazardledger.regions.selectors import under_region
from hazardledger.transfer.spreadsheets import ACCEPTED_EXTENSIONS

from .chain import tree_ancestors
from .choices import OfficialSide
from .constants import ACCOUNTABILITY_MAX_DAYS
from .services.actions import DECISION_NOTE_MAX
from .services.entries import MAX_OFFICIALS, EntryInput, OfficialInput


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def sector_choices(blank: str = "") -> list[tuple[str, str]]:
    choices = [(s.code, s.name) for s in Sector.objects.all()]
    return [("", blank), *choices] if blank else choices


class EntryForm(StyledFormMixin, forms.Form):
    """An entry of the list: the division and sector, the lead department, the level it
    reports to when not its parent, a note. The officials are ``OfficialFormSet``."""

    region = forms.CharField(
        label=_("Division code"),
        max_length=12,
        help_text=_("The statistical code of the province, city, county or township."),
    )
    sector = forms.ChoiceField(label=_("Sector"))
    lead_department = forms.ModelChoiceField(
        label=_("Lead department"), queryset=Organisation.objects.none(), required=False
    )
    escalates_to = forms.CharField(
        label=_("Reports to (division code)"),
        max_length=12,
        required=False,
        help_text=_("Leave empty to follow the division tree."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "sector").choices = sector_choices()
        bodies = Organisation.objects.exclude(kind=OrganisationKind.ENTERPRISE)
        if not is_unrestricted(user):
            code = scope_region_code(user)
            bodies = bodies.filter(
                under_region("region", code) | Q(region_id__in=tree_ancestors(code))
            )
        model_choice_field(self, "lead_department").queryset = bodies.order_by("region_id", "name")

    def entry_input(self, officials: tuple[OfficialInput, ...]) -> EntryInput:
        data = self.cleaned_data
        department = data.get("lead_department")
        return EntryInput(
            region=data["region"],
            sector=data["sector"],
            lead_department_id=department.pk if department is not None else None,
            escalates_to=data.get("escalates_to") or "",
            note=data.get("note") or "",
            officials=officials,
        )


class OfficialForm(StyledFormMixin, forms.Form):
    """One official: the side, a user (by username) or a name, the post and the phone."""

    side = forms.ChoiceField(
        label=_("Side"), choices=[("", "—"), *OfficialSide.choices], required=False
    )
    username = forms.CharField(label=_("User (username)"), max_length=150, required=False)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50, required=False)
    post = forms.CharField(label=pgettext_lazy("official", "Post"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username = data.get("username") or ""
        data["user"] = None
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                self.add_error("username", _("No active user has this username."))
            data["user"] = user
        filled = any(data.get(k) for k in ("username", "name", "post", "phone"))
        if filled and not data.get("side"):
            self.add_error("side", _("Choose the side."))
        return data


OfficialFormSet = formset_factory(
    OfficialForm,
    extra=0,
    max_num=MAX_OFFICIALS,
    absolute_max=MAX_OFFICIALS,
    validate_max=True,
)


def officials_from_formset(formset: Any) -> tuple[OfficialInput, ...]:
    officials = []
    for form in formset.forms:
        data = form.cleaned_data
        user = data.get("user")
        if not (data.get("name") or data.get("post") or data.get("phone") or user):
            continue
        officials.append(
            OfficialInput(
                side=data.get("side") or "",
                name=data.get("name") or "",
                post=data.get("post") or "",
                phone=data.get("phone") or "",
                user_id=user.pk if user is not None else None,
            )
        )
    return tuple(officials)


class EntryFilterForm(StyledFormMixin, forms.Form):
    """The list's filters: a division (its entries and those under it) and a sector."""

    region = forms.ChoiceField(label=_("Region"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)

    def __init__(self, *args: Any, region_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "region").choices = [("", _("All")), *region_choices]
        choice_field(self, "sector").choices = sector_choices(str(_("All")))


class ImportForm(StyledFormMixin, forms.Form):
    """The upload of a responsibility list spreadsheet."""

    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("xlsx, xls, ods or csv (UTF-8 or GBK), first sheet, one entry per row."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ACCEPTED_EXTENSIONS):
            raise forms.ValidationError(
                _("Unsupported file type: use %(types)s.")
                % {"types": ", ".join(ACCEPTED_EXTENSIONS)}
            )
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.")
                % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class UrgeForm(StyledFormMixin, forms.Form):
    """Urge the responsible parties (催办): the message they receive."""

    message = forms.CharField(
        label=_("Message to the responsible parties"),
        max_length=URGE_MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class DecisionForm(StyledFormMixin, forms.Form):
    """Order enforcement: what is to be enforced, and why (recorded for the enforcement app)."""

    note = forms.CharField(
        label=_("What is to be enforced, and why"),
        max_length=DECISION_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AccountabilityForm(StyledFormMixin, forms.Form):
    """The accountability view's period, division and sector."""

    start = forms.DateField(label=_("From"), widget=DateInput, required=False)
    end = forms.DateField(label=_("To"), widget=DateInput, required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)

    def __init__(self, *args: Any, region_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "region").choices = [("", _("All")), *region_choices]
        choice_field(self, "sector").choices = sector_choices(str(_("All")))

    def period(self, default: tuple[date, date]) -> tuple[date, date]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("start") or default[0], data.get("end") or default[1]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("The end is before the start."))
            elif end - start > timedelta(days=ACCOUNTABILITY_MAX_DAYS):
                self.add_error(
                    "end",
                    _("At most %(n)d days at once.") % {"n": ACCOUNTABILITY_MAX_DAYS},
                )
        return data
