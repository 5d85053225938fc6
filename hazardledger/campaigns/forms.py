"""Forms of the campaign pages: input validation only; the services decide."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardledger.access.scope import is_unrestricted, scope_region_code, user_sector_codes
from hazardledger.accounts.choices import Role
from hazardledger.accounts.models import User
from hazardledger.core.forms import IdField, StyledFormMixin, choice_field
from hazardledger.hazards.forms import DateInput
from hazardledger.inspections.draws import inspector_pool
from hazardledger.inspections.models import Checklist
from hazardledger.regions.choices import CODE_LENGTHS
from hazardledger.regions.models import Region, Sector
from hazardledger.regions.selectors import region_filter_choices, under_region
from hazardledger.registry.choices import SiteKind

from .choices import CircularKind, PhaseKind, TaskState, TemplateKind
from .constants import ASSIGN_MAX, CIRCULAR_TEXT_MAX, DIRECTIVE_TEXT_MAX
from .models import Campaign
from .seasonal import TEMPLATES
from .services import CampaignInput, take_up_defaults


class IdListField(forms.Field):
    """Row ids posted as several values of one name (checkboxes): each a valid id."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if value in (None, "", [], ()):
            return []
        if not isinstance(value, list | tuple):
            raise ValidationError(_("Choose from the list."), code="invalid")
        if len(value) > ASSIGN_MAX:
            raise ValidationError(
                _("Choose at most %(n)d at once.") % {"n": ASSIGN_MAX}, code="too_many"
            )
        parser = IdField()
        return [parser.clean(item) for item in value]


def child_regions(code: str) -> list[tuple[str, str]]:
    """The divisions one level below ``code`` (cities of a province…), for "hand down to"."""
    longer = [n for n in CODE_LENGTHS if n > len(code)]
    if not longer or longer[0] > 9:
        return []
    length = longer[0]
    rows = Region.objects.filter(under_region("code", code)).order_by("code")
    return [(r.code, r.name) for r in rows if len(r.code) == length]


def _sector_choices(user: Any, within: list[str] | None = None) -> list[tuple[str, str]]:
    codes = None if is_unrestricted(user) else user_sector_codes(user)
    sectors = Sector.objects.all()
    if codes is not None:
        sectors = sectors.filter(code__in=codes)
    if within is not None:
        sectors = sectors.filter(code__in=within)
    return [(s.code, s.name) for s in sectors]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class _PhasesMixin(StyledFormMixin, forms.Form):
    """Two optional dates per phase (``<kind>_start``, ``<kind>_end``), added in ``__init__``."""

    def _add_phase_fields(self) -> None:
        for kind, label in PhaseKind.choices:
            self.fields[f"{kind}_start"] = forms.DateField(
                label=label, required=False, widget=DateInput
            )
            self.fields[f"{kind}_end"] = forms.DateField(
                label=_("until"), required=False, widget=DateInput
            )

    @property
    def phase_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"{kind}_start"], self[f"{kind}_end"]) for kind in PhaseKind.values]

    def phases(self) -> list[tuple[str, date, date]]:
        found = []
        for kind in PhaseKind.values:
            start = self.cleaned_data.get(f"{kind}_start")
            end = self.cleaned_data.get(f"{kind}_end")
            if start and end:
                found.append((kind, start, end))
        return found

    def _clean_phases(self) -> None:
        for kind in PhaseKind.values:
            start = self.cleaned_data.get(f"{kind}_start")
            end = self.cleaned_data.get(f"{kind}_end")
            if bool(start) != bool(end):
                self.add_error(f"{kind}_end", _("Give both dates of the phase, or neither."))


