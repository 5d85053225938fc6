"""Rectification orders: issued from an inspection by an inspector in scope, numbered per body
and year, an event in each hazard's history, shown to the enterprise read-only, as a PDF."""

from __future__ import annotations

import base64
import io
from datetime import date

import pytest
import segno
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from hazardledger.audit.models import AuditEvent
from hazardledger.core.errors import Invalid
from hazardledger.core.models import OutboxEvent
from hazardledger.hazards.history import verify_all
from hazardledger.hazards.models import Hazard, HazardEvent
from hazardledger.hazards.services import hazard_record
from hazardledger.hazards.tests.factories import hazard_data
from hazardledger.hazards.workflow import ConcurrentEditError
from hazardledger.supervision.documents import order_document_html
from hazardledger.supervision.models import OrderItem, OrderSequence, RectificationOrder
from hazardledger.supervision.services.orders import (
    OrderHazard,
    order_issue,
    order_next_serial,
    signature_from_bytes,
)

from .conftest import committed, png_bytes, png_data_url

# Messages are matched by their English source text.
pytestmark = pytest.mark.usefixtures("english")

TODAY = date(2026, 3, 6)


@pytest.fixture(autouse=True)
def _clock():  # type: ignore[no-untyped-def]
    with time_machine.travel("2026-03-06 10:00 +08:00", tick=False):
        yield


def _issue_url(world) -> str:  # type: ignore[no-untyped-def]
    return reverse("supervision:order-issue", args=[world.inspection.pk])


def _form(world, **overrides):  # type: ignore[no-untyped-def]
    data = {
        f"include_{world.major.pk}": "on",
        f"basis_{world.major.pk}": "《危险化学品生产经营单位重大生产安全事故隐患判定标准》第十二项",
        f"deadline_{world.major.pk}": "2026-05-30",
        f"include_{world.general.pk}": "on",
        f"basis_{world.general.pk}": "《安全生产法》第三十五条",
        f"deadline_{world.general.pk}": "2026-03-20",
        "place": "广州市黄埔区港前路88号 2号罐区",
        "completion_report": "整改完成后书面报告并申请复查。",
        "representative": "王五",
        "signature_data": png_data_url(),
    }
    data.update(overrides)
    return data


def _issue(client, world, **overrides):  # type: ignore[no-untyped-def]
    with committed():
        return client.post(_issue_url(world), _form(world, **overrides))


def test_an_inspector_issues_an_order_naming_both_hazards_with_their_bases_and_deadlines(
    client, users, world
):
    client.force_login(users.inspector_a)
    page = client.get(_issue_url(world))
    assert page.status_code == 200
    body = page.content.decode()
    assert f"basis_{world.major.pk}" in body and f"deadline_{world.general.pk}" in body
    response = _issue(client, world)
    order = RectificationOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert order.document_number == "穗应急责改〔2026〕1号"
    assert order.issuing_body_name == "广州市应急管理局"
    assert order.enterprise_name == "广州甲化工有限公司"
    assert order.inspectors == [
        {
            "id": users.inspector_a.pk,
            "name": users.inspector_a.display_name,
            "enforcement_id": "44010120260017",
        }
    ]
    items = {item.hazard_id: item for item in OrderItem.objects.all()}
    assert items[world.major.pk].deadline == date(2026, 5, 30)
    assert items[world.general.pk].basis == "《安全生产法》第三十五条"
    assert order.signature.storage.exists(order.signature.name)
    for hazard, deadline in ((world.major, date(2026, 5, 30)), (world.general, date(2026, 3, 20))):
        hazard.refresh_from_db()
        assert hazard.deadline == deadline
        event = HazardEvent.objects.filter(hazard=hazard).latest("seq")
        assert event.action == "order"
        assert event.data["order_id"] == order.pk
        assert event.data["document_number"] == order.document_number
    assert verify_all(hazard_ids=[world.major.pk, world.general.pk])[2] == []
    assert AuditEvent.objects.filter(action="supervision.rectificationorder.issue").count() == 1
    assert OutboxEvent.objects.filter(topic="supervision.rectificationorder.issue").count() == 1


def test_the_order_page_lists_its_hazards_and_the_panels_show_it(client, users, world):
    client.force_login(users.inspector_a)
    _issue(client, world)
    order = RectificationOrder.objects.get()
    detail = client.get(order.get_absolute_url()).content.decode()
    assert "穗应急责改〔2026〕1号" in detail
    assert world.major.description in detail and world.general.description in detail
    assert "44010120260017" in detail
    assert reverse("supervision:order-signature", args=[order.pk]) in detail
    hazard_page = client.get(world.major.get_absolute_url()).content.decode()
    assert "穗应急责改〔2026〕1号" in hazard_page
    site_page = client.get(world.site.get_absolute_url()).content.decode()
    assert "穗应急责改〔2026〕1号" in site_page


