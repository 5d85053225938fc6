"""The site admin. Saves go through the site services, like every other write path, so that the
rows other apps copy a site's scope onto follow it when an administrator moves the site, and the
change is audited and written to the outbox. The admin runs each POST in its own transaction,
which the services join."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from hazardledger.accounts.choices import OrganisationKind
from hazardledger.accounts.models import Organisation
from hazardledger.core.forms import InputGuardMixin
from hazardledger.regions.choices import RegionLevel
from hazardledger.regions.models import Region

from .models import Site
from .services import SITE_FIELDS, ConcurrentEditError, site_create, site_update


class SiteAdminForm(InputGuardMixin, forms.ModelForm):
    """The site's fields with the site form's choices (a township or village, an enterprise)
    and the version the page was loaded at, so a stale admin page cannot overwrite a newer edit.
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Site
        fields = list(SITE_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = self.instance.version
        if "region" in self.fields:
            region = self.fields["region"]
            assert isinstance(region, forms.ModelChoiceField)
            region.queryset = Region.objects.filter(
                level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]
            )
        if "organisation" in self.fields:
            organisation = self.fields["organisation"]
            assert isinstance(organisation, forms.ModelChoiceField)
            organisation.queryset = Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE)

    def clean_expected_version(self) -> int:
        version = self.cleaned_data.get("expected_version") or self.instance.version
        if self.instance.pk is not None and version != self.instance.version:
            raise forms.ValidationError(str(ConcurrentEditError.default_message))
        return int(version)


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    """Sites, edited through ``site_create`` / ``site_update``.

    ``risk_level`` is derived by risk grading and ``created_by`` records who registered the site,
    so both are shown, not edited. Deleting needs no service: rows that copy the site's scope
    either go with it (risk points) or protect it (hazards, inspections).
    """

    form = SiteAdminForm
    list_display = ["name", "kind", "sector", "region", "organisation", "status", "risk_level"]
    list_filter = ["sector", "kind", "mine_type", "status", "risk_level"]
    search_fields = ["name", "address", "region__code"]
    raw_id_fields = ["region", "organisation"]
    readonly_fields = ["risk_level", "version", "created_by", "created_at", "updated_at"]

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Site | None:
        site = super().get_object(request, object_id, from_field)
        if site is not None and request.method == "POST":
            # The admin runs the whole POST in one transaction: lock the row so the version the
            # form checks is still current when the service writes.
            site = Site.objects.select_for_update().filter(pk=site.pk).first()
        return site

    def save_model(self, request: HttpRequest, obj: Site, form: Any, change: bool) -> None:
        data = {key: form.cleaned_data[key] for key in SITE_FIELDS if key in form.cleaned_data}
        if change:
            # ``obj`` already carries the form's values; the service compares against the row
            # as stored to tell whether the site moved.
            stored = Site.objects.get(pk=obj.pk)
            site = site_update(
                actor=request.user,
                site=stored,
                expected_version=form.cleaned_data["expected_version"],
                data=data,
            )
        else:
            site = site_create(actor=request.user, data=data)
        obj.pk = site.pk
        obj.refresh_from_db()
        obj._state.adding = False
