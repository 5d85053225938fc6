"""View mixins that apply scope, so that no view filters by hand."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from .scope import get_object_for_user, restrict, user_can


class ScopedQuerysetMixin(LoginRequiredMixin):
    """List views: the queryset narrowed to the user's scope for ``scope_action``."""

    scope_action = "view"

    def get_queryset(self) -> QuerySet[Any]:
        qs = super().get_queryset()  # type: ignore[misc]
        if not user_can(self.request.user, qs.model, self.scope_action):  # type: ignore[attr-defined]
            raise PermissionDenied
        return restrict(qs, self.request.user, self.scope_action)  # type: ignore[attr-defined]


class ScopedObjectMixin(LoginRequiredMixin):
    """Detail and edit views: 404 out of scope, 403 when visible but ``scope_action`` is not
    allowed."""

    scope_action = "view"

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Any:
        qs = queryset if queryset is not None else self.get_queryset()  # type: ignore[attr-defined]
        return get_object_for_user(
            qs,
            self.request.user,  # type: ignore[attr-defined]
            self.scope_action,
            pk=self.kwargs["pk"],  # type: ignore[attr-defined]
        )


class ActionRequiredMixin(LoginRequiredMixin):
    """Views that create objects or act on a whole kind: 403 unless the role allows it."""

    scope_model: Any = None
    scope_action = "add"

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not user_can(
            request.user, self.scope_model, self.scope_action
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
