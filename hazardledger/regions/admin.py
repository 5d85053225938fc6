from django.contrib import admin

from .models import Region, Sector


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "full_name"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "parent"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "lead_department", "sort_order"]
    list_editable = ["lead_department", "sort_order"]
