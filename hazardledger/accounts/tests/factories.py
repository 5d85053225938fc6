"""Factories for organisations and users."""

from __future__ import annotations

import factory

from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.accounts.models import Organisation, User


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"单位{n}")
    kind = OrganisationKind.ENTERPRISE
    region_id = "4401"

    @factory.post_generation
    def sectors(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.sectors.set(extracted)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.ENTERPRISE_OFFICER
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.django.Password("pw")
