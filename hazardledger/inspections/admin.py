"""Admin: checklists are read-only here (a new version is loaded from a file, never edited in
place, so past inspections keep theirs); inspections and draws are shown for support."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

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


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "region", "status", "seed", "created_at")
