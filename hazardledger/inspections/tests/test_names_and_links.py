"""Issue 11.9: an inspection's photos keep the names they had on the phone (shown, offered by
the download, carried into the ledger); a hazard an inspection raised links back to it for whoever
may see that inspection; a draft's "where at the site" is left for the inspector to say."""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import reverse

from hazardledger.core.uploads import download_name
from hazardledger.hazards.models import Hazard
from hazardledger.inspections.extensions import _hazard_inspection
from hazardledger.inspections.models import HazardDraft, ItemPhoto
from hazardledger.inspections.services import hazard_draft_confirm, inspection_plan

from .conftest import committed, sync_document
from .test_services import MEASURES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FAIL = {"hc-12": "2号罐区可燃气体报警器缺失"}


@pytest.fixture
def inspection(checklists, users, sites):
    return inspection_plan(
        actor=users.inspector_a,
        site=sites.plant_a,
        kind="routine",
        checklist=checklists["hazardous_chemicals"],
        planned_on=date.today(),
        start=True,
    )


def _named(document, names):
    for row in document["results"]:
        if row["photos"]:
            row["photo_names"] = names
    return document


def _sync(client, inspection, document):
    with committed():
        return client.post(
            reverse("inspections:inspection-sync", kwargs={"uuid": inspection.uuid}),
            data=json.dumps(document),
            content_type="application/json",
        )


def test_a_photo_keeps_its_name_from_the_phone_to_the_ledger(client, users, inspection):
    client.force_login(users.inspector_a)
    document = _named(sync_document(inspection, fail=FAIL), ["IMG_20260306_1015.png"])
    assert _sync(client, inspection, document).status_code == 200
    photo = ItemPhoto.objects.get()
    assert photo.original_name == "IMG_20260306_1015.png"
    assert "IMG_20260306_1015.png" in client.get(inspection.get_absolute_url()).content.decode()
    download = client.get(reverse("inspections:photo-file", args=[photo.pk]))
    assert "IMG_20260306_1015.png" in download["Content-Disposition"]

    draft = HazardDraft.objects.get()
    with committed():  # the evidence file is written when the confirmation commits
        hazard = hazard_draft_confirm(
            actor=users.inspector_a,
            draft=draft,
            data={"interim_measures": MEASURES, "location": "2号罐区"},
        )
    evidence = hazard.evidence.get()
    assert evidence.original_name == "IMG_20260306_1015.png"
    page = client.get(hazard.get_absolute_url()).content.decode()
    assert "IMG_20260306_1015.png" in page
    got = client.get(reverse("hazards:evidence-file", args=[evidence.pk]))
    assert got.status_code == 200
    assert "IMG_20260306_1015.png" in got["Content-Disposition"]


def test_a_photo_sent_without_a_name_gets_a_neutral_one(client, users, inspection):
    client.force_login(users.inspector_a)
    assert _sync(client, inspection, sync_document(inspection, fail=FAIL)).status_code == 200
    photo = ItemPhoto.objects.get()
    assert photo.original_name == ""
    assert photo.download_name == f"photo-{photo.pk}.png"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("C:\\Users\\张三\\现场.png", "现场.png"),
        ("bell\x07.png", "bell.png"),
        ("x" * 300 + ".png", "x" * 251 + ".png"),
    ],
)
def test_a_photo_name_is_made_safe_not_refused(client, users, inspection, sent, kept):
    client.force_login(users.inspector_a)
    document = _named(sync_document(inspection, fail=FAIL), [sent])
    assert _sync(client, inspection, document).status_code == 200
    assert ItemPhoto.objects.get().original_name == kept


@pytest.mark.parametrize(
    "names", ["photo.png", [1], [{"a": 1}], ["a.png"] * 5, ["x" * 1001], [["nested"]]]
)
def test_photo_names_of_the_wrong_shape_are_a_400(client, users, inspection, names):
    client.force_login(users.inspector_a)
    document = _named(sync_document(inspection, fail=FAIL), names)
    response = _sync(client, inspection, document)
    assert response.status_code == 400
    assert "photo_names" in json.dumps(response.json(), ensure_ascii=False)
    assert not ItemPhoto.objects.exists()


@pytest.mark.parametrize(
    ("original", "stored", "offered"),
    [
        ("现场.png", "x/abc.png", "现场.png"),
        ("scan.heic", "x/abc.jpg", "scan.jpg"),
        ("photo.JPEG", "x/abc.jpg", "photo.JPEG"),
        ("evil.html", "x/abc.png", "evil.png"),
        ("", "x/abc.pdf", "evidence-7.pdf"),
        ("no-extension", "x/abc.png", "no-extension.png"),
    ],
)
def test_a_download_is_offered_under_its_name_with_its_stored_type(original, stored, offered):
    assert download_name(original, stored=stored, fallback="evidence-7") == offered


def test_a_draft_leaves_where_at_the_site_to_the_inspector(client, users, inspection):
    client.force_login(users.inspector_a)
    _sync(client, inspection, sync_document(inspection, fail=FAIL))
    draft = HazardDraft.objects.get()
    assert draft.location == ""
    page = client.get(reverse("inspections:draft-confirm", args=[draft.pk]))
    field = page.context["form"]["location"]
    assert field.value() in ("", None)
    assert "检测报警与防爆" not in str(field)
    # The page requires a place before it records the hazard.
    refused = client.post(
        reverse("inspections:draft-confirm", args=[draft.pk]),
        {f"d{draft.pk}-description": draft.description, f"d{draft.pk}-category": "equipment"},
    )
    assert "location" in refused.context["form"].errors
    assert not Hazard.objects.exists()


def test_a_hazard_links_back_to_the_inspection_that_raised_it(client, users, inspection):
    client.force_login(users.inspector_a)
    _sync(client, inspection, sync_document(inspection, fail=FAIL))
    hazard = hazard_draft_confirm(
        actor=users.inspector_a,
        draft=HazardDraft.objects.get(),
        data={"interim_measures": MEASURES, "location": "2号罐区"},
    )
    for persona in ("inspector_a", "officer_a", "manager_a"):
        client.force_login(getattr(users, persona))
        page = client.get(hazard.get_absolute_url()).content.decode()
        assert 'data-testid="raised-by-inspection"' in page, persona
        assert f'href="{inspection.get_absolute_url()}"' in page, persona


def test_the_link_is_shown_only_to_who_may_see_the_inspection(users, inspection, client):
    client.force_login(users.inspector_a)
    _sync(client, inspection, sync_document(inspection, fail=FAIL))
    hazard = hazard_draft_confirm(
        actor=users.inspector_a,
        draft=HazardDraft.objects.get(),
        data={"interim_measures": MEASURES, "location": "2号罐区"},
    )
    assert _hazard_inspection(SimpleNamespace(user=users.inspector_a), hazard) is not None
    # Shenzhen's office cannot see the inspection: no panel, nothing said about it.
    assert _hazard_inspection(SimpleNamespace(user=users.manager_b), hazard) is None


def test_a_hazard_recorded_on_its_own_has_no_inspection_panel(client, users, sites):
    from hazardledger.hazards.services import hazard_record
    from hazardledger.hazards.tests.factories import hazard_data

    hazard = hazard_record(actor=users.officer_a, site_id=sites.plant_a.pk, data=hazard_data())
    client.force_login(users.officer_a)
    page = client.get(hazard.get_absolute_url()).content.decode()
    assert 'data-testid="raised-by-inspection"' not in page
