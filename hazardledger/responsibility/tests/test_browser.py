"""Issue 14's acceptance in Chromium, through the real pages: a Guangzhou hazard of enterprise
A has escalated to the city; the Guangzhou safety committee office (``gz-office``) finds it in
"Escalated to us" with the reason, and urges the enterprise from the hazard's page; enterprise
A's safety officer (``ent-a``) finds the urging in the "Urged" section of the queue, and in the
bell."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from hazardledger.accounts.choices import Role
from hazardledger.accounts.tests.factories import UserFactory
from hazardledger.hazards.choices import HazardGrade
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.models import HazardEvent
from hazardledger.hazards.services import hazard_record
from hazardledger.hazards.tests.factories import hazard_data
from hazardledger.responsibility.models import EscalationStep
from hazardledger.responsibility.services.escalation import escalation_tick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESSAGE = "请于三日内报送2号罐区整改进展"


def _as(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{page.base_url}/", wait_until="commit")


def test_gz_office_urges_an_escalated_hazard_and_ent_a_sees_it(page, users, orgs, chain):
    UserFactory(username="gz-office", role=Role.OFFICE, organisation=orgs.gz_office)
    UserFactory(username="ent-a", role=Role.ENTERPRISE_OFFICER, organisation=orgs.ent_a)
    # A major hazard the Guangzhou inspector found 20 days ago, 12 days past its deadline.
    found = local_today() - timedelta(days=20)
    with time_machine.travel(timezone.now() - timedelta(days=20), tick=False):
        hazard = hazard_record(
            actor=users.inspector_a,
            site_id=chain.site.pk,
            data=hazard_data(
                HazardGrade.MAJOR,
                found_on=found,
                deadline=found + timedelta(days=8),
                source="regulatory_inspection",
            ),
        )
    escalation_tick(workers=1)
    assert list(
        EscalationStep.objects.filter(hazard=hazard).order_by("pk").values_list("step", flat=True)
    ) == ["due", "county", "city"]

    _as(page, "gz-office")
    page.goto(f"{page.base_url}/hazards/queue/")
    section = page.locator("[data-testid=queue-escalated]")
    assert section.locator(f"a[href='/hazards/{hazard.pk}/']").count() == 1
    note = section.locator("[data-testid=queue-note]").first.inner_text()
    assert "12" in note  # overdue days, and the step that brought it here
    section.locator(f"a[href='/hazards/{hazard.pk}/']").click()
    page.wait_for_url(re.compile(rf".*/hazards/{hazard.pk}/$"))
    escalation = page.locator("[data-testid=hazard-escalation]")
    assert escalation.locator("[data-testid=escalation-step]").count() == 3
    page.fill("[data-testid=urge-form] textarea[name=message]", MESSAGE)
    page.click("[data-testid=urge]")
    page.wait_for_url(re.compile(rf".*/hazards/{hazard.pk}/$"))
    assert page.locator("[data-testid=urged]").count() == 1
    timeline = page.locator("[data-testid=timeline] [data-action=urge]")
    assert MESSAGE in timeline.inner_text()
    assert HazardEvent.objects.filter(hazard=hazard, action="urge").count() == 1

    _as(page, "ent-a")
    bell = page.locator("[data-testid=notice-count]")
    bell.wait_for()
    assert int(bell.get_attribute("data-count")) >= 1
    page.goto(f"{page.base_url}/hazards/queue/")
    urged = page.locator("[data-testid=queue-urged]")
    assert urged.locator(f"a[href='/hazards/{hazard.pk}/']").count() == 1
    assert MESSAGE in urged.inner_text()
    page.click("[data-testid=notice-bell]")
    page.wait_for_url(re.compile(r".*/notifications/.*"))
    assert MESSAGE in page.locator("[data-testid=notice-list]").inner_text()
