"""Reads of notifications: a user's notices and their unread count."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Notice, Preference


def notice_list(*, user: Any) -> QuerySet[Notice]:
    """The user's own notices, newest first (nobody reads another user's notices)."""
    return Notice.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(*, user: Any) -> int:
    """How many of the user's notices are unread (one query)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


def preference_channels(*, user: Any) -> dict[str, list[str]]:
    """The user's chosen outbound channels per kind name (kinds without a row are absent:
    they use the kind's default channels)."""
    return dict(Preference.objects.filter(user=user).values_list("kind", "channels"))
