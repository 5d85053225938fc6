"""Issue 16's acceptance in Chromium, every step through the real pages: the provincial office
issues the pre-flood-season campaign from its template for two cities; Guangzhou's office takes
it up; Wushan street's grid worker finds the self-built house among its tasks and completes the
flood-season inspection on a phone; the coverage of all three levels (the province, Guangzhou,
Tianhe district) moves."""

from __future__ import annotations

import re
from typing import Any

import pytest

from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.accounts.tests.factories import OrganisationFactory, UserFactory
from hazardledger.campaigns.models import Campaign, Task
from hazardledger.inspections.choices import InspectionStatus
from hazardledger.inspections.models import Inspection
from hazardledger.inspections.tests.conftest import checklists, phone  # noqa: F401 - fixtures
from hazardledger.inspections.tests.test_browser import _finish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{page.base_url}/", wait_until="commit")


def _coverage(page: Any, url: str, row: str | None = None) -> str:
    """The coverage shown on a campaign page: the total's, or one region row's."""
    page.goto(url)
    if row is None:
        return str(page.get_by_test_id("total-row").get_by_test_id("inspected").inner_text())
    return str(page.get_by_test_id(f"region-{row}").get_by_test_id("inspected").inner_text())


def test_a_pre_flood_campaign_from_the_province_to_a_street_and_back(
    page,
    phone,  # noqa: F811 - the inspections app's fixture
    orgs,
    sites,
    checklists,  # noqa: F811
):
    province = OrganisationFactory(
        name="广东省安委办", kind=OrganisationKind.OFFICE, region_id="44", all_sectors=True
    )
    UserFactory(username="gd-office", role=Role.OFFICE, organisation=province)
    UserFactory(username="gz-office", role=Role.OFFICE, organisation=orgs.gz_office)
    UserFactory(username="th-grid", role=Role.GRID_WORKER, organisation=orgs.wushan)

    # The province: one action from the template, for Guangzhou and Shenzhen.
    _as(page, "gd-office")
    page.get_by_test_id("nav-campaigns").click()
    page.get_by_test_id("campaign-template").click()
    page.select_option("#id_template", "pre_flood")
    page.select_option("#id_regions", ["4401", "4403"])
    assert page.locator("#id_hand_down").is_checked()
    page.get_by_test_id("issue-from-template").click()
    page.wait_for_url(re.compile(r".*/campaigns/\d+/$"))
    root = Campaign.objects.get(parent__isnull=True)
    assert root.template == "pre_flood" and root.checklist_codes == ["flood_season"]
    assert sorted(root.delegated.values_list("code", flat=True)) == ["4401", "4403"]
    root_url = page.url
    assert page.get_by_test_id("region-4401").get_by_test_id("laggard").count() == 0

    # Guangzhou takes it up for the city and keeps the tasks itself.
    _as(page, "gz-office")
    page.goto(root_url)
    page.get_by_test_id("take-up").click()
    page.wait_for_url("**/take-up/")
    page.get_by_test_id("take-up-submit").click()
    page.wait_for_url(re.compile(r".*/campaigns/\d+/$"))
    city = Campaign.objects.get(parent=root)
    city_url = page.url
    house = Task.objects.get(root=root, site=sites.house)
    assert house.campaign == city and house.responsible == orgs.wushan

    before = {
        "province": _coverage(page, root_url),
        "city": _coverage(page, city_url),
        "county": _coverage(page, f"{city_url}?at=440106", "440106001"),
    }
    assert before["city"] == "0" and before["county"] == "0"

    # Wushan's grid worker finds the house among its tasks and inspects it on a phone.
    phone.goto(f"{phone.base_url}/accounts/login/")
    phone.fill("#id_username", "th-grid")
    phone.fill("#id_password", "pw")
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{phone.base_url}/", wait_until="commit")
    phone.goto(f"{phone.base_url}/campaigns/tasks/")
    phone.get_by_test_id(f"inspect-{sites.house.pk}").click()
    phone.wait_for_url(re.compile(r".*/inspections/\d+/conduct/$"))
    phone.locator("#net-status").wait_for()
    _finish(phone)
    phone.wait_for_url(re.compile(r".*/inspections/\d+/$"))
    inspection = Inspection.objects.get(site=sites.house)
    assert inspection.status == InspectionStatus.SUBMITTED
    assert inspection.kind == "campaign" and inspection.checklist.code == "flood_season"

    # All three levels moved: the province's total, Guangzhou's, and Tianhe's row.
    _as(page, "gd-office")
    assert _coverage(page, root_url) == str(int(before["province"]) + 1)
    assert _coverage(page, root_url, "4401") == "1"
    _as(page, "gz-office")
    assert _coverage(page, city_url) == "1"
    assert _coverage(page, city_url, "440106") == "1"
    assert _coverage(page, f"{city_url}?at=440106", "440106001") == "1"
    assert (
        page.get_by_test_id("region-440106001").get_by_test_id("coverage").inner_text() == "100.0%"
    )
