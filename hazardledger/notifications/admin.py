"""Notifications in the admin: notices and deliveries for looking (what failed and why), the
preferences editable."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import Delivery, Notice, Preference


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["kind", "user", "object_type", "object_id", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "object_id"]
    list_select_related = ["user"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Deliveries by status and channel, with the last error: failures are visible here."""

    list_display = [
        "pk",
        "notice",
        "channel",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["notice__user__username", "last_error"]
    list_select_related = ["notice"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "channels"]
    search_fields = ["user__username", "kind"]
    raw_id_fields = ["user"]
