"""Issue 11, item 4, on a phone (390 x 844) in Chromium: lists are cards, not tables squeezed
to one character per line; buttons keep their labels centred; the site page offers "start an
inspection" without scrolling to those who inspect; a worker's home page leads with "report a
hazard"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hazardledger.accounts.choices import Role
from hazardledger.accounts.tests.factories import UserFactory
from hazardledger.hazards.choices import HazardGrade
from hazardledger.hazards.tests.factories import record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# Every text of the list, with the width of the block that lays it out (the nearest ancestor
# that is not inline or inline-block: a badge is part of its line). A table squeezed onto a
# phone sets its column headers and cells one character per line, in blocks of 10 to 30 px.
NARROW_TEXT = """(root) => {
  const blocks = new Set(["block", "table-cell", "list-item", "flex", "grid", "flow-root"]);
  const found = [];
  const walker = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (!text || !node.parentElement.checkVisibility()) continue;
    // A header row kept for screen readers only (1 px high) is not laid out for reading.
    const head = node.parentElement.closest("thead");
    if (head && head.getBoundingClientRect().height <= 1) continue;
    let block = node.parentElement;
    while (!blocks.has(getComputedStyle(block).display)) block = block.parentElement;
    const width = block.getBoundingClientRect().width;
    if (width < 40) found.push(`${text} (${Math.round(width)} px)`);
  }
  return found;
}"""

# Each card as its cells' labels (the ::before the stylesheet shows) and texts; the title
# cell, which has no label, under "title".
CARDS = """(table) => Array.from(document.querySelectorAll(`${table} tbody tr`)).map(row => {
  const card = {width: row.getBoundingClientRect().width};
  for (const cell of row.cells) {
    if (!cell.checkVisibility()) continue;
    const label = getComputedStyle(cell, "::before").content;
    const key = label && label !== "none" ? label.replace(/^"|"$/g, "") : "title";
    card[key] = cell.innerText.trim();
  }
  return card;
})"""


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    yield tab
    context.close()


def _sign_in(tab, username: str) -> None:
    tab.context.clear_cookies()
    tab.goto(f"{tab.base_url}/accounts/login/")
    tab.fill("#id_username", username)
    tab.fill("#id_password", "pw")
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{tab.base_url}/", wait_until="commit")


def test_the_ledger_and_the_site_list_read_as_cards(phone, users, sites):
    major = record(sites.plant_a, users.inspector_a, HazardGrade.MAJOR, location="2号储罐区")
    record(sites.factory_b, users.inspector_a, description="车间安全出口堵塞")
    _sign_in(phone, "manager_a")

    phone.goto(f"{phone.base_url}/hazards/")
    assert phone.evaluate(NARROW_TEXT, "#hazard-results") == []
    assert phone.locator("#hazard-results thead").bounding_box()["height"] <= 1
    cards = {card["title"].split()[0]: card for card in phone.evaluate(CARDS, "#hazard-results")}
    assert set(cards) == {f"#{major.pk}", f"#{major.pk + 1}"}
    card = cards[f"#{major.pk}"]
    assert card["width"] > 340  # a card across the screen, not a column
    assert card["title"].startswith(f"#{major.pk} 储罐区可燃气体报警器失效")
    assert "2号储罐区" in card["title"]
    assert card["监管对象"].startswith("甲化工储罐区")
    assert card["状态"].startswith("已登记") and "重大" in card["状态"]
    assert card["发现日期"] == major.found_on.isoformat()

    phone.goto(f"{phone.base_url}/sites/")
    assert phone.evaluate(NARROW_TEXT, "#site-results") == []
    cards = {card["title"]: card for card in phone.evaluate(CARDS, "#site-results")}
    assert set(cards) == {sites.plant_a.name, sites.factory_b.name, sites.house.name}
    assert cards[sites.plant_a.name]["行业领域"] == "危险化学品"
    assert cards[sites.plant_a.name]["企业"] == "广州甲化工有限公司"
    assert cards[sites.house.name]["风险等级"] == "未评估"
    assert cards[sites.house.name]["企业"] == "—"


def test_the_folded_filters_open_and_filter_on_a_phone(phone, users, sites):
    record(sites.plant_a, users.inspector_a, HazardGrade.MAJOR)
    record(sites.factory_b, users.inspector_a)
    _sign_in(phone, "manager_a")
    phone.goto(f"{phone.base_url}/hazards/")

    # The list comes first: the filters wait behind a button.
    expect(phone.locator("#hazard-filters")).to_be_hidden()
    phone.get_by_test_id("filter-toggle").click()
    expect(phone.locator("#id_grade")).to_be_visible()
    phone.select_option("#id_grade", "major")
    phone.wait_for_url("**grade=major**")
    expect(phone.get_by_test_id("hazard-total")).to_have_text(re.compile(r"^1 "))

    phone.goto(phone.url)  # the shared link: the button says a filter is set
    expect(phone.get_by_test_id("filter-toggle")).to_have_text(re.compile(r"\(2\)$"))


def test_buttons_keep_their_labels_centred(phone, users, sites):
    _sign_in(phone, "manager_a")
    phone.goto(f"{phone.base_url}/hazards/")
    offsets = phone.evaluate(
        """() => Array.from(document.querySelectorAll("main .btn")).filter(b => b.checkVisibility())
          .map(button => {
            const range = document.createRange();
            range.selectNodeContents(button);
            const text = range.getBoundingClientRect(), box = button.getBoundingClientRect();
            return [button.innerText, box.height,
                    Math.abs((text.top + text.bottom) / 2 - (box.top + box.bottom) / 2),
                    Math.abs((text.left + text.right) / 2 - (box.left + box.right) / 2)];
          })"""
    )
    assert len(offsets) >= 3
    for label, height, off_y, off_x in offsets:
        assert height >= 44, label
        assert off_y <= 2 and off_x <= 2, (label, off_y, off_x)


@pytest.mark.parametrize("username", ["inspector_a", "grid"])
def test_the_site_page_offers_an_inspection_above_the_fold(phone, users, sites, username):
    _sign_in(phone, username)
    site = sites.plant_a if username == "inspector_a" else sites.house
    phone.goto(f"{phone.base_url}{site.get_absolute_url()}")
    start = phone.get_by_test_id("start-inspection")
    expect(start).to_be_visible()
    assert start.bounding_box()["y"] + start.bounding_box()["height"] <= PHONE["height"]
    start.click()
    phone.wait_for_url(f"**/inspections/start/{site.pk}/")


def test_the_site_page_offers_no_inspection_to_who_may_not_run_one(phone, users, sites):
    _sign_in(phone, "auditor")  # the leader reads
    phone.goto(f"{phone.base_url}{sites.plant_a.get_absolute_url()}")
    expect(phone.locator("h1")).to_contain_text(sites.plant_a.name)
    expect(phone.get_by_test_id("start-inspection")).to_have_count(0)


def test_a_workers_home_page_leads_with_report_a_hazard(phone, users, orgs, sites):
    UserFactory(username="worker_a", role=Role.ENTERPRISE_WORKER, organisation=orgs.ent_a)
    _sign_in(phone, "worker_a")
    lead = phone.get_by_test_id("report-lead")
    expect(lead).to_be_visible()
    # First on the page, its button within the first screen.
    assert phone.locator("main > *").first.get_attribute("data-testid") == "report-lead"
    button = lead.get_by_role("link", name="随手拍")
    assert button.bounding_box()["y"] + button.bounding_box()["height"] <= PHONE["height"]
    button.click()
    phone.wait_for_url("**/hazards/report/")

    _sign_in(phone, "officer_a")  # the safety officer's home is the overview
    expect(phone.get_by_test_id("report-lead")).to_have_count(0)
