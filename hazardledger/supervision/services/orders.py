"""Issuing rectification orders (责令限期整改指令书).

An inspector issues one order from a regulatory inspection that found hazards: it gets the next
document number of the inspector's body for the year, names each hazard with its legal basis
and deadline, and moves each hazard's deadline through the workflow's ``order`` action, so the
order is an event in every hazard's history.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from hazardledger.audit.services import record
from hazardledger.core.errors import Invalid, NotAllowed
from hazardledger.core.images import UnreadableImage, image_check
from hazardledger.core.outbox import outbox_write
from hazardledger.core.uploads import save_on_commit
from hazardledger.hazards.choices import OPEN_STATUSES
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.selectors import hazard_list
from hazardledger.hazards.workflow import OrderInput, hazard_transition
from hazardledger.inspections.choices import REGULATORY_KINDS, InspectionStatus
from hazardledger.inspections.models import Inspection

from ..constants import SIGNATURE_MAX_BYTES
from ..models import OrderItem, OrderSequence, RectificationOrder
from ..policies import ORDER_POLICY

IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


@dataclass(frozen=True)
class SignatureImage:
    """A checked signature picture: its bytes and the extension it is stored with."""

    data: bytes
    extension: str


@dataclass(frozen=True)
class OrderHazard:
    """One hazard as the issue form names it: the legal basis and deadline the order states."""

    hazard: Hazard
    basis: str
    deadline: date


def signature_from_bytes(data: bytes) -> SignatureImage:
    """The signature ``data`` once it is a JPEG, PNG or WebP picture (by its content, not its
    name) within ``SIGNATURE_MAX_BYTES`` and the pixel limits of ``core.images``.

    Raises ``ValidationError`` otherwise; nothing is decoded.
    """
    label = _("The representative's signature")
    if len(data) > SIGNATURE_MAX_BYTES:
        raise ValidationError(
            _("%(what)s is larger than %(limit)d KB.")
            % {"what": label, "limit": SIGNATURE_MAX_BYTES // 1024}
        )
    guess = filetype.guess(data[:8192])
    mime = guess.mime if guess else ""
    if mime not in IMAGE_TYPES:
        raise ValidationError(_("%(what)s is not a JPEG, PNG or WebP image.") % {"what": label})
    try:
        image_check(data, label=label)
    except UnreadableImage as exc:
        raise ValidationError(_("%(what)s cannot be opened.") % {"what": label}) from exc
    return SignatureImage(data=data, extension=IMAGE_TYPES[mime])


def signature_from_data_url(value: str) -> SignatureImage:
    """The signature drawn on the page (a ``data:image/png;base64,…`` URL), checked as
    ``signature_from_bytes`` does. Raises ``ValidationError`` for anything else."""
    label = _("The representative's signature")
    # A base64 payload is 4/3 of the bytes: refuse a longer string before decoding it.
    if (
        not value.startswith("data:")
        or "," not in value
        or len(value) > SIGNATURE_MAX_BYTES * 4 // 3 + 100
    ):
        raise ValidationError(_("%(what)s is not an image.") % {"what": label})
    header, payload = value.split(",", 1)
    if ";base64" not in header:
        raise ValidationError(_("%(what)s is not an image.") % {"what": label})
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(_("%(what)s is not an image.") % {"what": label}) from exc
    return signature_from_bytes(data)


def order_issuable_hazards(*, inspection: Inspection, user: Any) -> QuerySet[Hazard]:
    """The open hazards ``inspection`` recorded that ``user`` may see: what an order from it
    may name. Ordered major first, then as recorded."""
    return (
        hazard_list(user=user)
        .filter(inspection_draft__inspection=inspection, status__in=OPEN_STATUSES)
        .select_related("inspection_draft")
        .order_by("-grade", "id")
    )


def hazard_order_basis(hazard: Hazard) -> str:
    """The legal basis an order cites for ``hazard`` by default: its recorded basis (for a
    major hazard the determination standard's clause, then the checklist item's basis), else
    the basis of the checklist item it failed."""
    if hazard.grade_basis:
        return hazard.grade_basis
    draft = getattr(hazard, "inspection_draft", None)
    return draft.basis if draft is not None else ""


def order_next_serial(*, organisation: Any, year: int) -> int:
    """The next serial number of ``organisation``'s orders in ``year``, starting at 1.

    Runs in the caller's transaction: the sequence row is created if missing (a concurrent
    creation is caught by its unique constraint, and the row then read), raised by one with a
    single ``UPDATE … SET last_serial = last_serial + 1``, which holds the row's lock until the
    caller commits, so two issuers of one body never read the same number; if the caller
    rolls back, the number is given again.
    """
    with transaction.atomic():
        sequence, _created = OrderSequence.objects.get_or_create(
            organisation=organisation, year=year
        )
        OrderSequence.objects.filter(pk=sequence.pk).update(last_serial=F("last_serial") + 1)
        return OrderSequence.objects.values_list("last_serial", flat=True).get(pk=sequence.pk)


def order_document_number(*, prefix: str, year: int, serial: int) -> str:
    """The document number as printed: ``穗应急责改〔2026〕12号``."""
    return f"{prefix}〔{year}〕{serial}号"


def _inspectors(inspection: Inspection, actor: Any) -> list[dict[str, Any]]:
    """The inspectors the order names (the inspection's, and the issuer), each with the
    enforcement ID number they must have. Raises ``Invalid`` naming those without one."""
    people = list(inspection.inspectors.order_by("id"))
    if all(person.pk != actor.pk for person in people):
        people.append(actor)
    missing = [person.display_name for person in people if not person.enforcement_id.strip()]
    if missing:
        raise Invalid(
            _(
                "An order names its inspectors with their enforcement ID numbers, and %(names)s "
                "has none: ask an administrator to record it first."
            )
            % {"names": "、".join(missing)}
        )
    return [
        {"id": person.pk, "name": person.display_name, "enforcement_id": person.enforcement_id}
        for person in people
    ]


def _check_issue(
    *, inspection: Inspection, actor: Any, hazards: Sequence[OrderHazard], issued_on: date
) -> None:
    """The preconditions of ``order_issue``; raises ``NotAllowed`` or ``Invalid``."""
    if not ORDER_POLICY.user_has_permission(actor, "add"):
        raise NotAllowed(_("Only an inspector issues rectification orders."))
    if inspection.kind not in REGULATORY_KINDS or inspection.status != InspectionStatus.SUBMITTED:
        raise Invalid(_("An order is issued from a submitted regulatory inspection."))
    organisation = getattr(actor, "organisation", None)
    if organisation is None or not organisation.order_prefix.strip():
        raise Invalid(
            _(
                "Your organisation has no document number prefix for rectification orders, "
                "so it cannot issue them yet: ask an administrator to set it."
            )
        )
    if not hazards:
        raise Invalid({"hazards": [_("Choose at least one hazard for the order.")]})
    allowed = set(
        order_issuable_hazards(inspection=inspection, user=actor).values_list("pk", flat=True)
    )
    errors: dict[str, list[str]] = {}
    for entry in hazards:
        if entry.hazard.pk not in allowed:
            errors.setdefault("hazards", []).append(
                _("Hazard %(id)s is not an open hazard of this inspection.")
                % {"id": entry.hazard.pk}
            )
        if entry.deadline < issued_on:
            errors.setdefault("hazards", []).append(
                _("The deadline of hazard %(id)s is before the order's date.")
                % {"id": entry.hazard.pk}
            )
        if not entry.basis.strip():
            errors.setdefault("hazards", []).append(
                _("Hazard %(id)s needs its legal basis.") % {"id": entry.hazard.pk}
            )
    if errors:
        raise Invalid(errors)


def order_issue(
    *,
    inspection: Inspection,
    actor: Any,
    hazards: Sequence[OrderHazard],
    place: str,
    completion_report: str,
    representative: str,
    signature: SignatureImage,
    issued_on: date,
) -> RectificationOrder:
    """Issue a rectification order from ``inspection`` for ``hazards`` and return it.

    ``actor`` must be an inspector (the view has fetched the inspection through their scope);
    the order is issued in their organisation's name, which needs an ``order_prefix``, and
    names the inspection's inspectors and the actor, each with an enforcement ID number.
    A plain ``atomic()`` block: the view opens the durable transaction.

    Steps:
    1. check the preconditions (``NotAllowed``, ``Invalid`` per field);
    2. take the body's next serial for the year (``order_next_serial``: locked, never
       repeated) and make the document number;
    3. write the order (the signature is stored on commit) and one item per hazard;
    4. for each hazard, the workflow's ``order`` action with the order's id, number and the
       hazard's deadline (a stale hazard raises ``ConcurrentEditError``, and nothing is kept);
    5. the audit entry and the outbox event ``supervision.rectificationorder.issue``.
    """
    _check_issue(inspection=inspection, actor=actor, hazards=hazards, issued_on=issued_on)
    inspectors = _inspectors(inspection, actor)
    organisation = actor.organisation
    site = inspection.site
    with transaction.atomic():
        year = issued_on.year
        serial = order_next_serial(organisation=organisation, year=year)
        order = RectificationOrder(
            inspection=inspection,
            site=site,
            issuing_body=organisation,
            issuing_body_name=organisation.name,
            enterprise_name=site.organisation.name if site.organisation else site.name,
            year=year,
            serial=serial,
            document_number=order_document_number(
                prefix=organisation.order_prefix.strip(), year=year, serial=serial
            ),
            issued_on=issued_on,
            inspected_on=(
                inspection.started_at.date() if inspection.started_at else inspection.planned_on
            ),
            place=place,
            completion_report=completion_report,
            inspectors=inspectors,
            representative=representative,
            issued_by=actor,
            issued_by_name=actor.display_name,
        )
        order.copy_scope_from(site)
        digest = hashlib.sha256(signature.data).hexdigest()[:16]
        save_on_commit(
            order.signature, ContentFile(signature.data, f"{digest}.{signature.extension}")
        )
        order.save()
        for position, entry in enumerate(hazards, start=1):
            hazard = entry.hazard
            OrderItem.objects.create(
                order=order,
                hazard=hazard,
                position=position,
                description=hazard.description,
                location=hazard.location,
                grade=hazard.grade,
                basis=entry.basis.strip(),
                deadline=entry.deadline,
            )
            hazard_transition(
                hazard=hazard,
                action="order",
                actor=actor,
                expected_version=hazard.version,
                data=OrderInput(
                    order_id=order.pk,
                    document_number=order.document_number,
                    deadline=entry.deadline,
                ),
            )
        summary = {
            "document_number": order.document_number,
            "inspection_id": inspection.pk,
            "hazard_ids": [entry.hazard.pk for entry in hazards],
        }
        record(actor=actor, action="supervision.rectificationorder.issue", obj=order, after=summary)
        outbox_write(
            topic="supervision.rectificationorder.issue", obj=order, actor=actor, data=summary
        )
    return order
