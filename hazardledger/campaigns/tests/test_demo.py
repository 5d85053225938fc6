"""The demo province has campaigns made the way offices make them, with their tasks and
counted progress, and clearing them leaves none behind."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from hazardledger.campaigns.demo import demo_clear
from hazardledger.campaigns.models import Campaign, Circular, Progress, Task
from hazardledger.campaigns.selectors import campaign_progress
from hazardledger.hazards.deadlines import local_today
from hazardledger.regions.selectors import is_under

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_mines_cascade_and_a_pre_flood_campaign(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    call_command("load_demo", "--sites", "400", stdout=out)
    assert "2 campaigns" in out.getvalue()
    mines = Campaign.objects.get(parent__isnull=True, template="")
    assert Campaign.objects.filter(parent=mines).count() == 2
    assert Task.objects.filter(root=mines).exists()
    flood = Campaign.objects.get(template="pre_flood")
    assert flood.region_id == "4401" and Task.objects.filter(root=flood, issued=True).exists()
    assert Progress.objects.filter(campaign=mines).exists()
    assert Circular.objects.filter(campaign=mines, kind="urging").exists()
    report = campaign_progress(campaign=mines, user=None, today=local_today())
    assert report.total.figures["sites"] == Task.objects.filter(root=mines).count()
    # The Guangzhou office runs the pre-flood check: its page shows its districts.
    from hazardledger.accounts.models import User

    gz = User.objects.get(username="gz-office")
    rows = campaign_progress(campaign=flood, user=gz, today=local_today()).rows
    assert rows and all(is_under(row.code, "4401") for row in rows)
    demo_clear()
    assert not Campaign.objects.exists() and not Task.objects.exists()
