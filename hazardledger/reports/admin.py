"""Reports and statistics returns in the admin: for looking only (they are made by the worker
and by the enterprise's principal, never edited by hand)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import GeneratedReport, StatisticsReturn


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(GeneratedReport)
class GeneratedReportAdmin(ReadOnlyAdmin):
    list_display = ("title", "organisation", "status", "progress", "created_at", "finished_at")
    list_filter = ("kind", "status")
    search_fields = ("title",)
    exclude = ("pdf", "xlsx")


@admin.register(StatisticsReturn)
class StatisticsReturnAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "period", "year", "quarter", "status", "due_on", "submitted_at")
    list_filter = ("period", "year", "status")
    search_fields = ("organisation__name",)
    exclude = ("signature",)
