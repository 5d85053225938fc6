"""Factories for sites."""

from __future__ import annotations

import factory

from hazardledger.registry.choices import SiteKind, SiteStatus
from hazardledger.registry.models import Site


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"场所{n}")
    kind = SiteKind.FACTORY
    sector_id = "industry_trade"
    region_id = "440106001"
    address = factory.Sequence(lambda n: f"测试路{n}号")
    status = SiteStatus.OPERATING
