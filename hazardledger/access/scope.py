"""Scope: which rows a user may see. Every view, export, command, API and job goes through here.

A user's scope is their organisation's: an enterprise sees its own objects; every other kind
sees objects under its region, in its sectors (or all sectors). Administrators see everything.
Out of scope means "not found" (404); in scope but not allowed means "forbidden" (403).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from hazardledger.accounts.choices import OrganisationKind
from hazardledger.regions.selectors import under_region

from .policy import ScopeSpec, is_unrestricted, policy_for

M = TypeVar("M", bound=models.Model)

# The division the whole deployment covers (Guangdong).
PROVINCE_CODE = "44"


class ScopeViolation(PermissionDenied):
    """An object was saved outside the acting user's scope; the transaction must roll back."""


def model_key(model: type[models.Model]) -> str:
    return model._meta.label_lower


def scope_region_code(user: Any) -> str:
    """The division code the user's scope starts from: the province for unrestricted users,
    else their organisation's region (an enterprise's own region, where its scope is its sites).
    """
    if is_unrestricted(user):
        return PROVINCE_CODE
    return str(user.organisation.region_id)


def user_sector_codes(user: Any) -> set[str] | None:
    """The sector codes of the user's organisation, or None for "all sectors" (cached)."""
    if hasattr(user, "_scope_sector_codes"):
        cached: set[str] | None = user._scope_sector_codes
        return cached
    org = user.organisation
    codes = None if org.all_sectors else set(org.sectors.values_list("code", flat=True))
    user._scope_sector_codes = codes
    return codes


def scope_q(user: Any, spec: ScopeSpec) -> Q | None:
    """The filter for the rows the user may see, or None when they may see nothing."""
    if is_unrestricted(user):
        return Q()
    org = user.organisation
    if org is None:
        return None
    if org.kind == OrganisationKind.ENTERPRISE:
        if spec.organisation is None:
            return None
        return Q(**{spec.organisation: org.pk})
    q = under_region(spec.region, org.region_id)
    sectors = user_sector_codes(user)
    if sectors is not None:
        if spec.sector is None:
            return None
        q &= Q(**{f"{spec.sector}__in": sorted(sectors)})
    return q


def user_can(user: Any, model: type[models.Model], action: str) -> bool:
    """True when the user's role allows ``action`` on this kind of object (its policy)."""
    return policy_for(model).user_has_permission(user, action)


def restrict(qs: QuerySet[M], user: Any, action: str = "view") -> QuerySet[M]:
    """Narrow ``qs`` to the rows ``user`` may ``action`` (the model's policy: role, scope and
    any narrowing the policy adds); empty when the role may not."""
    return policy_for(qs.model).instances_user_has_permission_for(user, action, qs)


def get_object_for_user(qs: QuerySet[M], user: Any, action: str = "view", **lookup: Any) -> M:
    """Fetch one object for ``user``.

    Raises ``Http404`` when it does not exist or lies outside the user's scope (the two are
    indistinguishable on purpose) and ``PermissionDenied`` when it is visible but the user may
    not perform ``action`` on it (their role, or the policy's narrowing for that action).
    """
    obj = restrict(qs, user, "view").filter(**lookup).first()
    if obj is None:
        raise Http404
    if action != "view":
        policy = policy_for(qs.model)
        if not policy.user_has_permission(user, action):
            raise PermissionDenied
        if policy.narrows(action) and not policy.user_has_permission_for_instance(
            user, action, obj
        ):
            raise PermissionDenied
    return obj


def ensure_in_scope(obj: models.Model, user: Any) -> None:
    """Raise ``ScopeViolation`` when a just-saved object is not visible to ``user``.

    Call inside the saving transaction so that the write rolls back (NetBox's "save, then
    check"): it catches any field a form let through that moves the object out of scope.
    """
    model = type(obj)
    if not restrict(model._default_manager.filter(pk=obj.pk), user, "view").exists():
        raise ScopeViolation
