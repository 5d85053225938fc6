"""Constants of the registry: its audit actions and which site fields decide supervision."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Every field a site service writes (``site_create`` / ``site_update`` and the import).
SITE_FIELDS = (
    "name",
    "kind",
    "mine_type",
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

# The fields that decide who supervises a site and how: changing any of them needs the site
# policy's "change_scope" (an enterprise keeps its own site's details but never moves it).
SUPERVISION_FIELDS = ("kind", "sector", "region", "organisation", "status")

# The fields whose change moves a site between scopes: the rows other apps keep for the site
# copy them (``site_relocated``), and the change is a relocation, not an ordinary update.
SCOPE_FIELDS = ("region", "sector", "organisation")

# The audit actions of the registry (registered in ``apps.RegistryConfig.ready``); the outbox
# topics carry the same names.
AUDIT_ACTIONS: dict[str, Promise] = {
    "registry.site.create": _("Site registered"),
    "registry.site.update": _("Site changed"),
    "registry.site.relocate": _("Site moved"),
    "registry.site.import": _("Sites imported"),
}
