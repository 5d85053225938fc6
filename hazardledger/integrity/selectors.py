"""Reads of the integrity app."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from hazardledger.access.scope import restrict
from hazardledger.regions.selectors import is_under

from .keys import key_id, public_key_text, signing_key
from .models import Checkpoint


def checkpoint_list(*, fetched_by: Any) -> QuerySet[Checkpoint]:
    """The checkpoints ``fetched_by`` may see (their region in the user's scope), newest
    first."""
    return restrict(Checkpoint.objects.select_related("region"), fetched_by, "view").order_by(
        "-created_at", "-id"
    )


def signing_key_info() -> dict[str, str] | None:
    """This instance's key (id and public key) for the page, or None when none is set."""
    key = signing_key()
    if key is None:
        return None
    public = key.public_key()
    return {"id": key_id(public), "public": public_key_text(public)}


def instance_in_scope(user: Any) -> bool:
    """True when the user's scope covers the region this instance serves (who may take one of
    its checkpoints on demand)."""
    from hazardledger.access.policy import is_unrestricted

    if is_unrestricted(user):
        return True
    organisation = getattr(user, "organisation", None)
    if organisation is None or not organisation.all_sectors:
        return False
    return is_under(str(settings.INTEGRITY_REGION), str(organisation.region_id))