def test_before_an_order_the_site_and_hazard_pages_offer_to_issue_one(client, users, world):
    client.force_login(users.inspector_a)
    link = _issue_url(world)
    assert link in client.get(world.site.get_absolute_url()).content.decode()
    assert link in client.get(world.major.get_absolute_url()).content.decode()
    assert link in client.get(reverse("supervision:order-list")).content.decode()
    client.force_login(users.officer_a)  # the enterprise never issues
    assert link not in client.get(world.site.get_absolute_url()).content.decode()


def test_numbers_follow_each_other_per_body_and_start_again_each_year(world, orgs):
    with transaction.atomic():
        assert [order_next_serial(organisation=orgs.gz_em, year=2026) for _ in range(3)] == [
            1,
            2,
            3,
        ]
        assert order_next_serial(organisation=orgs.gz_em, year=2027) == 1
        assert order_next_serial(organisation=orgs.gz_office, year=2026) == 1
    assert OrderSequence.objects.get(organisation=orgs.gz_em, year=2026).last_serial == 3


def test_a_second_order_of_the_body_takes_the_next_number(client, users, world):
    client.force_login(users.inspector_a)
    _issue(client, world)
    _issue(client, world, **{f"include_{world.major.pk}": ""})
    numbers = sorted(RectificationOrder.objects.values_list("document_number", flat=True))
    assert numbers == ["穗应急责改〔2026〕1号", "穗应急责改〔2026〕2号"]


def test_the_database_refuses_a_repeated_serial_for_a_body_and_year(client, users, world):
    client.force_login(users.inspector_a)
    _issue(client, world)
    order = RectificationOrder.objects.get()
    order.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        order.save()


def test_a_body_without_a_prefix_cannot_issue_and_is_told_why(client, users, orgs, world):
    orgs.gz_em.order_prefix = ""
    orgs.gz_em.save(update_fields=["order_prefix"])
    client.force_login(users.inspector_a)
    response = _issue(client, world)
    assert response.status_code == 200
    assert "no document number prefix" in response.content.decode()
    assert not RectificationOrder.objects.exists() and not OrderSequence.objects.exists()
    world.major.refresh_from_db()
    assert not HazardEvent.objects.filter(hazard=world.major, action="order").exists()


def test_an_inspector_without_an_enforcement_id_cannot_issue(client, users, world):
    users.inspector_a.enforcement_id = ""
    users.inspector_a.save(update_fields=["enforcement_id"])
    client.force_login(users.inspector_a)
    response = _issue(client, world)
    assert response.status_code == 200
    assert "enforcement ID" in response.content.decode()
    assert not RectificationOrder.objects.exists()


def test_a_hazard_changed_meanwhile_rolls_back_the_whole_order_and_its_number(users, world):
    # Another user moved the general hazard after the inspector loaded it: its transition
    # fails after the order, its first item and the major hazard's event were written.
    Hazard.objects.filter(pk=world.general.pk).update(version=world.general.version + 1)
    hazards = [
        OrderHazard(hazard=world.major, basis="第十二项", deadline=date(2026, 5, 30)),
        OrderHazard(hazard=world.general, basis="第三十五条", deadline=date(2026, 3, 20)),
    ]
    with pytest.raises(ConcurrentEditError), transaction.atomic():
        order_issue(
            inspection=world.inspection,
            actor=users.inspector_a,
            hazards=hazards,
            place="2号罐区",
            completion_report="书面报告",
            representative="王五",
            signature=signature_from_bytes(png_bytes()),
            issued_on=TODAY,
        )
    assert not RectificationOrder.objects.exists() and not OrderItem.objects.exists()
    assert not OrderSequence.objects.filter(last_serial__gt=0).exists()
    assert not HazardEvent.objects.filter(action="order").exists()


def test_a_deadline_before_the_order_is_refused(client, users, world):
    client.force_login(users.inspector_a)
    response = _issue(client, world, **{f"deadline_{world.general.pk}": "2026-03-01"})
    assert response.status_code == 200
    assert "before the order" in response.content.decode()
    assert not RectificationOrder.objects.exists()


