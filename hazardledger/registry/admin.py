from django.contrib import admin

from .models import Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "sector", "region", "organisation", "status", "risk_level"]
    list_filter = ["sector", "kind", "status", "risk_level"]
    search_fields = ["name", "address", "region__code"]
    raw_id_fields = ["region", "organisation", "created_by"]
    readonly_fields = ["version", "created_at", "updated_at"]
