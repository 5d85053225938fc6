"""Campaigns in the admin, read-only: they change through the pages and their services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Campaign, Circular


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["title", "region", "issuer_name", "starts_on", "ends_on", "parent"]
    list_filter = ["template"]
    search_fields = ["title", "document_number", "issuer_name"]


@admin.register(Circular)
class CircularAdmin(ReadOnlyAdmin):
    list_display = ["kind", "document_number", "region_name", "issuer_name", "created_at"]
    list_filter = ["kind"]
