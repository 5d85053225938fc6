"""The demo step: checklists, completed inspections and a Guangzhou draw for gz-inspector."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from hazardledger.accounts.models import User
from hazardledger.inspections.choices import InspectionStatus
from hazardledger.inspections.draws import draw_verify
from hazardledger.inspections.models import Checklist, Draw, Inspection, ItemResult

pytestmark = pytest.mark.django_db


def test_the_demo_has_checklists_inspections_and_a_draw_for_gz_inspector(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", "--sites", "300", stdout=io.StringIO())
    assert Checklist.objects.filter(is_current=True).count() >= 9
    submitted = Inspection.objects.filter(status=InspectionStatus.SUBMITTED)
    assert submitted.exists()
    assert ItemResult.objects.filter(inspection__in=submitted).exists()
    draw = Draw.objects.get(region_id="4401", sectors="hazardous_chemicals")
    assert draw_verify(draw=draw)[1:] == (True, True)
    inspector = User.objects.get(username="gz-inspector")
    planned = Inspection.objects.filter(draw=draw, status=InspectionStatus.PLANNED)
    assert planned.filter(inspectors=inspector).exists()