def test_the_enterprise_sees_its_own_orders_read_only(client, users, world):
    client.force_login(users.inspector_a)
    _issue(client, world)
    order = RectificationOrder.objects.get()
    client.force_login(users.officer_a)
    assert order.document_number in client.get(reverse("supervision:order-list")).content.decode()
    assert client.get(order.get_absolute_url()).status_code == 200
    assert client.get(reverse("supervision:order-pdf", args=[order.pk])).status_code == 200
    assert client.get(_issue_url(world)).status_code == 403
    assert client.post(_issue_url(world), _form(world)).status_code == 403
    client.force_login(users.officer_b)
    assert (
        order.document_number not in client.get(reverse("supervision:order-list")).content.decode()
    )
    assert client.get(order.get_absolute_url()).status_code == 404
    assert client.get(reverse("supervision:order-signature", args=[order.pk])).status_code == 404


def test_a_regulator_out_of_scope_sees_neither_the_order_nor_its_signature(client, users, world):
    client.force_login(users.inspector_a)
    _issue(client, world)
    order = RectificationOrder.objects.get()
    client.force_login(users.manager_a)
    assert client.get(reverse("supervision:order-signature", args=[order.pk])).status_code == 200
    client.force_login(users.manager_b)
    assert client.get(order.get_absolute_url()).status_code == 404
    assert client.get(reverse("supervision:order-signature", args=[order.pk])).status_code == 404
    assert client.get(reverse("supervision:order-pdf", args=[order.pk])).status_code == 404
    assert client.get(_issue_url(world)).status_code == 404


def test_the_pdf_holds_the_number_the_hazards_their_bases_and_deadlines(client, users, world):
    client.force_login(users.inspector_a)
    _issue(client, world)
    order = RectificationOrder.objects.get()
    response = client.get(reverse("supervision:order-pdf", args=[order.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content[:4] == b"%PDF"
    url = "http://testserver" + order.get_absolute_url()
    html = order_document_html(order=order, url=url)
    for text in (
        "穗应急责改〔2026〕1号",
        world.major.description,
        world.general.description,
        "第十二项",
        "《安全生产法》第三十五条",
        "2026-05-30",
        "2026-03-20",
        "44010120260017",
        "王五",
    ):
        assert text in html
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="svg", scale=4, border=1)
    assert base64.b64encode(qr.getvalue()).decode() in html  # the QR opens the order's page


def test_a_drawn_or_uploaded_signature_is_needed(client, users, world):
    client.force_login(users.inspector_a)
    response = _issue(client, world, signature_data="")
    assert response.status_code == 200
    assert "signs the order" in response.content.decode()
    upload = SimpleUploadedFile("sig.png", png_bytes(), content_type="image/png")
    with committed():
        response = client.post(
            _issue_url(world), {**_form(world, signature_data=""), "signature_file": upload}
        )
    assert response.status_code == 302
    assert RectificationOrder.objects.get().signature.name.endswith(".png")


def test_a_hazard_of_another_inspection_cannot_be_slipped_into_the_order(
    client, users, world, sites
):
    other = hazard_record(actor=users.officer_a, site_id=sites.plant_a.pk, data=hazard_data())
    client.force_login(users.inspector_a)
    _issue(client, world, **{f"include_{other.pk}": "on", f"deadline_{other.pk}": "2026-04-01"})
    assert set(OrderItem.objects.values_list("hazard_id", flat=True)) == {
        world.major.pk,
        world.general.pk,
    }
    assert not HazardEvent.objects.filter(hazard=other, action="order").exists()


def test_the_issue_date_is_today_and_deadlines_default_to_the_hazards(client, users, world):
    client.force_login(users.inspector_a)
    body = client.get(_issue_url(world)).content.decode()
    world.major.refresh_from_db()
    assert f'value="{world.major.deadline:%Y-%m-%d}"' in body
    _issue(client, world)
    assert RectificationOrder.objects.get().issued_on == TODAY


def test_the_service_refuses_a_hazard_the_inspection_did_not_find(users, world, sites):
    other = hazard_record(actor=users.officer_a, site_id=sites.plant_a.pk, data=hazard_data())
    with pytest.raises(Invalid) as exc, transaction.atomic():
        order_issue(
            inspection=world.inspection,
            actor=users.inspector_a,
            hazards=[OrderHazard(hazard=other, basis="第三十五条", deadline=date(2026, 4, 1))],
            place="2号罐区",
            completion_report="书面报告",
            representative="王五",
            signature=signature_from_bytes(png_bytes()),
            issued_on=TODAY,
        )
    assert "not an open hazard of this inspection" in str(exc.value)
    assert not RectificationOrder.objects.exists()
