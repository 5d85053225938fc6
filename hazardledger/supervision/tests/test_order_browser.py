"""The issue page in a browser: from the site page, the representative signs on the screen
(the pad's PNG reaches the form through signature.js) and the order is issued."""

from __future__ import annotations

import pytest

from hazardledger.supervision.models import RectificationOrder

pytestmark = pytest.mark.browser


def _sign(page, canvas_id):  # type: ignore[no-untyped-def]
    canvas = page.locator(f"#{canvas_id}")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 8):
        page.mouse.move(x + step * 25, y + (12 if step % 2 else -12))
    page.mouse.up()


def test_an_inspector_issues_an_order_signed_on_the_screen(page, login, world):
    login("inspector_a")
    page.goto(page.base_url + world.site.get_absolute_url())
    page.get_by_test_id(f"issue-order-{world.inspection.pk}").click()
    page.wait_for_url("**/supervision/orders/issue/**")
    page.fill("#id_representative", "王五")
    _sign(page, "sig-representative")
    page.get_by_test_id("issue-order").click()
    page.wait_for_url("**/supervision/orders/*/")
    order = RectificationOrder.objects.get()
    assert page.get_by_test_id("document-number").inner_text() == order.document_number
    assert order.document_number.startswith("穗应急责改〔") and order.items.count() == 2
    signature = page.request.get(page.base_url + f"/supervision/orders/{order.pk}/signature/")
    assert signature.status == 200 and signature.body()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = page.request.get(page.base_url + f"/supervision/orders/{order.pk}/pdf/")
    assert pdf.status == 200 and pdf.body()[:4] == b"%PDF"
