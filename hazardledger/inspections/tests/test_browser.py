"""End to end on a phone-sized screen in Chromium: scan a plant's QR link, run the checklist,
fail a major and an ordinary item, sign, submit, confirm; and the same offline."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import translation
from PIL import Image
from playwright.sync_api import expect

from hazardledger.hazards.choices import HazardGrade
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.selectors import hazard_queue
from hazardledger.inspections.choices import InspectionStatus
from hazardledger.inspections.models import HazardDraft, Inspection, ItemPhoto, ItemResult

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _scan_and_sign_in(phone, site):
    """Open the URL the site's QR code holds, sign in on the way, start the inspection."""
    phone.goto(f"{phone.base_url}/inspections/start/{site.pk}/")
    phone.wait_for_url("**/accounts/login/**")
    phone.fill("#id_username", "inspector_a")
    phone.fill("#id_password", "pw")
    phone.click("button[type=submit]")
    phone.wait_for_url(f"**/inspections/start/{site.pk}/")
    assert phone.locator("#id_checklist option:checked").inner_text().startswith("危险化学品")
    phone.get_by_test_id("start-now").click()
    phone.wait_for_url(re.compile(r".*/inspections/\d+/conduct/$"))
    phone.locator("#net-status").wait_for()


def _fail(phone, code, note):
    item = phone.get_by_test_id(f"item-{code}")
    item.locator("label[for$='-fail']").click()
    item.locator("textarea").fill(note)


def _sign(phone, canvas_id):
    canvas = phone.locator(f"#{canvas_id}")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    phone.mouse.move(x, y)
    phone.mouse.down()
    for step in range(1, 8):
        phone.mouse.move(x + step * 25, y + (12 if step % 2 else -12))
    phone.mouse.up()


def _photo(tmp_path):
    path = tmp_path / "alarm.jpg"
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), "orange").save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def _finish(phone):
    phone.locator("#mark-rest-pass").click()
    _sign(phone, "sig-inspector")
    phone.fill("#site-representative", "王安全")
    _sign(phone, "sig-site")
    phone.locator("#submit-inspection").click()


def _confirm(phone, code, *, major=False):
    phone.get_by_test_id(f"draft-{code}").get_by_role("link").click()
    phone.wait_for_url("**/inspections/drafts/**")
    if major:
        with translation.override("zh-hans"):
            assert phone.get_by_test_id("checklist-grade").inner_text() == str(
                HazardGrade.MAJOR.label
            )
        phone.locator("input[name$='interim_measures'][value='people_withdrawn']").check()
        phone.locator("input[name$='interim_measures'][value='warnings_posted']").check()
    # Issue 11: where at the site is the inspector's to say (no checklist section prefilled).
    location = phone.locator("input[name$='location']")
    assert location.input_value() == ""
    location.fill("2号储罐区")
    phone.get_by_test_id("confirm-draft").click()
    phone.wait_for_url(re.compile(r".*/inspections/\d+/$"))


