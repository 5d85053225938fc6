"""The demo province ships the responsibility list complete for Guangzhou (every district and
township, every sector) and at city level for the other twenty cities, and its late hazards
have climbed their chains."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from hazardledger.core.extensions import demo_steps
from hazardledger.hazards.models import Hazard, HazardEvent
from hazardledger.regions.choices import RegionLevel
from hazardledger.regions.models import Region, Sector
from hazardledger.regions.selectors import under_region
from hazardledger.responsibility.models import (
    Escalation,
    EscalationStep,
    ResponsibilityEntry,
    ResponsibleOfficial,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_list_is_complete_for_guangzhou_and_its_hazards_escalated():
    out = io.StringIO()
    call_command("load_demo", "--sites", "200", stdout=out)
    assert "responsibility list entries" in out.getvalue()
    sectors = set(Sector.objects.values_list("code", flat=True))
    entries = set(ResponsibilityEntry.objects.values_list("region_id", "sector_id"))
    guangzhou = Region.objects.filter(
        under_region("code", "4401"), level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP]
    ).values_list("code", flat=True)
    cities = Region.objects.filter(level=RegionLevel.CITY).values_list("code", flat=True)
    wanted = {(code, sector) for code in [*guangzhou, *cities, "44"] for sector in sectors}
    assert len(list(cities)) == 21
    assert wanted <= entries
    # Nothing below the city level outside Guangzhou.
    assert {code for code, _ in entries if len(code) > 4} <= set(guangzhou)
    # Every entry names its party and government officials; Guangzhou's leader has an account.
    assert not ResponsibilityEntry.objects.exclude(officials__side="party").exists()
    assert not ResponsibilityEntry.objects.exclude(officials__side="government").exists()
    assert ResponsibleOfficial.objects.filter(
        entry__region_id="4401", user__username="gz-leader"
    ).exists()
    # Every hazard has its escalation row; the late ones took their steps, once each.
    assert Escalation.objects.count() == Hazard.objects.count()
    steps = EscalationStep.objects.count()
    assert steps > 0
    assert HazardEvent.objects.filter(action="escalate").count() == steps

    # The steps' clears remove what they built (tests that rebuild the demo in one database).
    steps = {step.name: step for step in demo_steps()}
    steps["escalation"].clear()
    assert not EscalationStep.objects.exists() and not Escalation.objects.exists()
    steps["responsibility"].clear()
    assert not ResponsibilityEntry.objects.exists()
    assert not ResponsibleOfficial.objects.exists()
