"""The demo province has listings made the way an office makes them."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from hazardledger.hazards.models import HazardEvent
from hazardledger.supervision.models import Listing

from .helpers import history_problems

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_lists_major_hazards_through_the_workflow():
    out = io.StringIO()
    call_command("load_demo", "--sites", "200", stdout=out)
    listings = list(Listing.objects.select_related("hazard"))
    assert listings, out.getvalue()
    assert "hazards listed for supervision" in out.getvalue()
    for listing in listings:
        hazard = listing.hazard
        assert listing.status == Listing.Status.LISTED
        assert hazard.grade == "major" and hazard.listing_level == listing.level
        assert hazard.deadline == listing.required_by
        assert HazardEvent.objects.filter(hazard=hazard, action="list").count() == 1
        assert history_problems(hazard) == []
