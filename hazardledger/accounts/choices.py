"""Organisation kinds and user roles (the table in product.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    TOWNSHIP = "township", _("Township / street office")
    DEPARTMENT = "department", _("Sector department")
    OFFICE = "office", _("Safety committee office")
    LEADERSHIP = "leadership", _("Party committee / government")
    SYSTEM = "system", _("System")


class Role(models.TextChoices):
    ENTERPRISE_WORKER = "enterprise_worker", _("Enterprise worker")
    ENTERPRISE_OFFICER = "enterprise_officer", _("Enterprise safety officer")
    ENTERPRISE_PRINCIPAL = "enterprise_principal", _("Enterprise principal")
    GRID_WORKER = "grid_worker", _("Grid worker / township official")
    INSPECTOR = "inspector", _("Regulator inspector")
    OFFICE = "office", _("Safety committee office")
    LEADER = "leader", _("Leader")
    ADMINISTRATOR = "administrator", _("Administrator")


# Which roles a user of each organisation kind may hold.
ROLES_BY_KIND: dict[str, set[str]] = {
    OrganisationKind.ENTERPRISE: {
        Role.ENTERPRISE_WORKER,
        Role.ENTERPRISE_OFFICER,
        Role.ENTERPRISE_PRINCIPAL,
    },
    OrganisationKind.TOWNSHIP: {Role.GRID_WORKER, Role.LEADER},
    OrganisationKind.DEPARTMENT: {Role.INSPECTOR, Role.LEADER},
    OrganisationKind.OFFICE: {Role.OFFICE, Role.LEADER},
    OrganisationKind.LEADERSHIP: {Role.LEADER},
    OrganisationKind.SYSTEM: {Role.ADMINISTRATOR},
}

ENTERPRISE_ROLES = ROLES_BY_KIND[OrganisationKind.ENTERPRISE]
