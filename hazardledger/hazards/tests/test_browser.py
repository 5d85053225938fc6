"""End to end in Chromium: a general hazard from recorded to closed by the enterprise, and a
major hazard closed by the regulator after one rejection; the timeline names every actor."""

from __future__ import annotations

import io

import pytest
from PIL import Image

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _png(colour: str) -> dict:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), colour).save(out, format="PNG")
    return {"name": f"{colour}.png", "mimeType": "image/png", "buffer": out.getvalue()}


def _record(page, site, *, grade: str, description: str) -> None:
    page.goto(f"{page.base_url}/hazards/add/?site={site.pk}")
    page.fill("#id_location", "2号储罐区")
    page.fill("#id_description", description)
    page.select_option("#id_category", "equipment")
    page.check(f"input[name=grade][value={grade}]")
    page.select_option("#id_source", "self_inspection")
    if grade == "major":
        page.fill("#id_grade_basis", "危险化学品重大隐患判定标准 第十一条")
        page.check("input[name=interim_measures][value=people_withdrawn]")
        page.check("input[name=interim_measures][value=warnings_posted]")
    page.click("[data-testid=record]")
    page.wait_for_selector("[data-testid=hazard-status][data-status=recorded]")


def _open(page, action: str) -> None:
    page.click(f"[data-testid=action-{action}]")


def _plan(page, *, major: bool) -> None:
    _open(page, "plan")
    page.fill("#id_plan-responsible_unit", "设备部")
    page.fill("#id_plan-responsible_person", "张工")
    page.fill("#id_plan-measures", "更换可燃气体报警器")
    page.fill("#id_plan-funds", "12000")
    page.fill("#id_plan-contingency_plan", "停用2号罐，设置警戒区")
    if major:
        page.fill("#id_plan-governance_programme", "目标、措施、经费、机构、时限、安全措施")
    page.click("[data-testid=submit-plan]")
    # A major hazard's plan waits for the principal's approval (issue 12).
    status = "plan_pending" if major else "rectifying"
    page.wait_for_selector(f"[data-testid=hazard-status][data-status={status}]")


def _submit(page, colour: str) -> None:
    _open(page, "submit")
    page.fill("#id_submit-comment", "已更换并校验")
    page.set_input_files("#id_submit-files", files=[_png(colour)])
    page.click("[data-testid=submit-submit]")
    page.wait_for_selector("[data-testid=hazard-status][data-status=submitted]")


def _switch(page, login, username: str, url: str) -> None:
    page.context.clear_cookies()
    login(username)
    page.goto(url)


def _timeline(page) -> list[tuple[str, str]]:
    events = page.locator("[data-testid=timeline] [data-testid=event]")
    return [
        (
            events.nth(i).get_attribute("data-action"),
            events.nth(i).locator("[data-testid=actor]").inner_text(),
        )
        for i in range(events.count())
    ]


def test_general_hazard_recorded_to_closed_by_the_enterprise(page, login, users, sites):
    officer = users.officer_a.display_name
    login("officer_a")
    _record(page, sites.plant_a, grade="general", description="储罐区可燃气体报警器失效")
    _plan(page, major=False)
    _submit(page, "green")
    assert page.locator("[data-testid=evidence] img").count() == 1
    _open(page, "accept")
    page.fill("#id_accept-comment", "验收合格")
    page.click("[data-testid=submit-accept]")
    page.wait_for_selector("[data-testid=hazard-status][data-status=closed]")
    assert _timeline(page) == [
        ("record", officer),
        ("plan", officer),
        ("submit", officer),
        ("accept", officer),
    ]


def test_major_hazard_closed_by_the_inspector_after_a_rejection(page, login, users, sites):
    officer, inspector = users.officer_a.display_name, users.inspector_a.display_name
    login("officer_a")
    _record(page, sites.plant_a, grade="major", description="储罐区防火堤破损，泄漏可能外溢")
    url = page.url
    _plan(page, major=True)
    _switch(page, login, "principal_a", url)
    _open(page, "approve_plan")
    page.click("[data-testid=submit-approve_plan]")
    page.wait_for_selector("[data-testid=hazard-status][data-status=rectifying]")
    _switch(page, login, "officer_a", url)
    _submit(page, "blue")
    # The enterprise cannot sign off a major hazard: no acceptance form is offered.
    assert page.locator("[data-testid=action-accept]").count() == 0

    _switch(page, login, "inspector_a", url)
    _open(page, "reject")
    page.fill("#id_reject-comment", "防火堤修补未附检测报告")
    page.click("[data-testid=submit-reject]")
    page.wait_for_selector("[data-testid=hazard-status][data-status=rectifying]")

    _switch(page, login, "officer_a", url)
    _submit(page, "yellow")

    _switch(page, login, "inspector_a", url)
    _open(page, "accept")
    page.fill("#id_accept-comment", "现场复核合格，同意销号")
    page.click("[data-testid=submit-accept]")
    page.wait_for_selector("[data-testid=hazard-status][data-status=closed]")
    # Issue 12: the principal's approval of the major hazard's plan is a step of its history.
    assert _timeline(page) == [
        ("record", officer),
        ("plan", officer),
        ("approve_plan", users.principal_a.display_name),
        ("submit", officer),
        ("reject", inspector),
        ("submit", officer),
        ("accept", inspector),
    ]
    assert "防火堤修补未附检测报告" in page.locator("[data-testid=timeline]").inner_text()
