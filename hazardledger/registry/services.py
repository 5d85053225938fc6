"""Writes on sites. Every write re-checks scope inside its transaction (save, then check)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F, Model, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardledger.access.scope import ensure_in_scope

from .models import Site
from .signals import site_relocated

SITE_FIELDS = (
    "name",
    "kind",
    "sector",
    "region",
    "address",
    "latitude",
    "longitude",
    "organisation",
    "contact_person",
    "contact_phone",
    "status",
    "attributes",
)


class ConcurrentEditError(Exception):
    """The object changed since the user loaded it; nothing was written."""

    message = _(
        "Someone else changed this record after you opened it. Nothing was saved: "
        "reload the page to see the current version, then make your change again."
    )


@transaction.atomic
def site_create(*, actor: Any, data: Mapping[str, Any]) -> Site:
    """Create a site from validated ``data`` (keys in ``SITE_FIELDS``).

    Raises ``ScopeViolation`` (and writes nothing) when the new site would lie outside the
    actor's scope.
    """
    site = Site(created_by=actor, **{key: data[key] for key in SITE_FIELDS if key in data})
    site.full_clean(exclude=["sector", "region", "organisation", "created_by"])
    site.save()
    ensure_in_scope(site, actor)
    return site


@transaction.atomic
def site_update(*, actor: Any, site: Site, expected_version: int, data: Mapping[str, Any]) -> Site:
    """Apply ``data`` to ``site`` only if it is still at ``expected_version``.

    Steps: one conditional UPDATE … WHERE version = expected (so two editors can never both
    win); raise ``ConcurrentEditError`` when no row matched; reload; re-check scope, which
    rolls the change back if it moved the site out of the actor's scope; when the region, sector
    or enterprise changed, send ``site_relocated`` so other apps' copies follow.
    """
    changes = {key: data[key] for key in SITE_FIELDS if key in data}
    candidate = Site(**{**{f: getattr(site, f) for f in SITE_FIELDS}, **changes})
    candidate.full_clean(exclude=["sector", "region", "organisation", "created_by"])
    columns = {
        (f"{key}_id" if key in ("sector", "region", "organisation") else key): (
            value.pk if hasattr(value, "pk") else value
        )
        for key, value in changes.items()
    }
    updated = Site.objects.filter(pk=site.pk, version=expected_version).update(
        **columns, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise ConcurrentEditError
    before = (site.region_id, site.sector_id, site.organisation_id)
    site.refresh_from_db()
    ensure_in_scope(site, actor)
    if (site.region_id, site.sector_id, site.organisation_id) != before:
        site_relocated.send(sender=Site, site=site)
    return site


def site_scope_resync(*, site: Site, rows: Iterable[tuple[type[Model], str]]) -> int:
    """Copy the site's region, sector and enterprise onto the rows other apps keep for it.

    ``rows`` pairs each model with the lookup from it to the site's id (``"site_id"``,
    ``"risk_point__site_id"``…); only the scope columns a model has are copied. Used by
    ``site_relocated`` receivers so that scope keeps following a site that moved; returns how
    many rows changed.
    """
    site_scope = {
        "region_id": site.region_id,
        "sector_id": site.sector_id,
        "organisation_id": site.organisation_id,
    }
    changed = 0
    for model, path in rows:
        columns = {field.attname for field in model._meta.concrete_fields}
        scope = {key: value for key, value in site_scope.items() if key in columns}
        stale = model._default_manager.filter(~Q(**scope), **{path: site.pk})
        changed += model._default_manager.filter(
            pk__in=list(stale.values_list("pk", flat=True))
        ).update(**scope)
    return changed
