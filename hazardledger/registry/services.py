"""Writes on sites. Every write checks the actor's permission (the site policy), re-checks scope
inside its transaction (save, then check), and writes its audit row and its outbox event in the
same transaction, so all of them exist exactly when the change does.

Services are plain ``transaction.atomic()`` blocks that compose; the durable transaction is
opened by the entry point (a view, a command, the admin).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Model, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardledger.access.scope import ScopeViolation, ensure_in_scope
from hazardledger.audit.services import record
from hazardledger.core.errors import Conflict, Invalid, NotAllowed, NotFound
from hazardledger.core.outbox import outbox_build, outbox_write, outbox_write_many

from .constants import SCOPE_FIELDS, SITE_FIELDS, SUPERVISION_FIELDS
from .models import Site
from .policies import SITE_POLICY
from .signals import site_relocated

__all__ = [
    "SCOPE_FIELDS",
    "SITE_FIELDS",
    "SUPERVISION_FIELDS",
    "ConcurrentEditError",
    "SiteOutsideScope",
    "SupervisionChangeNotAllowed",
    "site_changes",
    "site_create",
    "site_import_write",
    "site_scope_resync",
    "site_update",
]

logger = logging.getLogger(__name__)

_FOREIGN_KEYS = ("sector", "region", "organisation")
# Rows per INSERT when an import writes its sites and their outbox events.
IMPORT_BATCH = 1000


class ConcurrentEditError(Conflict):
    """The site changed since the user loaded it; nothing was written."""

    default_message = _(
        "Someone else changed this record after you opened it. Nothing was saved: "
        "reload the page to see the current version, then make your change again."
    )


class SiteOutsideScope(Invalid):
    """The site as given would lie outside the actor's area or sectors; nothing was written."""

    default_message = _("The site would be outside your area or sectors.")


class SupervisionChangeNotAllowed(NotAllowed):
    """The actor may change the site but not what decides who supervises it."""

    default_message = _(
        "Only the supervising side may change a site's kind, sector, township, responsible "
        "enterprise or status. Nothing was saved."
    )


def _attname(field: str) -> str:
    return f"{field}_id" if field in _FOREIGN_KEYS else field


def _column(value: Any) -> Any:
    """A form or admin value as the column stores it (a related row as its key)."""
    return value.pk if isinstance(value, Model) else value


def _json(value: Any) -> Any:
    """A column value as JSON can carry it: decimals as strings, dates as ISO text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _columns(site: Site) -> dict[str, Any]:
    return {field: getattr(site, _attname(field)) for field in SITE_FIELDS}


def site_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value differs, JSON-safe (related rows by
    their key, decimals as strings). A field missing from ``before`` counts as None, so the
    changes of a new site are all its fields."""
    return {
        field: [_json(before.get(field)), _json(after[field])]
        for field in SITE_FIELDS
        if field in after and before.get(field) != after[field]
    }


def _require(actor: Any, action: str, site: Site | None = None) -> None:
    """Raise ``NotAllowed`` unless the actor's role allows ``action`` on sites, and
    ``NotFound`` when ``site`` is outside the actor's scope (out of scope looks like absent)."""
    if not SITE_POLICY.user_has_permission(actor, action):
        raise NotAllowed
    if site is not None and not SITE_POLICY.user_has_permission_for_instance(actor, action, site):
        raise NotFound


def _ensure_in_scope(site: Site, actor: Any) -> None:
    try:
        ensure_in_scope(site, actor)
    except ScopeViolation as exc:
        raise SiteOutsideScope from exc


@transaction.atomic
def site_create(*, actor: Any, data: Mapping[str, Any]) -> Site:
    """Register a site from validated ``data`` (keys in ``SITE_FIELDS``; related rows as
    instances or keys).

    Steps: check the actor's role may add sites; validate; save; re-check scope; write the
    audit row and the ``registry.site.create`` outbox event (its changes: every field).
    Raises ``NotAllowed`` for a role that may not register sites, ``Invalid`` on bad values
    and ``SiteOutsideScope`` when the site would lie outside the actor's scope; in every case
    nothing is written.
    """
    _require(actor, "add")
    columns = {_attname(key): _column(data[key]) for key in SITE_FIELDS if key in data}
    site = Site(created_by=actor, **columns)
    site.full_clean(exclude=[*_FOREIGN_KEYS, "created_by"])
    site.save()
    _ensure_in_scope(site, actor)
    site.refresh_from_db()
    changes = site_changes({}, _columns(site))
    record(
        actor=actor,
        action="registry.site.create",
        obj=site,
        after={field: new for field, (_old, new) in changes.items()},
    )
    outbox_write(
        topic="registry.site.create",
        obj=site,
        actor=actor,
        data={"site_id": site.pk, "changes": changes},
    )
    return site


