"""Control characters in the inspection forms: a draft confirmed into the ledger, a dismissed
draft, a draw's title and an uploaded checklist are refused with a message naming them."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hazardledger.hazards.models import Hazard
from hazardledger.inspections.checklists import checklist_to_toml
from hazardledger.inspections.choices import DraftStatus
from hazardledger.inspections.models import Checklist, Draw, HazardDraft
from hazardledger.inspections.services import inspection_plan
from hazardledger.inspections.sync import inspection_sync

from .conftest import sync_document

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def draft(checklists, users, sites):
    """A hazard draft from a failed item of a submitted inspection of plant A."""
    inspection = inspection_plan(
        actor=users.inspector_a,
        site=sites.plant_a,
        kind="routine",
        checklist=checklists["hazardous_chemicals"],
        planned_on=timezone.localdate(),
        start=True,
    )
    inspection_sync(
        actor=users.inspector_a,
        inspection=inspection,
        document=sync_document(inspection, fail={"hc-12": "无报警器"}),
    )
    return HazardDraft.objects.get(inspection=inspection)


def test_confirming_a_draft_refuses_control_characters(client, users, draft):
    client.force_login(users.inspector_a)
    prefix = f"d{draft.pk}-"
    response = client.post(
        reverse("inspections:draft-confirm", args=[draft.pk]),
        {
            prefix + "description": "可燃气体报警器\x1b失效",
            prefix + "location": "2号\x07罐区",
            prefix + "category": "equipment",
            prefix + "grade": "general",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"description", "location"}
    assert "U+001B" in errors["description"][0] and "U+0007" in errors["location"][0]
    assert not Hazard.objects.exists()
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT


def test_dismissing_a_draft_with_a_control_character_says_so(client, users, draft):
    client.force_login(users.inspector_a)
    response = client.post(
        reverse("inspections:draft-dismiss", args=[draft.pk]), {"reason": "误报\x07"}
    )
    assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts == ["This text contains invisible control characters (U+0007). Remove them."]
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT


def test_dismissing_a_draft_without_a_reason_keeps_its_message(client, users, draft):
    client.force_login(users.inspector_a)
    response = client.post(reverse("inspections:draft-dismiss", args=[draft.pk]), {"reason": ""})
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts == ["Say why this failed item is not a hazard."]


def test_a_draw_title_with_a_control_character_is_refused(client, users):
    client.force_login(users.inspector_a)
    response = client.post(
        reverse("inspections:draw-add"),
        {
            "title": "双随机\x1b抽查",
            "regions": ["4401"],
            "sectors": ["hazardous_chemicals"],
            "size": "1",
            "inspectors": [str(users.inspector_a.pk)],
            "planned_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert "U+001B" in response.context["form"].errors["title"][0]
    assert not Draw.objects.exists()


def test_a_checklist_file_with_a_control_character_is_refused(client, users, checklists):
    client.force_login(users.admin)
    checklist = checklists["hazardous_chemicals"]
    text = checklist_to_toml(checklist).replace("特种作业人员持证上岗", "特种作业人员\x07持证上岗")
    upload = SimpleUploadedFile("hc.toml", text.encode(), content_type="application/toml")
    response = client.post(reverse("inspections:checklist-upload"), {"file": upload})
    assert response.status_code == 200
    assert "U+0007" in response.context["form"].errors["file"][0]
    assert Checklist.objects.filter(code="hazardous_chemicals").count() == 1
