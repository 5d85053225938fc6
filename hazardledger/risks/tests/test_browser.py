"""End to end in Chromium: an enterprise officer grades a risk point and prints its notice
card; a city inspector sees the sites in scope that are overdue for inspection.

Selectors use ids, hrefs and data attributes, not text, so the tests hold in both languages.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hazardledger.registry.models import Site
from hazardledger.registry.tests.factories import SiteFactory
from hazardledger.risks.models import ControlMeasure, RiskPoint, SiteInspectionSchedule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBMIT = "main form[method=post] button[type=submit]"


def _add_control(page, kind, description, level, person):
    page.click("a[href$='/controls/add/']")
    page.select_option("#id_kind", kind)
    page.fill("#id_description", description)
    page.select_option("#id_level", level)
    page.fill("#id_responsible_person", person)
    page.click(SUBMIT)
    page.wait_for_selector(f"#controls ~ ul .control-item:has-text('{description}')")


def test_officer_grades_a_risk_point_and_prints_its_card(page, login, users, sites):
    login("officer_a")
    page.goto(f"{page.base_url}/sites/{sites.plant_a.pk}/")
    page.click(f"[data-testid=site-risk-block] a[href$='/risks/sites/{sites.plant_a.pk}/']")
    page.click(f"a[href$='/risks/sites/{sites.plant_a.pk}/add/']")

    page.fill("#id_name", "2号储罐区")
    page.fill("#id_location", "罐区南侧")
    page.check("input[name=hazard_types][value=fire]")
    page.check("input[name=hazard_types][value=other_explosion]")
    page.fill("#id_consequences", "泄漏遇明火引发火灾爆炸")
    page.click(SUBMIT)
    page.wait_for_selector("[data-testid=riskpoint-grade] .risk-none")
    point = RiskPoint.objects.get(name="2号储罐区")

    page.click("a[href$='/assess/']")
    page.select_option("#id_method", "lec")
    page.select_option("#id_l", "6")
    page.select_option("#id_e", "6")
    page.select_option("#id_c", "7")
    page.wait_for_selector("[data-testid=assessment-preview] .risk-large")  # live preview
    page.click(SUBMIT)
    page.wait_for_selector("[data-testid=riskpoint-grade] .risk-large")
    assert Site.objects.get(pk=sites.plant_a.pk).risk_level == "large"

    _add_control(page, "engineering", "储罐设置高液位报警和紧急切断", "workshop", "张伟")
    _add_control(page, "emergency", "泄漏时启动喷淋并疏散人员", "company", "李娜")
    assert ControlMeasure.objects.filter(risk_point=point).count() == 2

    card_url = page.get_attribute("#card-link", "href")
    response = page.request.get(f"{page.base_url}{card_url}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    assert len(body) > 10_000  # fonts embedded: a real card, not an empty page


def test_inspector_sees_overdue_sites_in_scope(page, login, users, sites, orgs):
    today = timezone.localdate()
    Site.objects.filter(pk=sites.plant_a.pk).update(risk_level="major")
    SiteInspectionSchedule.objects.create(
        site=sites.plant_a,
        region_id=sites.plant_a.region_id,
        sector_id=sites.plant_a.sector_id,
        organisation_id=sites.plant_a.organisation_id,
        last_inspected_on=today - timedelta(days=45),  # monthly for major: overdue
    )
    Site.objects.filter(pk=sites.factory_b.pk).update(risk_level="low")
    SiteInspectionSchedule.objects.create(
        site=sites.factory_b,
        region_id=sites.factory_b.region_id,
        sector_id=sites.factory_b.sector_id,
        organisation_id=sites.factory_b.organisation_id,
        last_inspected_on=today - timedelta(days=45),  # yearly for low: not due
    )
    SiteFactory(name="深圳重大风险厂", risk_level="major", region_id="440305001")  # out of scope

    login("inspector_a")
    page.goto(f"{page.base_url}/risks/inspections-due/?show=overdue")
    rows = page.locator("table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    assert page.locator("tr[data-status=overdue]:has-text('甲化工储罐区')").count() == 1

    # Recording today's inspection takes the site off the list.
    page.click("tr[data-status=overdue] button[type=submit]")
    page.wait_for_selector("[role=status]")
    assert SiteInspectionSchedule.objects.get(site=sites.plant_a).last_inspected_on == today
