"""The ledger in the admin: for looking only. Every change goes through the workflow, so that
it lands in the hash-chained history; the admin can neither add, change nor delete."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Evidence, ExtensionRequest, Hazard, HazardEvent, QuickReport, RectificationPlan


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class HazardEventInline(admin.TabularInline):
    model = HazardEvent
    fields = readonly_fields = (
        "seq",
        "created_at",
        "action",
        "from_status",
        "to_status",
        "actor_name",
        "reason",
    )
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Hazard)
class HazardAdmin(ReadOnlyAdmin):
    list_display = ["id", "found_on", "site", "grade", "status", "deadline", "region"]
    list_filter = ["status", "grade", "category", "source"]
    search_fields = ["id", "description", "location", "site__name"]
    raw_id_fields = ["site", "organisation", "region", "sector"]
    inlines = [HazardEventInline]


@admin.register(HazardEvent)
class HazardEventAdmin(ReadOnlyAdmin):
    list_display = ["hazard", "seq", "created_at", "action", "actor_name", "to_status"]
    list_filter = ["action"]
    search_fields = ["hazard__id", "actor_name", "hash"]
    raw_id_fields = ["hazard"]


@admin.register(QuickReport)
class QuickReportAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "site", "reporter_name", "status"]
    list_filter = ["status"]
    raw_id_fields = ["site", "hazard"]


admin.site.register(RectificationPlan, ReadOnlyAdmin)
admin.site.register(ExtensionRequest, ReadOnlyAdmin)


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    """Evidence rows; the file opens through the view that checks scope (uploads have no
    public URL), never as a link into the media folder."""

    list_display = ["id", "hazard", "stage", "original_name", "uploaded_at"]
    exclude = ["file", "thumbnail"]
    readonly_fields = ["file_link"]
    raw_id_fields = ["hazard", "event"]

    @admin.display(description=_("file"))
    def file_link(self, obj: Evidence) -> str:
        if not obj.file:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', reverse("hazards:evidence-file", args=[obj.pk]), _("Open")
        )