@transaction.atomic
def site_update(*, actor: Any, site: Site, expected_version: int, data: Mapping[str, Any]) -> Site:
    """Apply ``data`` to ``site`` only if it is still at ``expected_version``.

    Steps:
    1. check the actor may change this site (role, then scope: ``NotAllowed`` / ``NotFound``);
    2. lock the stored row and refuse a stale page (``ConcurrentEditError``, a ``Conflict``);
    3. work out what changes; a change of a supervision field (kind, sector, township,
       enterprise, status) needs the policy's "change_scope" (``SupervisionChangeNotAllowed``
       otherwise: an enterprise keeps its details up to date but never moves its site);
    4. validate, then one conditional ``UPDATE … WHERE version = expected`` that bumps the
       version (so two editors can never both win);
    5. reload and re-check scope, which rolls the change back if it moved the site out of the
       actor's scope (``SiteOutsideScope``);
    6. write the audit row and the outbox event: ``registry.site.relocate`` when the region,
       sector or enterprise changed, else ``registry.site.update``; a relocation then sends
       ``site_relocated`` so the rows other apps keep for the site follow it, inside this
       transaction.

    A save that changes nothing writes nothing. ``site`` is reloaded in place once the change
    is written; on an error it is left as it was.
    """
    _require(actor, "change", site)
    stored = Site.objects.select_for_update().filter(pk=site.pk).first()
    if stored is None:
        raise NotFound
    if stored.version != expected_version:
        raise ConcurrentEditError
    before = _columns(stored)
    after = {**before, **{key: _column(data[key]) for key in SITE_FIELDS if key in data}}
    changed = [field for field in SITE_FIELDS if after[field] != before[field]]
    if not changed:
        site.refresh_from_db()
        return site
    if any(field in SUPERVISION_FIELDS for field in changed) and not (
        SITE_POLICY.user_has_permission(actor, "change_scope")
    ):
        raise SupervisionChangeNotAllowed
    candidate = Site(**{_attname(field): value for field, value in after.items()})
    candidate.full_clean(exclude=[*_FOREIGN_KEYS, "created_by"])
    updated = Site.objects.filter(pk=site.pk, version=expected_version).update(
        **{_attname(field): after[field] for field in changed},
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if updated != 1:
        raise ConcurrentEditError
    saved = Site.objects.get(pk=site.pk)
    _ensure_in_scope(saved, actor)
    changes = site_changes(before, _columns(saved))
    moved = any(field in SCOPE_FIELDS for field in changes)
    action = "registry.site.relocate" if moved else "registry.site.update"
    record(
        actor=actor,
        action=action,
        obj=saved,
        before={field: old for field, (old, _new) in changes.items()},
        after={field: new for field, (_old, new) in changes.items()},
        data={"version": saved.version},
    )
    outbox_write(
        topic=action, obj=saved, actor=actor, data={"site_id": saved.pk, "changes": changes}
    )
    if moved:
        site_relocated.send(sender=Site, site=saved)
    site.refresh_from_db()
    return site


@transaction.atomic
def site_import_write(
    *,
    actor: Any,
    sites: Sequence[Site],
    filename: str,
    updates: Sequence[tuple[Site, int, Mapping[str, Any]]] = (),
    batch: uuid.UUID | None = None,
) -> tuple[list[Site], list[Site]]:
    """Write one spreadsheet's plan, all or none: insert the validated, unsaved ``sites`` and
    apply ``updates`` (``(stored site, version the plan saw, data)``).

    Steps: check the actor's role may import; insert the new sites in batches, each marked with
    ``batch`` (so the list can show "the sites this import created"); re-check that every one
    is in the actor's scope (``SiteOutsideScope`` rolls the whole file back); apply each update
    through ``site_update``, with its version and scope checks, its audit row and its outbox
    event (a site changed since the plan is a ``ConcurrentEditError`` and rolls the file
    back); write one audit row for the file (its name, the counts, the new and changed sites'
    ids) and one ``registry.site.import`` outbox event per new site (bulk inserts, in this
    transaction).

    The events' dispatch is enqueued on commit, one task per event, as ``outbox_write`` does
    for a single change; if enqueueing fails part-way, the outbox sweep dispatches the rest.
    Returns the saved new sites and the updated ones. Raises ``NotAllowed`` for a role that
    may not import.
    """
    _require(actor, "import")
    for site in sites:
        site.import_batch = batch
    created = Site.objects.bulk_create(sites, batch_size=IMPORT_BATCH)
    ids = [site.pk for site in created]
    visible = 0
    for start in range(0, len(ids), IMPORT_BATCH):
        chunk = Site.objects.filter(pk__in=ids[start : start + IMPORT_BATCH])
        visible += SITE_POLICY.instances_user_has_permission_for(actor, "view", chunk).count()
    if visible != len(ids):
        raise SiteOutsideScope
    updated = [
        site_update(actor=actor, site=site, expected_version=version, data=data)
        for site, version, data in updates
    ]
    now = timezone.now()
    record(
        actor=actor,
        action="registry.site.import",
        object_type=Site._meta.label_lower,
        object_repr=filename,
        data={
            "file": filename,
            "count": len(ids),
            "sites": ids,
            "updated": [site.pk for site in updated],
            "batch": str(batch) if batch else None,
        },
        at=now,
    )
    outbox_write_many(
        (
            outbox_build(
                topic="registry.site.import",
                obj=site,
                actor=actor,
                data={"site_id": site.pk, "changes": site_changes({}, _columns(site))},
                at=now,
            )
            for site in created
        ),
        batch_size=IMPORT_BATCH,
    )
    return created, updated


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
