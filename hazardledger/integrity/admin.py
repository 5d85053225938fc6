"""Checkpoints in the admin: read-only (they are signed; an edit would only break them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import Checkpoint


@admin.register(Checkpoint)
class CheckpointAdmin(admin.ModelAdmin):
    list_display = ["instance", "number", "region", "created_at", "key_id", "origin"]
    list_filter = ["instance", "origin"]
    exclude = ["entries"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
