"""The statistics return end to end in Chromium: enterprise A's safety officer prepares last
quarter's return from the menu; its principal checks it, signs on the signature pad and
submits; the Guangzhou office finds it in its list of who has filed."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from hazardledger.hazards.tests.factories import record
from hazardledger.reports.choices import ReturnStatus
from hazardledger.reports.models import StatisticsReturn
from hazardledger.reports.periods import period_containing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{page.base_url}/", wait_until="commit")


def _draw(page: Any, canvas_id: str) -> None:
    canvas = page.locator(f"#{canvas_id}")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 8):
        page.mouse.move(x + step * 25, y + (12 if step % 2 else -12))
    page.mouse.up()


def test_officer_prepares_principal_signs_office_sees_it_filed(
    page: Any, users: SimpleNamespace, sites: SimpleNamespace
) -> None:
    quarter = period_containing("quarter", timezone.localdate()).previous()
    key = f"{quarter.year}-Q{quarter.number}"
    record(sites.plant_a, users.officer_a, found_on=quarter.start + timedelta(days=5))

    _as(page, "officer_a")
    page.get_by_test_id("nav-returns").click()
    page.get_by_test_id(f"prepare-{key}").click()
    page.wait_for_url(re.compile(r".*/reports/returns/\d+/$"))
    assert page.get_by_test_id("return-grades").is_visible()
    assert page.get_by_test_id("return-sign").count() == 0  # the officer does not sign

    _as(page, "principal_a")
    statistics_return = StatisticsReturn.objects.get()
    page.goto(f"{page.base_url}{statistics_return.get_absolute_url()}")
    page.get_by_test_id("return-sign").click()
    page.fill("#id_principal_name", "王总")
    _draw(page, "sig-principal")
    page.check("#id_confirm")
    page.get_by_test_id("submit-return").click()
    page.wait_for_url(re.compile(r".*/reports/returns/\d+/$"))
    state = page.get_by_test_id("return-state").get_attribute("data-state")
    statistics_return.refresh_from_db()
    assert statistics_return.status == ReturnStatus.SUBMITTED
    assert state in ("on_time", "late")
    with statistics_return.signature.open("rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"

    _as(page, "manager_a")
    page.goto(f"{page.base_url}/reports/returns/?period={key}")
    row = page.locator("[data-testid=tracking-table] tr", has_text="广州甲化工有限公司")
    assert row.locator(f"[data-state={state}]").count() == 1
