"""Forms: input validation only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardledger.access.scope import is_unrestricted, scope_region_code, user_sector_codes
from hazardledger.core.forms import ControlCharacterValidator, StyledFormMixin, choice_field
from hazardledger.hazards.choices import HazardCategory, HazardGrade, InterimMeasure
from hazardledger.hazards.forms import DateInput
from hazardledger.regions.models import Sector
from hazardledger.regions.selectors import region_filter_choices
from hazardledger.registry.choices import SiteKind

from .choices import InspectionKind, RecheckOutcome
from .constants import DRAW_MAX_SIZE
from .draws import inspector_pool
from .policies import INSPECTION_POLICY


class InspectionStartForm(StyledFormMixin, forms.Form):
    """Start now (the usual case at the site) or plan for a date."""

    kind = forms.ChoiceField(label=_("Kind"))
    checklist = forms.TypedChoiceField(label=_("Checklist"), coerce=int, required=False)
    planned_on = forms.DateField(
        label=_("Date (to plan for later)"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        initial=timezone.localdate,
        required=False,
    )

    def __init__(self, *args: Any, user: Any, checklists: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(InspectionKind.choices)
        choice_field(self, "kind").choices = [
            (k, labels[k])
            for k in INSPECTION_POLICY.kinds_for(user)
            if k != InspectionKind.DOUBLE_RANDOM
        ]
        choice_field(self, "checklist").choices = [
            (c.pk, f"{c.title} (v{c.version})") for c in checklists
        ]
        self.checklists = {c.pk: c for c in checklists}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        kind = data.get("kind")
        if kind == InspectionKind.RECHECK:
            data["checklist"] = None
        else:
            checklist = self.checklists.get(data.get("checklist"))
            if checklist is None:
                self.add_error("checklist", _("Choose a checklist."))
            data["checklist"] = checklist
        return data


class HazardDraftForm(StyledFormMixin, forms.Form):
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    location = forms.CharField(label=_("Where at the site"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=HazardCategory.choices)
    grade = forms.ChoiceField(label=_("Grade"), choices=HazardGrade.choices)
    override_reason = forms.CharField(
        label=_("Reason for changing the grade"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )
    interim_measures = forms.MultipleChoiceField(
        label=_("Interim measures taken (required for a major hazard)"),
        choices=InterimMeasure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interim_note = forms.CharField(
        label=_("Interim measures, details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )
    deadline = forms.DateField(
        label=_("Rectification deadline"),
        required=False,
        widget=DateInput,
        help_text=_("Empty: the default for the grade."),
    )

    def __init__(self, *args: Any, regulatory: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The regulator sets the deadline at the inspection; a self-inspection's hazard gets
        # the default, which the enterprise's plan may shorten.
        if not regulatory:
            del self.fields["deadline"]


class DismissForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why this is not a hazard"),
        max_length=1000,
        error_messages={"required": _("Say why this failed item is not a hazard.")},
    )


class RecheckForm(StyledFormMixin, forms.Form):
    """A re-check decision on one hazard. ``version`` is the hazard's version when the page
    showed it, so a decision made on a stale page is refused instead of applied."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            "required": _("This page is out of date: reload it and decide again."),
            "invalid": _("This page is out of date: reload it and decide again."),
        },
    )
    outcome = forms.ChoiceField(
        choices=RecheckOutcome.choices,
        error_messages={
            "required": _("Choose accept or reject."),
            "invalid_choice": _("Choose accept or reject."),
        },
    )
    comment = forms.CharField(required=False, max_length=2000)


class ChecklistUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("Checklist file (TOML)"))

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from exc
        # The file is text typed by people, so it gets the rule of every multi-line field.
        ControlCharacterValidator(multiline=True)(text)
        return text


class DrawForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    regions = forms.MultipleChoiceField(label=_("Regions"))
    sectors = forms.MultipleChoiceField(label=_("Sectors"))
    site_kinds = forms.MultipleChoiceField(
        label=_("Site kinds (none: all)"), choices=SiteKind.choices, required=False
    )
    size = forms.IntegerField(label=_("Number of sites"), min_value=1, max_value=DRAW_MAX_SIZE)
    inspectors = forms.TypedMultipleChoiceField(label=_("Inspector pool"), coerce=int)
    planned_on = forms.DateField(
        label=_("Inspect on"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    seed = forms.IntegerField(
        label=_("Seed (empty: a random one is recorded before the draw)"),
        required=False,
        min_value=0,
        max_value=2**63 - 1,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_region_code(user)
        choice_field(self, "regions").choices = region_filter_choices(scope_code=scope)
        codes = None if is_unrestricted(user) else user_sector_codes(user)
        sectors = Sector.objects.all()
        if codes is not None:
            sectors = sectors.filter(code__in=codes)
        choice_field(self, "sectors").choices = [(s.code, s.name) for s in sectors]
        choice_field(self, "inspectors").choices = [
            (u.pk, f"{u.display_name} · {u.organisation}") for u in inspector_pool(user=user)
        ]
        for name in ("regions", "sectors", "site_kinds", "inspectors"):
            self.fields[name].widget.attrs["size"] = 8
