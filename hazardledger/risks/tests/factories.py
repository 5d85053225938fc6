"""Factories for risk points and controls. Assessments are made with the real service
(``risk_point_assess``) so that test data is graded exactly as in use."""

from __future__ import annotations

import factory

from hazardledger.registry.tests.factories import SiteFactory
from hazardledger.risks.choices import ControlKind, ControlLevel, HazardType, RiskPointKind
from hazardledger.risks.models import ControlMeasure, RiskPoint


class RiskPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskPoint

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"风险点{n}")
    kind = RiskPointKind.PLACE
    location = "储罐区"
    hazard_types = factory.LazyFunction(lambda: [HazardType.FIRE, HazardType.OTHER_EXPLOSION])
    consequences = "火灾、爆炸，可能造成人员伤亡"
    region_id = factory.SelfAttribute("site.region_id")
    sector_id = factory.SelfAttribute("site.sector_id")
    organisation_id = factory.SelfAttribute("site.organisation_id")


class ControlMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ControlMeasure

    risk_point = factory.SubFactory(RiskPointFactory)
    kind = ControlKind.ENGINEERING
    description = factory.Sequence(lambda n: f"设置可燃气体检测报警仪{n}")
    level = ControlLevel.WORKSHOP
    responsible_person = "张工"
    region_id = factory.SelfAttribute("risk_point.region_id")
    sector_id = factory.SelfAttribute("risk_point.sector_id")
    organisation_id = factory.SelfAttribute("risk_point.organisation_id")
