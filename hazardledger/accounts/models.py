"""Organisations and the users who act for them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hazardledger.core.models import TimeStampedModel
from hazardledger.regions.choices import DepartmentKind

from .choices import ROLES_BY_KIND, OrganisationKind, Role


class Organisation(TimeStampedModel):
    """A body users act for. Its region and sectors are its scope.

    An enterprise's scope is its own sites, whatever its region. Other kinds see everything
    under their region, limited to ``sectors`` unless ``all_sectors`` is set (offices,
    leadership, townships and the system organisation cover every sector).
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    all_sectors = models.BooleanField(_("all sectors"), default=False)
    sectors = models.ManyToManyField("regions.Sector", verbose_name=_("sectors"), blank=True)
    department_kind = models.CharField(
        _("department kind"), max_length=30, choices=DepartmentKind.choices, blank=True
    )
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, default=""
    )
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # The fixed part of its rectification orders' document numbers ("穗应急责改"): with it a
    # body issues "穗应急责改〔2026〕12号"; without it, it cannot issue orders.
    order_prefix = models.CharField(_("order number prefix"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="accounts_organisation_unique_credit_code",
            ),
        ]
        indexes = [models.Index(fields=["kind", "region"], name="accounts_org_kind_region")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_enterprise(self) -> bool:
        return self.kind == OrganisationKind.ENTERPRISE

    def clean(self) -> None:
        if self.kind == OrganisationKind.DEPARTMENT and not self.department_kind:
            raise ValidationError({"department_kind": _("A sector department needs its kind.")})


class User(AbstractUser):
    """A person who signs in, acting for one organisation in one role."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # An inspector's law-enforcement ID number, printed on the orders they issue.
    enforcement_id = models.CharField(_("enforcement ID number"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.organisation_id and self.role:
            assert self.organisation is not None  # organisation_id is set
            allowed = ROLES_BY_KIND.get(self.organisation.kind, set())
            if self.role not in allowed:
                raise ValidationError(
                    {"role": _("This role does not fit the user's organisation kind.")}
                )
        if self.role and not self.organisation_id and not self.is_superuser:
            raise ValidationError({"organisation": _("A user with a role needs an organisation.")})
