"""Input validation for the site pages. Forms validate; services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hazardledger.access.scope import is_unrestricted, scope_region_code, user_sector_codes
from hazardledger.accounts.models import Organisation
from hazardledger.core.forms import (
    StyledFormMixin,
    choice_field,
    model_choice_field,
    style_widgets,
)
from hazardledger.regions.choices import RegionLevel
from hazardledger.regions.models import Region, Sector
from hazardledger.regions.selectors import is_under, township_choices
from hazardledger.transfer.spreadsheets import ACCEPTED_EXTENSIONS

from .attributes import AttributeValueError, attribute_parse, attribute_specs
from .choices import DEFAULT_SECTOR_BY_KIND, MINE_KINDS, MineType, SiteKind, SiteStatus
from .constants import SUPERVISION_FIELDS
from .selectors import enterprise_match

ATTR_PREFIX = "attr_"


class SiteForm(StyledFormMixin, forms.Form):
    """Create or edit a site; choices are limited to the user's scope.

    ``locked`` (for users without the site policy's "change_scope") shows the supervision
    fields without letting them be edited and leaves them out of ``service_data``; the rule
    itself is ``site_update``'s, which refuses such a change from any caller.
    """

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "---------"), *SiteKind.choices])
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        to_field_name="code",
        required=False,
        help_text=_("Leave empty to use the usual sector of the kind."),
    )
    region = forms.ChoiceField(label=_("Township / street"))
    address = forms.CharField(label=_("Address"), max_length=300)
    longitude = forms.DecimalField(
        label=_("Longitude"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-180,
        max_value=180,
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-90,
        max_value=90,
    )
    organisation = forms.CharField(
        label=_("Responsible enterprise"),
        required=False,
        help_text=_("Unified social credit code or exact name of a registered enterprise."),
    )
    contact_person = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=SiteStatus.choices, initial=SiteStatus.OPERATING
    )
    # Shown with the kind-specific details, for mines only (``attribute_fields``).
    mine_type = forms.ChoiceField(
        label=_("Mine type"),
        choices=[("", "---------"), *MineType.choices],
        required=False,
        help_text=_("Open-pit and underground mines get different checklist items."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, kind: str | None = None, **kwargs: Any) -> None:
        self.user = user
        self.locked = kwargs.pop("locked", False)
        super().__init__(*args, **kwargs)
        scope_code = scope_region_code(user)
        groups = township_choices(scope_code=scope_code)
        choice_field(self, "region").choices = [("", "---------"), *groups]
        sectors = None if is_unrestricted(user) else user_sector_codes(user)
        if sectors is not None and not self.locked:
            model_choice_field(self, "sector").queryset = Sector.objects.filter(code__in=sectors)
        self.scope_code = scope_code
        chosen_kind = kind or self.data.get("kind") or self.initial.get("kind") or ""
        self.is_mine = chosen_kind in MINE_KINDS
        self.attribute_specs = attribute_specs(chosen_kind)
        for spec in self.attribute_specs:
            field: forms.Field
            if spec.choices is not None:
                field = forms.ChoiceField(choices=[("", "---------"), *spec.choices.choices])
            elif spec.type == "text":
                field = forms.CharField(max_length=100)
            else:
                field = forms.DecimalField()
            field.label = spec.label
            field.required = False
            self.fields[ATTR_PREFIX + spec.name] = field
        if self.locked:
            # Shown, not editable: the region as text, so no choice list has to contain it.
            self.fields["region"] = forms.CharField(label=_("Township / street"))
            for name in SUPERVISION_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].required = False
        self.fields["organisation"].widget.attrs.update({"list": "organisation-options"})
        style_widgets(self)

    @property
    def attribute_fields(self) -> list[forms.BoundField]:
        fields = [self["mine_type"]] if self.is_mine else []
        return fields + [self[ATTR_PREFIX + spec.name] for spec in self.attribute_specs]

    def clean_region(self) -> Region | None:
        code = self.cleaned_data.get("region") or ""
        if self.locked:
            return None
        region = Region.objects.filter(
            code=code, level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]
        ).first()
        if region is None or not is_under(code, self.scope_code):
            raise forms.ValidationError(_("Choose a township or street in your area."))
        return region

    def clean_organisation(self) -> Organisation | None:
        text = self.cleaned_data.get("organisation") or ""
        if self.locked or not text.strip():
            return None
        organisation = enterprise_match(user=self.user, texts=[text]).get(text.strip())
        if organisation is None:
            raise forms.ValidationError(
                _("No enterprise with this credit code or name is registered in your area.")
            )
        return organisation

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean() returns cleaned_data
        if not self.locked and cleaned.get("kind") and not cleaned.get("sector"):
            code = DEFAULT_SECTOR_BY_KIND.get(cleaned["kind"], "other")
            sectors = model_choice_field(self, "sector").queryset
            assert sectors is not None  # the field is declared with one
            sector = sectors.filter(code=code).first()
            if sector is None:
                self.add_error("sector", _("Choose a sector you supervise."))
            cleaned["sector"] = sector
        attributes = {}
        for spec in self.attribute_specs:
            try:
                value = attribute_parse(spec, cleaned.get(ATTR_PREFIX + spec.name))
            except AttributeValueError as exc:
                self.add_error(ATTR_PREFIX + spec.name, str(exc))
                continue
            if value is not None:
                attributes[spec.name] = value
        cleaned["attributes"] = attributes
        if cleaned.get("kind") not in MINE_KINDS:
            cleaned["mine_type"] = ""  # only mines have one
        return cleaned

    def service_data(self) -> dict[str, Any]:
        """The cleaned values the service writes (locked fields left out)."""
        data = {
            key: value
            for key, value in self.cleaned_data.items()
            if key != "version" and not key.startswith(ATTR_PREFIX)
        }
        if self.locked:
            for name in SUPERVISION_FIELDS:
                data.pop(name, None)
        return data


class SiteImportForm(StyledFormMixin, forms.Form):
    """The upload of a sites spreadsheet."""

    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("xlsx, xls, ods or csv (UTF-8 or GBK), first sheet, one site per row."),
    )

    def clean_file(self) -> Any:
        from django.conf import settings

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


class SiteImportConfirmForm(StyledFormMixin, forms.Form):
    """The confirmation of an import preview: the kept file's token and the plan's digest."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=4000)
    digest = forms.RegexField(widget=forms.HiddenInput, regex=r"^[0-9a-f]{64}$")
