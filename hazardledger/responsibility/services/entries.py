"""Writes of the responsibility list: an entry with its officials, created, edited or deleted
by a safety committee office in its scope (the page and the spreadsheet import share
``entry_check``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hazardledger.access.policy import is_unrestricted
from hazardledger.access.scope import ensure_in_scope, scope_region_code
from hazardledger.accounts.choices import OrganisationKind
from hazardledger.accounts.models import Organisation, User
from hazardledger.audit.services import record
from hazardledger.core.errors import Conflict, Invalid, NotAllowed, NotFound
from hazardledger.regions.models import Region, Sector
from hazardledger.regions.selectors import is_under, is_valid_code

from ..chain import is_city_without_counties, tree_ancestors
from ..choices import OfficialSide
from ..models import ResponsibilityEntry, ResponsibleOfficial
from ..policies import ENTRY_POLICY

__all__ = [
    "EntryInput",
    "OfficialInput",
    "entry_check",
    "entry_delete",
    "entry_save",
]

# Digits, spaces and the signs phone numbers are written with ("020-8888 1234", "+86 …").
PHONE = re.compile(r"^[0-9+\-() ]{3,30}$")
# The most officials one entry lists.
MAX_OFFICIALS = 20


@dataclass(frozen=True)
class OfficialInput:
    """One official as a form or a spreadsheet row gives it: a user (by id) or a name, with
    the post and the phone."""

    side: str
    name: str = ""
    post: str = ""
    phone: str = ""
    user_id: int | None = None


@dataclass(frozen=True)
class EntryInput:
    """An entry as a form or a spreadsheet row gives it (codes and ids, not rows)."""

    region: str
    sector: str
    lead_department_id: int | None = None
    escalates_to: str = ""
    note: str = ""
    officials: tuple[OfficialInput, ...] = field(default=())


@dataclass
class CheckedEntry:
    """An input found good: what the entry and its officials will hold."""

    region: str
    sector: str
    lead_department_id: int | None
    escalates_to: str | None
    note: str
    officials: list[dict[str, Any]]


@dataclass
class EntryContext:
    """What checking entries needs, loaded once (the import checks thousands of rows against
    it without a query per row)."""

    regions: dict[str, str]  # code -> level
    sectors: set[str]
    departments: dict[int, Organisation]
    users: dict[int, User]
    sector_cover: dict[int, set[str]]

    @classmethod
    def load(
        cls,
        *,
        region_codes: Sequence[str] = (),
        department_ids: Sequence[int] = (),
        user_ids: Sequence[int] = (),
    ) -> EntryContext:
        codes: set[str] = set()
        for code in region_codes:
            if is_valid_code(code):
                codes |= set(tree_ancestors(code)) | {code}
        departments = {
            o.pk: o
            for o in Organisation.objects.filter(pk__in=set(department_ids)).exclude(
                kind=OrganisationKind.ENTERPRISE
            )
        }
        cover: dict[int, set[str]] = {}
        through = Organisation.sectors.through
        for org_id, sector in through.objects.filter(
            organisation_id__in=list(departments)
        ).values_list("organisation_id", "sector_id"):
            cover.setdefault(org_id, set()).add(sector)
        return cls(
            regions=dict(Region.objects.filter(code__in=codes).values_list("code", "level")),
            sectors=set(Sector.objects.values_list("code", flat=True)),
            departments=departments,
            users={
                u.pk: u
                for u in User.objects.filter(pk__in=set(user_ids), is_active=True).select_related(
                    "organisation"
                )
            },
            sector_cover=cover,
        )


def _clean(value: Any) -> str:
    return str(value or "").strip()


def _too_long(fail: Any, name: str, text: str, limit: int, label: str = "") -> None:
    if len(text) > limit:
        fail(name, (label + _("At most %(n)d characters.") % {"n": limit}).strip())


def entry_check(
    *, actor: Any, value: EntryInput, context: EntryContext
) -> tuple[CheckedEntry | None, dict[str, list[str]]]:
    """Check one entry for ``actor``; return it cleaned, or the problems by field.

    The division must be a province, city, county or township (not a village, nor the county
    row of a city without counties) under the actor's; the lead department a body (not an
    enterprise) at that division or above it, and a sector department must cover the sector;
    the level it reports to, if given, a higher division; at least one official, each a name
    and a post (or a user of a body at that division or above), with a well-formed phone.
    """
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    region = value.region.strip()
    level = context.regions.get(region)
    if not is_valid_code(region) or level is None or len(region) == 12:
        fail("region", _("Give the code of a province, city, county or township."))
    elif is_city_without_counties(region):
        fail("region", _("This city has no counties: give the city's code."))
    elif not is_unrestricted(actor) and not is_under(region, scope_region_code(actor)):
        fail("region", _("This division is outside your area."))
    chain = tree_ancestors(region) if not errors.get("region") else []
    if value.sector not in context.sectors:
        fail("sector", _("Choose a sector."))
    department = None
    if value.lead_department_id is not None:
        department = context.departments.get(value.lead_department_id)
        if department is None or department.region_id not in chain:
            fail("lead_department", _("Choose a body of this division or of one above it."))
        elif (
            department.kind == OrganisationKind.DEPARTMENT
            and not department.all_sectors
            and value.sector not in context.sector_cover.get(department.pk, set())
        ):
            fail("lead_department", _("This department does not supervise the sector."))
    escalates_to = value.escalates_to.strip() or None
    if escalates_to is not None and (
        not is_valid_code(escalates_to)
        or escalates_to not in context.regions
        or len(escalates_to) >= len(region)
        or is_city_without_counties(escalates_to)
    ):
        fail("escalates_to", _("Give the code of a higher level (county, city or province)."))
    officials = []
    if not value.officials:
        fail("officials", _("Name at least one official responsible."))
    if len(value.officials) > MAX_OFFICIALS:
        fail("officials", _("At most %(n)d officials.") % {"n": MAX_OFFICIALS})
    for index, official in enumerate(value.officials[:MAX_OFFICIALS]):
        officials.append(_check_official(official, index, chain, context, fail))
    note = _clean(value.note)
    _too_long(fail, "note", note, 200)
    if errors:
        return None, errors
    return (
        CheckedEntry(
            region=region,
            sector=value.sector,
            lead_department_id=department.pk if department is not None else None,
            escalates_to=escalates_to,
            note=note,
            officials=officials,
        ),
        {},
    )


def _check_official(
    official: OfficialInput, index: int, chain: list[str], context: EntryContext, fail: Any
) -> dict[str, Any]:
    name, post, phone = _clean(official.name), _clean(official.post), _clean(official.phone)
    label = _("Official %(n)d: ") % {"n": index + 1}
    _too_long(fail, "officials", name, 50, label)
    _too_long(fail, "officials", post, 100, label)
    user = None
    if official.side not in OfficialSide.values:
        fail("officials", _("Official %(n)d: choose the side.") % {"n": index + 1})
    if official.user_id is not None:
        user = context.users.get(official.user_id)
        if (
            user is None
            or user.organisation is None
            or user.organisation.kind == OrganisationKind.ENTERPRISE
            or user.organisation.region_id not in chain
        ):
            fail(
                "officials",
                _("Official %(n)d: choose a user of a body of this division or above it.")
                % {"n": index + 1},
            )
            user = None
        elif not name:
            name = user.display_name[:50]
        if user is not None and not phone:
            phone = (user.phone or "")[:30]
    if not name or not post:
        fail("officials", _("Official %(n)d: give the name and the post.") % {"n": index + 1})
    if phone and not PHONE.match(phone):
        fail("officials", _("Official %(n)d: the phone number is not valid.") % {"n": index + 1})
    return {
        "side": official.side,
        "name": name,
        "post": post,
        "phone": phone,
        "user_id": user.pk if user is not None else None,
        "position": index,
    }


def _context_for(value: EntryInput) -> EntryContext:
    return EntryContext.load(
        region_codes=[value.region.strip(), value.escalates_to.strip()],
        department_ids=[value.lead_department_id] if value.lead_department_id else [],
        user_ids=[o.user_id for o in value.officials if o.user_id is not None],
    )


def _entry_state(entry: ResponsibilityEntry) -> dict[str, Any]:
    return {
        "region": entry.region_id,
        "sector": entry.sector_id,
        "lead_department": entry.lead_department_id,
        "escalates_to": entry.escalates_to_id,
        "note": entry.note,
        "officials": [
            {"side": o.side, "name": o.name, "post": o.post, "phone": o.phone, "user": o.user_id}
            for o in entry.officials.order_by("position", "id")
        ],
    }


def entry_save(
    *,
    actor: Any,
    value: EntryInput,
    entry: ResponsibilityEntry | None = None,
    expected_version: int | None = None,
) -> ResponsibilityEntry:
    """Create an entry (``entry`` None) or replace one's fields and officials, for ``actor``.

    Raises ``NotAllowed`` for a role other than the office's, ``NotFound`` for an entry out
    of scope, ``Invalid`` (per field) for the input or a second entry of the same division and
    sector, ``Conflict`` when the entry changed since ``expected_version``. Writes the audit
    entry; re-checks the scope after saving (a rollback if the entry left it).
    """
    action = "add" if entry is None else "change"
    if not ENTRY_POLICY.user_has_permission(actor, action):
        raise NotAllowed
    checked, errors = entry_check(actor=actor, value=value, context=_context_for(value))
    if checked is None:
        raise Invalid(errors)
    with transaction.atomic():
        before = None
        if entry is not None:
            current = (
                ENTRY_POLICY.instances_user_has_permission_for(actor, "change")
                .select_for_update()
                .filter(pk=entry.pk)
                .first()
            )
            if current is None:
                raise NotFound
            if expected_version is not None and current.version != expected_version:
                raise Conflict
            before = _entry_state(current)
            entry = current
            entry.version += 1
        else:
            entry = ResponsibilityEntry()
        entry.region_id = checked.region
        entry.sector_id = checked.sector
        entry.lead_department_id = checked.lead_department_id
        entry.escalates_to_id = checked.escalates_to
        entry.note = checked.note
        entry.updated_by = actor
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            raise Invalid(
                {"region": [_("This division already has an entry for this sector.")]}
            ) from None
        ResponsibleOfficial.objects.filter(entry=entry).delete()
        ResponsibleOfficial.objects.bulk_create(
            ResponsibleOfficial(entry=entry, **official) for official in checked.officials
        )
        ensure_in_scope(entry, actor)
        record(
            actor=actor,
            action=f"responsibility.entry.{'create' if before is None else 'update'}",
            obj=entry,
            before=before,
            after=_entry_state(entry),
        )
    return entry


def entry_delete(*, actor: Any, entry: ResponsibilityEntry) -> None:
    """Delete an entry and its officials (the chain then follows the division tree there).
    Raises ``NotAllowed`` for another role and ``NotFound`` out of scope."""
    if not ENTRY_POLICY.user_has_permission(actor, "delete"):
        raise NotAllowed
    with transaction.atomic():
        current = (
            ENTRY_POLICY.instances_user_has_permission_for(actor, "delete")
            .select_for_update()
            .filter(pk=entry.pk)
            .first()
        )
        if current is None:
            raise NotFound
        before = _entry_state(current)
        record(actor=actor, action="responsibility.entry.delete", obj=current, before=before)
        current.delete()


def officials_from_rows(rows: Sequence[Mapping[str, Any]]) -> tuple[OfficialInput, ...]:
    """``OfficialInput``s from form rows (``side``, ``name``, ``post``, ``phone``, ``user``),
    skipping blank rows."""
    officials = []
    for row in rows:
        user = row.get("user")
        user_id = getattr(user, "pk", user) or None
        if not (row.get("name") or row.get("post") or row.get("phone") or user_id):
            continue
        officials.append(
            OfficialInput(
                side=str(row.get("side") or ""),
                name=str(row.get("name") or ""),
                post=str(row.get("post") or ""),
                phone=str(row.get("phone") or ""),
                user_id=int(user_id) if user_id else None,
            )
        )
    return tuple(officials)
