"""Admin: checklists are read-only here (a new version is loaded from a file, never edited in
place, so past inspections keep theirs); inspections and draws are shown for support."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .models import Checklist, ChecklistItem, Draw, Inspection


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    fields = ("position", "code", "text_zh", "major_clause")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Checklist)
class ChecklistAdmin(ReadOnlyAdmin):
    list_display = ("code", "version", "title_zh", "is_current", "created_at")
    list_filter = ("is_current",)
    inlines = [ChecklistItemInline]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("id", "site", "kind", "status", "planned_on", "submitted_at")
    list_filter = ("kind", "status")
    # Signatures open through the view that checks scope: uploads have no public URL.
    exclude = ("inspector_signature", "site_signature")
    readonly_fields = ("signature_links",)

    @admin.display(description=_("signatures"))
    def signature_links(self, obj: Inspection) -> str:
        present = [
            (reverse("inspections:inspection-signature", args=[obj.pk, which]), label)
            for which, label, field in (
                ("inspector", _("inspector"), obj.inspector_signature),
                ("site", _("site representative"), obj.site_signature),
            )
            if field
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', present) or "-"


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "region", "status", "seed", "created_at")
