"""End to end in Chromium under the Content-Security-Policy: the pages whose scripts moved to
static files still work, no page trips the policy, and a locked-out login says so.

Selectors use ids and data attributes, not text, so the tests hold in both languages.
"""

from __future__ import annotations

import pytest

from hazardledger.risks.models import ControlMeasure
from hazardledger.risks.tests.factories import ControlMeasureFactory, RiskPointFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def violations(page):
    """Everything the browser refused under the policy, and every uncaught script error."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def test_language_switch_and_status_filter_submit_without_inline_handlers(
    page, login, users, violations
):
    login("inspector_a")
    page.goto(f"{page.base_url}/inspections/")
    with page.expect_navigation():
        page.select_option("main select[name=status]", "submitted")
    assert "status=submitted" in page.url

    with page.expect_navigation():
        page.select_option("nav select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert violations == []


def test_assessment_form_shows_only_the_chosen_methods_fields(
    page, login, users, sites, violations
):
    point = RiskPointFactory(site=sites.plant_a)
    login("officer_a")
    page.goto(f"{page.base_url}/risks/{point.pk}/assess/")
    page.select_option("#id_method", "matrix")
    assert page.locator("#lec-fields").is_hidden()
    assert page.locator("#matrix-fields").is_visible()
    page.select_option("#id_method", "lec")
    assert page.locator("#lec-fields").is_visible()
    assert page.locator("#matrix-fields").is_hidden()
    assert violations == []


def test_removing_a_control_measure_asks_first(page, login, users, sites, violations):
    control = ControlMeasureFactory(risk_point=RiskPointFactory(site=sites.plant_a))
    login("officer_a")
    page.goto(f"{page.base_url}/risks/{control.risk_point_id}/")
    remove = f"form[action$='/controls/{control.pk}/delete/'] button[type=submit]"

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click(remove)
    page.wait_for_timeout(300)
    assert ControlMeasure.objects.filter(pk=control.pk).exists()

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click(remove)
    assert not ControlMeasure.objects.filter(pk=control.pk).exists()
    assert violations == []


def test_quick_report_and_main_pages_load_without_policy_violations(
    page, login, users, sites, violations
):
    login("grid")
    for path in ["/", "/sites/", "/hazards/", "/hazards/report/", "/risks/", "/inspections/"]:
        page.goto(f"{page.base_url}{path}")
        page.wait_for_load_state("load")
    assert page.locator("script[src$='hazards/quickreport.js']").count() == 0  # left that page
    page.goto(f"{page.base_url}/hazards/report/")
    assert page.locator("script[src$='hazards/quickreport.js']").count() == 1
    assert violations == []


def test_a_locked_out_login_shows_the_message(page, users, settings, violations):
    settings.AXES_FAILURE_LIMIT = 2
    page.goto(f"{page.base_url}/accounts/login/")
    for password in ["wrong", "wrong", "pw"]:
        page.fill("#id_username", "manager_a")
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
    assert page.locator("[data-testid=lockout]").is_visible()
    assert page.url.endswith("/accounts/login/")
    assert violations == []
