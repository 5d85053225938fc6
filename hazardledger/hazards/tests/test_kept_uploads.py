"""Issue 11.9: a photo chosen on a form that comes back with an error (a duplicate warning, a
missing field) is kept and says so; the next submission saves it without choosing it again.
And the duplicate hint offers every open hazard at the site, however long ago it was found."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hazardledger.core.stash import STASH_MAX_AGE, stash_files, stash_sweep
from hazardledger.hazards.choices import HazardStatus
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.models import Hazard, QuickReport
from hazardledger.hazards.selectors import possible_duplicates
from hazardledger.hazards.services import hazard_record

from .factories import hazard_data, png_upload

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="files_kept" value="([^"]+)"')


def _record_post(site, **extra):
    data = {
        "site": site.pk,
        "location": "2号储罐区",
        "description": "储罐区可燃气体报警器失效，未及时修复",
        "category": "equipment",
        "grade": "general",
        "source": "self_inspection",
        "found_on": local_today().isoformat(),
    }
    data.update(extra)
    return data


@pytest.fixture
def earlier(users, sites):
    return hazard_record(actor=users.officer_a, site_id=sites.plant_a.pk, data=hazard_data())


def test_a_photo_chosen_before_a_duplicate_warning_is_kept_and_saved(client, users, sites, earlier):
    client.force_login(users.principal_a)
    url = reverse("hazards:hazard-add")
    warned = client.post(url, _record_post(sites.plant_a, files=[png_upload("储罐.png")]))
    assert warned.status_code == 200 and warned.context["duplicates"]
    body = warned.content.decode()
    assert 'data-testid="kept-files"' in body and "储罐.png" in body
    token = TOKEN.search(body).group(1)

    # The second submission brings no file: the kept one is saved with the hazard.
    saved = client.post(url, _record_post(sites.plant_a, not_duplicate="on", files_kept=token))
    assert saved.status_code == 302
    new = Hazard.objects.exclude(pk=earlier.pk).get()
    assert [e.original_name for e in new.evidence.all()] == ["储罐.png"]
    # Used once: the kept copy is gone.
    assert default_storage.listdir("stash/")[0] == [] or all(
        not default_storage.listdir(f"stash/{folder}")[1]
        for folder in default_storage.listdir("stash/")[0]
    )


def test_new_files_replace_the_kept_ones(client, users, sites, earlier):
    client.force_login(users.principal_a)
    url = reverse("hazards:hazard-add")
    warned = client.post(url, _record_post(sites.plant_a, files=[png_upload("旧.png")]))
    token = TOKEN.search(warned.content.decode()).group(1)
    client.post(
        url,
        _record_post(
            sites.plant_a,
            not_duplicate="on",
            files_kept=token,
            files=[png_upload("新.png", colour="blue")],
        ),
    )
    new = Hazard.objects.exclude(pk=earlier.pk).get()
    assert [e.original_name for e in new.evidence.all()] == ["新.png"]


def test_a_quick_report_keeps_its_photo_when_the_sentence_is_missing(client, users, sites):
    client.force_login(users.officer_a)
    url = reverse("hazards:report-add")
    first = client.post(url, {"site": sites.plant_a.pk, "files": [png_upload("现场.png")]})
    assert first.status_code == 200 and "description" in first.context["form"].errors
    assert "现场.png" in first.content.decode()
    token = TOKEN.search(first.content.decode()).group(1)
    second = client.post(
        url, {"site": sites.plant_a.pk, "description": "消防通道堵塞", "files_kept": token}
    )
    assert second.status_code == 302
    report = QuickReport.objects.get()
    assert [e.original_name for e in report.evidence.all()] == ["现场.png"]


@pytest.mark.parametrize("kind", ["forged", "other user", "too long"])
def test_a_token_that_is_not_the_users_keeps_nothing(client, users, sites, kind):
    if kind == "forged":
        token = "eyJ1IjoxfQ:forged:signature"
    elif kind == "other user":
        token, _kept = stash_files(
            user=users.principal_a, files=[("别人的.png", png_upload().read())]
        )
    else:
        token = "x" * 5000
    client.force_login(users.officer_a)
    response = client.post(
        reverse("hazards:report-add"),
        {"site": sites.plant_a.pk, "description": "消防通道堵塞", "files_kept": token},
    )
    assert response.status_code == 200
    assert "files" in response.context["form"].errors  # the photo is required, none came
    assert not QuickReport.objects.exists()


def test_a_bad_photo_is_not_kept(client, users, sites):
    client.force_login(users.officer_a)
    response = client.post(
        reverse("hazards:report-add"),
        {"site": sites.plant_a.pk, "files": [SimpleUploadedFile("坏.png", b"MZ not a photo")]},
    )
    assert "files" in response.context["form"].errors
    assert 'data-testid="kept-files"' not in response.content.decode()
    assert TOKEN.search(response.content.decode()) is None


def test_old_kept_files_are_swept(users):
    stash_files(user=users.officer_a, files=[("a.png", b"x")])
    assert stash_sweep() == 0
    assert stash_sweep(now=timezone.now() + STASH_MAX_AGE + timedelta(hours=2)) == 1


def test_an_evidence_action_keeps_its_files_when_the_comment_is_missing(client, users, sites):
    hazard = hazard_record(actor=users.officer_a, site_id=sites.plant_a.pk, data=hazard_data())
    client.force_login(users.officer_a)
    url = reverse("hazards:hazard-act", args=[hazard.pk, "fix"])
    first = client.post(
        url, {"fix-version": hazard.version, "fix-files": [png_upload("整改后.png")]}
    )
    assert first.status_code == 200
    body = first.content.decode()
    match = re.search(r'name="fix-files_kept" value="([^"]+)"', body)
    assert match and "整改后.png" in body
    done = client.post(
        url,
        {"fix-version": hazard.version, "fix-comment": "已更换", "fix-files_kept": match.group(1)},
    )
    assert done.status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.FIXED
    assert [e.original_name for e in hazard.evidence.all()] == ["整改后.png"]


# --- duplicates ------------------------------------------------------------------------------


def test_an_open_hazard_found_long_ago_is_offered_as_a_duplicate(users, sites):
    old = hazard_record(
        actor=users.officer_a,
        site_id=sites.plant_a.pk,
        data=hazard_data(found_on=local_today() - timedelta(days=200)),
    )
    found = possible_duplicates(
        user=users.officer_a, site_id=sites.plant_a.pk, description=old.description
    )
    assert [d.hazard.pk for d in found] == [old.pk]


def test_closed_and_voided_hazards_found_long_ago_are_not_offered(users, sites):
    old = hazard_record(
        actor=users.officer_a,
        site_id=sites.plant_a.pk,
        data=hazard_data(found_on=local_today() - timedelta(days=200)),
    )
    for status in (HazardStatus.CLOSED, HazardStatus.VOIDED):
        Hazard.objects.filter(pk=old.pk).update(status=status)
        assert not possible_duplicates(
            user=users.officer_a, site_id=sites.plant_a.pk, description=old.description
        )
    # A recent closed one still is.
    Hazard.objects.filter(pk=old.pk).update(
        status=HazardStatus.CLOSED, found_on=local_today() - timedelta(days=10)
    )
    assert possible_duplicates(
        user=users.officer_a, site_id=sites.plant_a.pk, description=old.description
    )
