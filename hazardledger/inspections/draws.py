"""Double-random draws (双随机): random sites, random inspector pairs, reproducible by anyone.

The draw is made in two steps so that nobody can pick a seed after seeing its result:

1. ``draw_seal`` fixes the inputs (parameters, candidate site ids and inspector ids, both in
   primary-key order) and the seed, stores them with their hash, and publishes the draw;
2. ``draw_perform`` computes the result from exactly those stored inputs and plans one
   inspection per drawn site for its inspector pair.

``draw_compute`` is the whole algorithm: ``random.Random(seed)`` samples the sites, then for
each drawn site (in draw order) samples two inspectors. ``draw_verify`` recomputes it.

A draw keeps every sector it covers (``Draw.sectors``), so it is published to the users whose
scope holds all of them (``policies.DrawPolicy``). Performing it writes one ``plan`` outbox
event per planned inspection, in one insert.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardledger.access.scope import (
    ensure_in_scope,
    is_unrestricted,
    restrict,
    user_sector_codes,
)
from hazardledger.accounts.choices import Role
from hazardledger.accounts.models import User
from hazardledger.audit.services import record as audit_record
from hazardledger.core.errors import Invalid, InvalidTransition, NotAllowed
from hazardledger.regions.choices import CODE_LENGTHS
from hazardledger.regions.models import Region, Sector
from hazardledger.regions.selectors import is_under, under_region
from hazardledger.registry.choices import SiteStatus
from hazardledger.registry.models import Site

from .choices import DrawStatus, InspectionKind, InspectionStatus
from .constants import DRAW_MAX_SIZE, INSPECTORS_PER_SITE
from .events import creation_changes, inspection_events_write_bulk
from .models import Checklist, Draw, Inspection
from .policies import DRAW_POLICY
from .selectors import checklists_for_site

ALGORITHM = "random.Random(seed).sample v1"


def draw_compute(
    *, seed: int, site_ids: Sequence[int], inspector_ids: Sequence[int], size: int
) -> dict[str, Any]:
    """The draw itself: ``{"sites": [...], "pairs": [[a, b], ...]}``.

    Deterministic for the same arguments: the inputs are sorted first, so their order does
    not matter. Draws ``min(size, len(site_ids))`` sites; each gets two distinct inspectors,
    listed in id order.
    """
    rng = random.Random(seed)
    sites = sorted(site_ids)
    inspectors = sorted(inspector_ids)
    chosen = rng.sample(sites, min(size, len(sites)))
    pairs = [sorted(rng.sample(inspectors, INSPECTORS_PER_SITE)) for _site in chosen]
    return {"sites": chosen, "pairs": pairs}


def draw_input_hash(*, inputs: dict[str, Any], seed: int) -> str:
    """SHA-256 of the canonical JSON of the inputs and the seed (published with the draw)."""
    canonical = json.dumps(
        {"inputs": inputs, "seed": seed}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def inspector_pool(*, user: Any) -> list[User]:
    """Inspectors the user may draw: active inspectors of organisations under the user's
    region (every inspector for an administrator)."""
    qs = User.objects.filter(role=Role.INSPECTOR, is_active=True).select_related("organisation")
    if not is_unrestricted(user):
        qs = qs.filter(under_region("organisation__region", user.organisation.region_id))
    return list(qs.order_by("id"))


def _common_region(codes: Sequence[str]) -> str:
    """The smallest division every one of ``codes`` lies under (the province at most)."""
    first = codes[0]
    for length in sorted((n for n in CODE_LENGTHS if n <= len(first)), reverse=True):
        candidate = first[:length]
        if all(is_under(code, candidate) for code in codes):
            return candidate
    return first[: CODE_LENGTHS[0]]


def draw_candidates(
    *, user: Any, regions: Sequence[str], sectors: Sequence[str], site_kinds: Sequence[str]
) -> list[int]:
    """Ids of the operating sites in the user's scope under any of ``regions``, in any of
    ``sectors`` and (when given) of one of ``site_kinds``, in primary-key order."""
    where = Q()
    for code in regions:
        where |= under_region("region", code)
    qs = restrict(Site.objects.all(), user, "view").filter(
        where, sector_id__in=list(sectors), status=SiteStatus.OPERATING
    )
    if site_kinds:
        qs = qs.filter(kind__in=list(site_kinds))
    return list(qs.order_by("pk").values_list("pk", flat=True))


def draw_seal(
    *,
    actor: Any,
    title: str,
    regions: Sequence[str],
    sectors: Sequence[str],
    site_kinds: Sequence[str],
    size: int,
    inspector_ids: Sequence[int],
    planned_on: date,
    seed: int | None = None,
) -> Draw:
    """Fix and publish a draw's inputs and seed (step 1). Nothing is drawn yet.

    The seed is the caller's or a fresh random 63-bit number. The draw keeps all its sectors
    (``Draw.sectors``). Raises ``NotAllowed`` when the actor may not draw, ``Invalid`` for
    regions or sectors outside the actor's area, no sector, a size out of range, fewer than
    two inspectors or inspectors outside the pool.
    """
    if not DRAW_POLICY.user_has_permission(actor, "add"):
        raise NotAllowed
    errors: dict[str, list[str]] = {}
    regions = sorted(set(regions))
    sectors = sorted(set(sectors))
    own = None if is_unrestricted(actor) else actor.organisation.region_id
    if not regions or (own is not None and any(not is_under(code, own) for code in regions)):
        errors["regions"] = [_("Choose regions in your area.")]
    elif Region.objects.filter(code__in=regions).count() != len(regions):
        errors["regions"] = [_("Unknown region.")]
    allowed = None if is_unrestricted(actor) else user_sector_codes(actor)
    if not sectors:
        errors["sectors"] = [_("Choose at least one sector.")]
    elif (allowed is not None and not set(sectors) <= allowed) or Sector.objects.filter(
        code__in=sectors
    ).count() != len(sectors):
        errors["sectors"] = [_("Choose sectors in your area.")]
    if not 1 <= size <= DRAW_MAX_SIZE:
        errors["size"] = [_("Draw between 1 and %(n)d sites.") % {"n": DRAW_MAX_SIZE}]
    pool = {u.pk for u in inspector_pool(user=actor)}
    chosen = sorted(set(inspector_ids))
    if len(chosen) < INSPECTORS_PER_SITE or not set(chosen) <= pool:
        errors["inspectors"] = [_("Choose at least two inspectors from the pool.")]
    if planned_on < timezone.localdate():
        errors["planned_on"] = [_("The planned date cannot be in the past.")]
    if errors:
        raise Invalid(errors)
    seed = secrets.randbits(63) if seed is None else int(seed)
    site_ids = draw_candidates(user=actor, regions=regions, sectors=sectors, site_kinds=site_kinds)
    if not site_ids:
        raise Invalid({"regions": [_("No operating site matches this scope.")]})
    inputs: dict[str, Any] = {
        "algorithm": ALGORITHM,
        "regions": regions,
        "sectors": sectors,
        "site_kinds": sorted(set(site_kinds)),
        "size": size,
        "site_ids": site_ids,
        "inspector_ids": chosen,
    }
    with transaction.atomic():
        draw = Draw.objects.create(
            region_id=_common_region(regions),
            title=(title or "").strip()[:200] or _("Double-random draw"),
            seed=seed,
            inputs=inputs,
            input_hash=draw_input_hash(inputs=inputs, seed=seed),
            planned_on=planned_on,
            created_by=actor,
            created_by_name=actor.display_name[:150],
        )
        draw.sectors.set(Sector.objects.filter(code__in=sectors))
        ensure_in_scope(draw, actor)
        audit_record(
            actor=actor,
            action="inspections.draw.seal",
            obj=draw,
            after={"seed": seed, "input_hash": draw.input_hash},
            data={"candidates": len(site_ids), "inspectors": len(chosen), "size": size},
        )
    return draw


def draw_perform(*, actor: Any, draw: Draw) -> Draw:
    """Draw from the sealed inputs (step 2) and plan the drawn inspections.

    Each drawn site gets a double-random inspection on the planned date, with the site's
    first fitting checklist and its inspector pair, and a ``plan`` outbox event (all of them
    in one insert). A conditional update makes a second perform impossible
    (``InvalidTransition``). Raises ``NotAllowed`` when the actor may not perform this draw
    (role or scope) and ``Invalid`` when the stored inputs no longer match their hash.
    """
    if not DRAW_POLICY.user_has_permission_for_instance(actor, "perform", draw):
        raise NotAllowed
    inputs = draw.inputs
    if draw_input_hash(inputs=inputs, seed=draw.seed) != draw.input_hash:
        raise Invalid(_("The draw's inputs do not match their hash; it cannot be drawn."))
    result = draw_compute(
        seed=draw.seed,
        site_ids=inputs["site_ids"],
        inspector_ids=inputs["inspector_ids"],
        size=inputs["size"],
    )
    now = timezone.now()
    with transaction.atomic():
        updated = Draw.objects.filter(pk=draw.pk, status=DrawStatus.SEALED).update(
            status=DrawStatus.DRAWN, result=result, drawn_at=now, updated_at=now
        )
        if updated != 1:
            raise InvalidTransition(_("This draw has already been made."))
        sites = Site.objects.in_bulk(result["sites"])
        current = list(Checklist.objects.filter(is_current=True))
        planned = []
        for site_id in result["sites"]:
            site = sites[site_id]
            fitting = checklists_for_site(site=site, current=current)
            inspection = Inspection(
                site=site,
                kind=InspectionKind.DOUBLE_RANDOM,
                status=InspectionStatus.PLANNED,
                checklist=fitting[0] if fitting else None,
                planned_on=draw.planned_on,
                draw=draw,
                created_by=actor,
            )
            inspection.copy_scope_from(site)
            planned.append(inspection)
        Inspection.objects.bulk_create(planned)
        pairs = {
            inspection.pk: pair for inspection, pair in zip(planned, result["pairs"], strict=True)
        }
        through = Inspection.inspectors.through
        through.objects.bulk_create(
            [
                through(inspection_id=inspection_id, user_id=user_id)
                for inspection_id, pair in pairs.items()
                for user_id in pair
            ]
        )
        inspection_events_write_bulk(
            inspections=planned,
            action="plan",
            actor=actor,
            changes=lambda inspection: creation_changes(
                inspection, inspector_ids=pairs[inspection.pk]
            ),
        )
        audit_record(
            actor=actor,
            action="inspections.draw.perform",
            obj=draw,
            before={"status": DrawStatus.SEALED},
            after={"status": DrawStatus.DRAWN},
            data=result,
        )
    draw.refresh_from_db()
    return draw


def draw_verify(*, draw: Draw) -> tuple[dict[str, Any], bool, bool]:
    """Re-run a draw: ``(recomputed result, inputs match their hash, result matches)``."""
    inputs = draw.inputs
    recomputed = draw_compute(
        seed=draw.seed,
        site_ids=inputs.get("site_ids", []),
        inspector_ids=inputs.get("inspector_ids", []),
        size=int(inputs.get("size", 0)),
    )
    hash_ok = draw_input_hash(inputs=inputs, seed=draw.seed) == draw.input_hash
    return recomputed, hash_ok, recomputed == draw.result
