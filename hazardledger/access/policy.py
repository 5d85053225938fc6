"""Permission policies: who may do what, on which objects. One policy per model, registered by
the app that owns the model (after Wagtail's permission policies).

A policy answers three questions, the same way for pages, the API, background jobs and
notifications:

- ``user_has_permission(user, action)``: may this user do this action on this kind of object
  at all (menus, buttons, "add" pages)?
- ``instances_user_has_permission_for(user, action)``: which objects (a queryset)?
- ``user_has_permission_for_instance(user, action, obj)``: this object?
- ``users_with_permission_for_instance(action, obj)``: which users (for notifications and
  escalation)?

The answer is the intersection of the user's **role** (``permissions``: action → roles) and the
**scope** of their organisation (``scope``: where the model keeps its region, sector and
responsible organisation; ``access.scope`` turns it into a filter). A policy may narrow further
(``instance_q``, e.g. the hazard workflow's "only the responsible party plans"). A model without
a registered policy cannot be queried through ``access`` at all: it fails closed.

Apps register their policies in ``AppConfig.ready()`` with ``register_policy``; ``access`` holds
no app's table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

from hazardledger.accounts.choices import OrganisationKind, Role

ALL_ROLES = frozenset(Role.values)
REGULATORS = frozenset({Role.INSPECTOR, Role.OFFICE, Role.ADMINISTRATOR})
ENTERPRISE_MANAGERS = frozenset({Role.ENTERPRISE_OFFICER, Role.ENTERPRISE_PRINCIPAL})


@dataclass(frozen=True)
class ScopeSpec:
    """Where a scoped model keeps its region, sector and responsible organisation (lookups
    from the model; ``None`` where it has none)."""

    region: str
    sector: str | None
    organisation: str | None


TENANT_SCOPE = ScopeSpec(region="region", sector="sector", organisation="organisation")


def is_unrestricted(user: Any) -> bool:
    """Superusers and administrators see every row and may take every action."""
    return bool(user.is_superuser or getattr(user, "role", "") == Role.ADMINISTRATOR)


class ModelPolicy:
    """The permission policy of one model: its scope columns and which roles may do what.

    Subclasses narrow single actions by overriding ``instance_q`` (a filter for the objects the
    user may act on, beyond scope); ``user_has_permission_for_instance`` and the queryset use
    the same filter, so the two never disagree.
    """

    def __init__(
        self,
        model: type[models.Model] | str,
        *,
        scope: ScopeSpec | None,
        permissions: Mapping[str, Iterable[str]],
    ) -> None:
        self._model = model
        self.scope = scope
        self.permissions = {action: frozenset(roles) for action, roles in permissions.items()}

    @property
    def model(self) -> type[models.Model]:
        if isinstance(self._model, str):
            from django.apps import apps

            self._model = apps.get_model(self._model)
        return self._model

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    # --- the role ---------------------------------------------------------------------------

    def roles_for(self, action: str) -> frozenset[str]:
        """The roles that may take ``action`` (administrators always may)."""
        return self.permissions.get(action, frozenset())

    def user_has_permission(self, user: Any, action: str) -> bool:
        """True when the user's role allows ``action`` on this kind of object. Unknown actions
        are refused, so a forgotten entry fails closed."""
        if not getattr(user, "is_authenticated", False):
            return False
        if is_unrestricted(user):
            return True
        return getattr(user, "role", "") in self.roles_for(action)

    # --- the objects ------------------------------------------------------------------------

    def scope_q(self, user: Any) -> Q | None:
        """The rows in the user's scope, or None when they may see none of this model."""
        from .scope import scope_q

        if self.scope is None:
            return Q() if is_unrestricted(user) else None
        return scope_q(user, self.scope)

    def instance_q(self, user: Any, action: str) -> Q | None:
        """A further filter for ``action`` beyond scope (``Q()`` for none; None: no object).

        The default narrows nothing; the hazard policy uses it for the responsible party.
        """
        return Q()

    def narrows(self, action: str) -> bool:
        """True when ``instance_q`` may narrow ``action`` beyond scope (so a single object
        needs its own check, not only the role)."""
        return action != "view" and type(self).instance_q is not ModelPolicy.instance_q

    def instances_user_has_permission_for(
        self, user: Any, action: str, queryset: QuerySet[Any] | None = None
    ) -> QuerySet[Any]:
        """The objects (of ``queryset``, default all) the user may take ``action`` on."""
        qs = self.model._default_manager.all() if queryset is None else queryset
        if not self.user_has_permission(user, action):
            return qs.none()
        scope = self.scope_q(user)
        narrow = Q() if action == "view" or is_unrestricted(user) else self.instance_q(user, action)
        if scope is None or narrow is None:
            return qs.none()
        return qs.filter(scope & narrow)

    def user_has_permission_for_instance(self, user: Any, action: str, obj: Any) -> bool:
        """True when the user may take ``action`` on ``obj`` (role, scope and any narrowing)."""
        return self.instances_user_has_permission_for(user, action).filter(pk=obj.pk).exists()

    # --- the users --------------------------------------------------------------------------

    def users_with_permission_for_instance(self, action: str, obj: Any) -> QuerySet[Any]:
        """The active users who may take ``action`` on ``obj``: the inverse of the scope rules
        (their organisation is the object's enterprise, or covers its region and sector), with
        the role the action needs, plus administrators. A policy that narrows actions with
        ``instance_q`` filters these users again one by one, so the answer is exact."""
        from hazardledger.accounts.models import User

        roles = self.roles_for(action)
        users = User.objects.filter(is_active=True).select_related("organisation")
        admins = Q(role=Role.ADMINISTRATOR) | Q(is_superuser=True)
        if self.scope is None:
            return users.filter(admins)
        covering = Q(pk__in=[])
        organisation_id = _value(obj, self.scope.organisation) if self.scope.organisation else None
        if organisation_id is not None:
            covering |= Q(
                organisation_id=organisation_id,
                organisation__kind=OrganisationKind.ENTERPRISE,
            )
        region = str(_value(obj, self.scope.region) or "")
        ancestors = [region[:n] for n in (2, 4, 6, 9, 12) if len(region) >= n]
        sector = _value(obj, self.scope.sector) if self.scope.sector else None
        supervising = Q(organisation__region_id__in=ancestors) & ~Q(
            organisation__kind=OrganisationKind.ENTERPRISE
        )
        if sector is not None:
            supervising &= Q(organisation__all_sectors=True) | Q(organisation__sectors=sector)
        else:
            supervising &= Q(organisation__all_sectors=True)
        covering |= supervising
        candidates = users.filter((covering & Q(role__in=roles)) | admins).distinct()
        if not self.narrows(action):
            return candidates
        allowed = [
            user.pk
            for user in candidates
            if self.user_has_permission_for_instance(user, action, obj)
        ]
        return users.filter(pk__in=allowed)


def _value(obj: Any, lookup: str | None) -> Any:
    """Follow a ``__``-separated lookup on an instance, reading ``<fk>_id`` for the last step."""
    if not lookup:
        return None
    parts = lookup.split("__")
    for part in parts[:-1]:
        obj = getattr(obj, part)
    last = parts[-1]
    return getattr(obj, f"{last}_id", None) if hasattr(obj, f"{last}_id") else getattr(obj, last)


_POLICIES: dict[str, ModelPolicy] = {}


def register_policy(policy: ModelPolicy) -> ModelPolicy:
    """Register the policy of its model (an app's ``ready()``); again replaces it."""
    _POLICIES[_key(policy._model)] = policy
    return policy


def policy_for(model: type[models.Model] | str) -> ModelPolicy:
    """The registered policy of ``model``; ``LookupError`` when there is none (fail closed)."""
    try:
        return _POLICIES[_key(model)]
    except KeyError:
        raise LookupError(f"No permission policy is registered for {_key(model)}") from None


def registered_policies() -> list[ModelPolicy]:
    return [_POLICIES[key] for key in sorted(_POLICIES)]


def _key(model: type[models.Model] | str) -> str:
    return model.lower() if isinstance(model, str) else model._meta.label_lower