class CampaignForm(_PhasesMixin):
    """Issue a campaign for the user's level."""

    title = forms.CharField(label=_("Title"), max_length=200)
    document_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput)
    regions = forms.MultipleChoiceField(label=_("Regions"))
    sectors = forms.MultipleChoiceField(label=_("Sectors"), widget=forms.CheckboxSelectMultiple)
    site_kinds = forms.MultipleChoiceField(
        label=_("Site kinds (none: every kind)"), choices=SiteKind.choices, required=False
    )
    checklists = forms.MultipleChoiceField(label=_("Checklists"), required=False)
    delegated = forms.MultipleChoiceField(
        label=_("Hand down to (each takes it up and assigns its own tasks)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    coverage_target = forms.IntegerField(
        label=_("Share of sites inspected (%)"), min_value=0, max_value=100, initial=100
    )
    closure_target = forms.IntegerField(
        label=_("Share of hazards found closed (%)"), min_value=0, max_value=100, initial=90
    )
    major_closed_by = forms.DateField(
        label=_("Every major hazard closed by"), required=False, widget=DateInput
    )
    custom_targets = forms.CharField(
        label=_("Other targets (one per line)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    leads = forms.CharField(
        label=_("Leads (one per line: name, post)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    directive_text = forms.CharField(
        label=_("Directive"),
        required=False,
        max_length=DIRECTIVE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    directive_file = forms.FileField(
        label=_("Directive file (PDF, JPEG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._add_phase_fields()
        scope = scope_region_code(user)
        choice_field(self, "regions").choices = region_filter_choices(scope_code=scope)
        choice_field(self, "sectors").choices = _sector_choices(user)
        choice_field(self, "checklists").choices = [
            (c.code, c.title) for c in Checklist.objects.filter(is_current=True).order_by("code")
        ]
        choice_field(self, "delegated").choices = child_regions(scope)
        self.fields["regions"].widget.attrs["size"] = 8
        self.fields["site_kinds"].widget.attrs["size"] = 6
        self.fields["checklists"].widget.attrs["size"] = 6

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        self._clean_phases()
        return data

    def campaign_input(self) -> CampaignInput:
        data = self.cleaned_data
        return CampaignInput(
            title=data["title"],
            document_number=data.get("document_number") or "",
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            regions=data["regions"],
            sectors=data["sectors"],
            site_kinds=data.get("site_kinds") or [],
            checklist_codes=data.get("checklists") or [],
            delegated=data.get("delegated") or [],
            phases=self.phases(),
            coverage_target=data["coverage_target"],
            closure_target=data["closure_target"],
            major_closed_by=data.get("major_closed_by"),
            custom_targets=_lines(data.get("custom_targets", "")),
            leads=data.get("leads") or "",
            directive_text=data.get("directive_text") or "",
            directive_file=data.get("directive_file") or None,
        )


class TemplateForm(StyledFormMixin, forms.Form):
    """One action: a seasonal campaign for the user's region (or the regions picked under it)."""

    template = forms.ChoiceField(label=_("Template"), choices=TemplateKind.choices)
    regions = forms.MultipleChoiceField(label=_("Regions"), required=False)
    sectors = forms.MultipleChoiceField(
        label=_("Sectors (for “learn from one case”)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    accident = forms.CharField(
        label=_("The accident to learn from"),
        required=False,
        max_length=200,
        help_text=_("For “learn from one case”, e.g. 内蒙古阿拉善“2·22”露天煤矿坍塌事故"),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput, initial=timezone.localdate)
    document_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    hand_down = forms.BooleanField(
        label=_("Hand down to the next level: each region takes it up and assigns its tasks"),
        required=False,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope_region_code(user)
        choice_field(self, "regions").choices = region_filter_choices(scope_code=self.scope)
        choice_field(self, "sectors").choices = _sector_choices(user)
        self.fields["regions"].widget.attrs["size"] = 8
        self.fields["regions"].help_text = _("None chosen: your whole region.")
        self.fields["hand_down"].initial = len(self.scope) <= 4

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        template = TEMPLATES.get(data.get("template", ""))
        if template is not None and not template.sectors and not data.get("sectors"):
            self.add_error("sectors", _("Pick the sectors to check."))
        if not data.get("regions"):
            data["regions"] = [self.scope]
        return data


class TakeUpForm(_PhasesMixin):
    """Take a campaign up for the user's region: its own title, number, dates, scope, leads
    and phases inside the parent's, and the regions below to hand it down to."""

    title = forms.CharField(label=_("Title"), max_length=200)
    document_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput)
    regions = forms.MultipleChoiceField(label=_("Regions"))
    sectors = forms.MultipleChoiceField(label=_("Sectors"), widget=forms.CheckboxSelectMultiple)
    delegated = forms.MultipleChoiceField(
        label=_("Hand down to (each takes it up and assigns its own tasks)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    leads = forms.CharField(
        label=_("Leads (one per line: name, post)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    directive_text = forms.CharField(
        label=_("Work plan"),
        required=False,
        max_length=DIRECTIVE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, user: Any, parent: Campaign, **kwargs: Any) -> None:
        region = scope_region_code(user)
        defaults = take_up_defaults(parent=parent, region=region)
        initial = kwargs.setdefault("initial", {})
        region_name = Region.objects.filter(code=region).values_list("name", flat=True).first()
        initial.setdefault("title", f"{region_name or ''}{parent.title}"[:200])
        initial.setdefault("starts_on", defaults["starts_on"])
        initial.setdefault("ends_on", defaults["ends_on"])
        initial.setdefault("regions", defaults["regions"])
        initial.setdefault("sectors", defaults["sectors"])
        for kind, start, end in defaults["phases"]:
            initial.setdefault(f"{kind}_start", start)
            initial.setdefault(f"{kind}_end", end)
        super().__init__(*args, **kwargs)
        self._add_phase_fields()
        self.site_kinds = defaults["site_kinds"]
        choice_field(self, "regions").choices = region_filter_choices(scope_code=region)
        choice_field(self, "sectors").choices = _sector_choices(user, within=defaults["sectors"])
        choice_field(self, "delegated").choices = child_regions(region)
        self.fields["regions"].widget.attrs["size"] = 6

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        self._clean_phases()
        return data

    def campaign_input(self) -> CampaignInput:
        data = self.cleaned_data
        return CampaignInput(
            title=data["title"],
            document_number=data.get("document_number") or "",
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            regions=data["regions"],
            sectors=data["sectors"],
            site_kinds=self.site_kinds,
            delegated=data.get("delegated") or [],
            phases=self.phases(),
            leads=data.get("leads") or "",
            directive_text=data.get("directive_text") or "",
        )


class CircularForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CircularKind.choices)
    region = forms.ChoiceField(label=_("To"))
    document_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    text = forms.CharField(
        label=_("Text"), max_length=CIRCULAR_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "region").choices = regions


def assignable_users(*, user: Any, responsible_ids: list[int]) -> list[User]:
    """Who tasks may be given to: active inspectors, grid workers and office staff of the
    user's organisation, and (for an office) of the tasks' responsible organisations."""
    organisations = {user.organisation_id} if user.organisation_id else set()
    if is_unrestricted(user) or user.role == Role.OFFICE:
        organisations |= set(responsible_ids)
    return list(
        User.objects.filter(
            organisation_id__in=organisations,
            is_active=True,
            role__in=[Role.INSPECTOR, Role.GRID_WORKER, Role.OFFICE],
        )
        .select_related("organisation")
        .order_by("organisation__name", "username")[:500]
    )


class AssignForm(StyledFormMixin, forms.Form):
    tasks = IdListField(label=_("Sites"))
    users = forms.TypedMultipleChoiceField(label=_("Give to"), coerce=int)

    def __init__(self, *args: Any, users: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "users").choices = [
            (u.pk, f"{u.display_name} · {u.organisation}") for u in users
        ]
        self.fields["users"].widget.attrs["size"] = 4

    def clean_tasks(self) -> list[int]:
        tasks = self.cleaned_data["tasks"]
        if not tasks:
            raise ValidationError(_("Tick the sites to give."))
        return tasks


class CampaignDrawForm(StyledFormMixin, forms.Form):
    size = forms.IntegerField(label=_("Number of sites"), min_value=1, max_value=500)
    inspectors = forms.TypedMultipleChoiceField(label=_("Inspector pool"), coerce=int)
    planned_on = forms.DateField(label=_("Inspect on"), widget=DateInput)
    seed = forms.IntegerField(
        label=_("Seed (empty: a random one is recorded before the draw)"),
        required=False,
        min_value=0,
        max_value=2**63 - 1,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "inspectors").choices = [
            (u.pk, f"{u.display_name} · {u.organisation}") for u in inspector_pool(user=user)
        ]
        self.fields["inspectors"].widget.attrs["size"] = 8


class TaskFilterForm(StyledFormMixin, forms.Form):
    """The task list's filters (GET)."""

    state = forms.ChoiceField(
        label=_("Inspection state"),
        choices=[("", _("All")), *TaskState.choices],
        required=False,
    )
    responsible = IdField(label=_("Responsible organisation"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)

    def __init__(self, *args: Any, sectors: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "sector").choices = [("", _("All")), *sectors]