def test_inspector_scans_runs_the_checklist_and_the_ledger_gets_a_major_and_a_general_hazard(
    phone, users, sites, checklists, tmp_path
):
    _scan_and_sign_in(phone, sites.plant_a)
    # The field page fits a phone: no horizontal scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _fail(phone, "hc-12", "2号储罐区未设置可燃气体检测报警装置")
    phone.get_by_test_id("item-hc-12").locator("input[type=file]").set_input_files(_photo(tmp_path))
    phone.get_by_test_id("item-hc-12").locator(".photo-thumbs img").wait_for()
    _fail(phone, "hc-g01", "罐区入口安全警示标志褪色")
    _finish(phone)
    phone.wait_for_url(re.compile(r".*/inspections/\d+/$"))

    inspection = Inspection.objects.get()
    assert inspection.status == InspectionStatus.SUBMITTED
    assert inspection.results.count() == checklists["hazardous_chemicals"].items.count()
    assert inspection.latitude is not None  # the phone's GPS
    assert inspection.inspector_signature and inspection.site_signature
    assert ItemPhoto.objects.filter(result__item__code="hc-12").count() == 1
    # Issue 11: the photo keeps the name it had on the phone.
    assert ItemPhoto.objects.get(result__item__code="hc-12").original_name == "alarm.jpg"
    assert phone.get_by_test_id("item-photo").inner_text() == "alarm.jpg"

    _confirm(phone, "hc-12", major=True)
    _confirm(phone, "hc-g01")
    assert phone.get_by_test_id("hazards-raised").locator("li").count() == 2

    major = Hazard.objects.get(grade=HazardGrade.MAJOR)
    general = Hazard.objects.get(grade=HazardGrade.GENERAL)
    assert Hazard.objects.count() == 2
    assert "安监总管三〔2017〕121号" in major.grade_basis and "hc-12" in major.grade_basis
    assert major.evidence.count() == 1
    assert major.evidence.get().original_name == "alarm.jpg"
    assert (major.location, general.location) == ("2号储罐区", "2号储罐区")
    assert general.grade_basis == "《安全生产法》第三十五条"
    queue = {section.key: section for section in hazard_queue(user=users.inspector_a)}
    assert [h.pk for h in queue["major"].hazards] == [major.pk]

    # The regulator's queue page lists it too, and the record prints.
    phone.goto(f"{phone.base_url}/hazards/queue/")
    assert phone.locator(f"a[href='/hazards/{major.pk}/']").count() >= 1
    response = phone.request.get(f"{phone.base_url}/inspections/{inspection.pk}/record.pdf")
    assert response.ok and response.body()[:4] == b"%PDF"


def test_an_inspection_completed_offline_syncs_once_when_the_network_returns(
    phone, users, sites, checklists
):
    _scan_and_sign_in(phone, sites.plant_a)
    phone.context.set_offline(True)
    # Locator waits, not wait_for_function: its polling evals, which the CSP forbids.
    expect(phone.locator("#net-status")).to_have_attribute("data-online", "0")
    _fail(phone, "hc-20", "甲类仓库超量储存")
    _finish(phone)
    message = phone.locator("#sync-message")
    message.wait_for()
    expect(message).to_have_class(re.compile(r"\balert-warning\b"))
    inspection = Inspection.objects.get()
    assert inspection.status == InspectionStatus.IN_PROGRESS
    assert ItemResult.objects.count() == 0
    # What the phone will send, kept on the device.
    pending = phone.evaluate("JSON.parse(localStorage.getItem(HLField.key)).pending")
    assert pending["inspection"] == str(inspection.uuid)

    phone.context.set_offline(False)
    phone.wait_for_url(re.compile(rf".*/inspections/{inspection.pk}/$"))
    assert Inspection.objects.count() == 1
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SUBMITTED
    items = checklists["hazardous_chemicals"].items.count()
    assert ItemResult.objects.filter(inspection=inspection).count() == items
    assert HazardDraft.objects.count() == 1
    assert phone.evaluate(f"localStorage.getItem('hl-inspection-{inspection.uuid}')") is None

    # A retried sync of the same document creates nothing twice; other content is a conflict.
    post = """async ([url, doc]) => {
        const token = document.cookie.split('; ')
            .find((c) => c.startsWith('csrftoken=')).split('=')[1];
        const r = await fetch(url, {method: 'POST', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
            body: JSON.stringify(doc)});
        return [r.status, await r.json()];
    }"""
    url = f"/inspections/sync/{inspection.uuid}/"
    status, body = phone.evaluate(post, [url, pending])
    assert status == 200 and body["replayed"] is True
    changed = {
        **pending,
        "results": [{**r, "outcome": "pass", "note": ""} for r in pending["results"]],
    }
    status, body = phone.evaluate(post, [url, changed])
    assert status == 409 and body["error"]
    assert Inspection.objects.count() == 1
    assert ItemResult.objects.count() == items
    assert HazardDraft.objects.count() == 1
