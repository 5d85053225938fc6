"""Hostile input on the listing pages: a clear answer, nothing listed, the server stays up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from hazardledger.hazards.choices import HazardGrade
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.tests.factories import record
from hazardledger.supervision.models import Listing

pytestmark = pytest.mark.django_db


def _form(**changes: str) -> dict[str, str]:
    form = {
        "required_by": (local_today() + timedelta(days=60)).isoformat(),
        "stop": "part",
        "officials": "王明，副市长",
        "grounds": "重大事故隐患",
        "document_number": "穗安委办督〔2026〕3号",
    }
    form.update(changes)
    return form


@pytest.mark.parametrize(
    "changes",
    [
        {"document_number": "穗安委办督\x07〔2026〕3号"},
        {"grounds": "\x1b[31m重大\x00"},
        {"officials": "王明\x02，副市长"},
        {"officials": ""},
        {"required_by": "2026-02-30"},
        {"required_by": "99999-01-01"},
        {"stop": '=HYPERLINK("http://evil.example")'},
        {"document_number": "号" * 500},
    ],
)
def test_a_hostile_listing_form_lists_nothing(client, users, sites, changes):
    hazard = record(sites.plant_a, users.officer_a, HazardGrade.MAJOR)
    before = (hazard.deadline, hazard.version)
    client.force_login(users.manager_a)
    response = client.post(
        reverse("supervision:listing-propose", args=[hazard.pk]), _form(**changes)
    )
    assert response.status_code in (200, 400)
    assert not Listing.objects.exists()
    hazard.refresh_from_db()
    assert (hazard.deadline, hazard.version) == before


@pytest.mark.parametrize("pk", [10**20, 2**63])
def test_huge_ids_are_not_found(client, users, pk):
    client.force_login(users.manager_a)
    assert client.get(f"/supervision/listings/{pk}/").status_code == 404
    assert client.get(f"/supervision/hazards/{pk}/list/").status_code == 404
