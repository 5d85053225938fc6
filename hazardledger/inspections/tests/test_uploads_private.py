"""Inspection signatures and item photos are served only through the scope-checking views,
under random names (never the ids the phone sent)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from hazardledger.inspections.models import Inspection, ItemPhoto
from hazardledger.inspections.services import inspection_plan
from hazardledger.inspections.sync import inspection_sync

from .conftest import committed, sync_document

pytestmark = pytest.mark.django_db

NAME = r"inspections/(signatures|photos)/\d{4}/\d{2}/[0-9a-f]{32}\.png"


@pytest.fixture
def submitted(checklists, users, sites) -> Inspection:
    inspection = inspection_plan(
        actor=users.inspector_a,
        site=sites.plant_a,
        kind="routine",
        checklist=checklists["hazardous_chemicals"],
        planned_on=date.today(),
        start=True,
    )
    document = sync_document(inspection, fail={"hc-12": "报警器缺失"})
    with committed():
        inspection_sync(actor=users.inspector_a, inspection=inspection, document=document)
    inspection.refresh_from_db()
    return inspection


def _urls(inspection: Inspection) -> dict[str, str]:
    photo = ItemPhoto.objects.get(result__inspection=inspection)
    return {
        "inspector": reverse("inspections:inspection-signature", args=[inspection.pk, "inspector"]),
        "site": reverse("inspections:inspection-signature", args=[inspection.pk, "site"]),
        "photo": reverse("inspections:photo-file", args=[photo.pk]),
    }


@pytest.mark.parametrize("which", ["inspector", "site", "photo"])
def test_anonymous_users_are_sent_to_login(client, submitted, which):
    response = client.get(_urls(submitted)[which])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["officer_b", "manager_b"])
@pytest.mark.parametrize("which", ["inspector", "site", "photo"])
def test_users_out_of_scope_get_404(client, users, submitted, persona, which):
    client.force_login(getattr(users, persona))
    assert client.get(_urls(submitted)[which]).status_code == 404


@pytest.mark.parametrize("which", ["inspector", "site", "photo"])
def test_users_in_scope_get_the_file(client, users, submitted, settings, which):
    settings.USE_X_ACCEL_REDIRECT = False
    photo = ItemPhoto.objects.get(result__inspection=submitted)
    field = {
        "inspector": submitted.inspector_signature,
        "site": submitted.site_signature,
        "photo": photo.file,
    }[which]
    client.force_login(users.inspector_a)
    response = client.get(_urls(submitted)[which])
    assert response.status_code == 200
    with field.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()
    assert response["Content-Type"] == "image/png"


def test_stored_names_are_random_not_the_phones_ids(submitted):
    photo = ItemPhoto.objects.select_related("result").get(result__inspection=submitted)
    for name in (submitted.inspector_signature.name, submitted.site_signature.name):
        assert re.fullmatch(NAME, name)
        assert str(submitted.uuid) not in name
    assert re.fullmatch(NAME, photo.file.name)
    assert str(photo.result.uuid) not in photo.file.name


def test_with_x_accel_redirect_nginx_sends_the_signature(client, users, submitted, settings):
    settings.USE_X_ACCEL_REDIRECT = True
    client.force_login(users.inspector_a)
    response = client.get(_urls(submitted)["inspector"])
    assert response["X-Accel-Redirect"] == f"/internal-media/{submitted.inspector_signature.name}"
    assert response.content == b""


def test_the_admin_links_signatures_to_the_scoped_view(client, users, submitted):
    client.force_login(users.admin)
    page = client.get(reverse("admin:inspections_inspection_change", args=[submitted.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("inspections:inspection-signature", args=[submitted.pk, "inspector"]) in html
    assert submitted.inspector_signature.name not in html
