"""The administration of the responsibility app: the list (its officials inline) and, read
only, the escalation's rows, steps and decisions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import (
    Escalation,
    EscalationDecision,
    EscalationStep,
    ResponsibilityEntry,
    ResponsibleOfficial,
)


class OfficialInline(admin.TabularInline):
    model = ResponsibleOfficial
    extra = 0
    raw_id_fields = ["user"]


@admin.register(ResponsibilityEntry)
class ResponsibilityEntryAdmin(admin.ModelAdmin):
    list_display = ["region", "sector", "lead_department", "escalates_to", "updated_at"]
    list_filter = ["sector"]
    search_fields = ["region__code", "region__name", "lead_department__name"]
    raw_id_fields = ["region", "lead_department", "escalates_to"]
    inlines = [OfficialInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["hazard_id", "reason", "basis_on", "next_step", "next_due_on", "last_step"]
    list_filter = ["reason", "next_step"]


@admin.register(EscalationStep)
class EscalationStepAdmin(ReadOnlyAdmin):
    list_display = ["hazard_id", "step", "reason", "region", "days", "at", "acted_kind"]
    list_filter = ["step", "reason", "acted_kind"]


@admin.register(EscalationDecision)
class EscalationDecisionAdmin(ReadOnlyAdmin):
    list_display = ["hazard_id", "kind", "status", "body_name", "created_at"]
    list_filter = ["kind", "status"]
