"""Evidence files: type from content, size limits (bytes and pixels), thumbnails, EXIF time and
GPS."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from hazardledger.accounts.choices import Role
from hazardledger.accounts.tests.factories import UserFactory
from hazardledger.hazards.choices import HazardAction, HazardGrade, HazardStatus
from hazardledger.hazards.evidence import check_upload, check_uploads
from hazardledger.hazards.models import Evidence, Hazard, QuickReport

from .factories import act, hazard_in_state, pdf_upload, png_upload, record
from .images import png_claiming

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def jpeg_with_exif() -> SimpleUploadedFile:
    image = Image.new("RGB", (800, 600), "blue")
    exif = Image.Exif()
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[36867] = "2026:03:06 09:30:15"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (23.0, 7.0, 30.0)
    gps[3] = "E"
    gps[4] = (113.0, 19.0, 12.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile("IMG_0001.JPG", out.getvalue(), content_type="image/jpeg")


def test_renamed_exe_is_refused_with_a_clear_message():
    upload = SimpleUploadedFile("photo.jpg", EXE, content_type="image/jpeg")
    with pytest.raises(ValidationError) as info:
        check_upload(upload)
    assert (
        "“photo.jpg” is not a photo (JPEG, PNG, WebP) or a PDF document" in info.value.messages[0]
    )


def test_oversized_file_is_refused_with_a_clear_message(settings):
    settings.HAZARD_EVIDENCE_MAX_BYTES = 1024
    upload = png_upload(size=(400, 400))
    upload.size = 5 * 1024 * 1024
    with pytest.raises(ValidationError) as info:
        check_upload(upload)
    assert "files may be at most 1.0\xa0KB" in info.value.messages[0]
    assert "“photo.png” is 5.0\xa0MB" in info.value.messages[0]


def test_truncated_image_is_refused():
    data = png_upload().read()[:40]
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("x.png", data))


def test_pdf_and_webp_are_accepted():
    assert check_upload(pdf_upload()).kind == "document"
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="WEBP")
    checked = check_upload(SimpleUploadedFile("a.bin", out.getvalue()))
    assert (checked.kind, checked.extension) == ("photo", "webp")


def test_every_refused_file_is_named_and_the_count_is_limited():
    uploads = [png_upload(), SimpleUploadedFile("a.jpg", EXE), SimpleUploadedFile("b.jpg", EXE)]
    with pytest.raises(ValidationError) as info:
        check_uploads(uploads)
    assert [m[:7] for m in info.value.messages] == ["“a.jpg”", "“b.jpg”"]
    with pytest.raises(ValidationError) as info:
        check_uploads([png_upload() for _ in range(11)])
    assert info.value.messages == ["At most 10 files at a time."]


def test_exif_time_and_gps_are_read():
    checked = check_upload(jpeg_with_exif())
    assert checked.taken_at == datetime(2026, 3, 6, 9, 30, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert checked.latitude == Decimal("23.125000")
    assert checked.longitude == Decimal("113.320000")


def test_refused_file_changes_nothing(users, sites):
    hazard = hazard_in_state(
        status=HazardStatus.RECTIFYING,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
    )
    bad = SimpleUploadedFile("evidence.jpg", EXE)
    with pytest.raises(ValidationError) as info:
        act(hazard, HazardAction.SUBMIT, users.officer_a, files=[png_upload(), bad])
    assert "files" in info.value.message_dict
    fresh = Hazard.objects.get(pk=hazard.pk)
    assert (fresh.status, fresh.version) == (HazardStatus.RECTIFYING, hazard.version)
    assert not Evidence.objects.filter(hazard=hazard).exists()


def test_stored_with_thumbnail_and_hash_in_history(
    users, sites, django_capture_on_commit_callbacks
):
    hazard = hazard_in_state(
        status=HazardStatus.RECTIFYING,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
    )
    with django_capture_on_commit_callbacks(execute=True):  # files are stored on commit
        hazard = act(
            hazard, HazardAction.SUBMIT, users.officer_a, files=[jpeg_with_exif(), pdf_upload()]
        )
    photo, document = hazard.evidence.order_by("id")
    assert photo.file.name.endswith(".jpg") and photo.thumbnail.name.endswith(".jpg")
    assert document.file.name.endswith(".pdf") and not document.thumbnail
    assert photo.taken_at is not None and photo.latitude == Decimal("23.125000")
    with photo.thumbnail.open("rb") as handle:
        assert max(Image.open(handle).size) <= 400
    event = hazard.events.get(action=HazardAction.SUBMIT)
    assert [f["sha256"] for f in event.data["files"]] == [photo.sha256, document.sha256]
    assert photo.event_id == event.pk


# --- pixel bombs (issue 8 item 2) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (30_000, 30_000),  # past Pillow's own limit: it raised DecompressionBombError, a 500
        (8_000, 8_000),  # 64 megapixels: Pillow would decode it, slowly
        (20_000, 100),  # a side longer than any camera's
    ],
)
def test_a_picture_too_large_in_pixels_is_refused_before_it_is_decoded(width, height):
    upload = SimpleUploadedFile("bomb.png", png_claiming(width, height))
    with pytest.raises(ValidationError) as info:
        check_upload(upload)
    assert info.value.code == "too_large_image"
    assert "“bomb.png” is too large a picture: at most 50 megapixels" in info.value.messages[0]


def test_the_pixel_limit_is_a_setting(settings):
    settings.IMAGE_MAX_PIXELS = 1000
    with pytest.raises(ValidationError) as info:
        check_upload(png_upload(size=(64, 48)))
    assert "at most 0.001 megapixels" in info.value.messages[0]


@pytest.fixture
def people(users, orgs):
    users.worker_a = UserFactory(
        username="worker_a", role=Role.ENTERPRISE_WORKER, organisation=orgs.ent_a
    )
    return users


def test_a_pixel_bomb_as_evidence_on_the_hazard_page_changes_nothing(client, people, sites):
    hazard = record(sites.plant_a, people.officer_a)
    client.force_login(people.officer_a)
    response = client.post(
        reverse("hazards:hazard-act", args=[hazard.pk, "fix"]),
        {
            "fix-version": hazard.version,
            "fix-comment": "已更换",
            "fix-files": [SimpleUploadedFile("bomb.png", png_claiming(30_000, 30_000))],
        },
    )
    assert response.status_code == 200
    assert "is too large a picture" in response.content.decode()
    fresh = Hazard.objects.get(pk=hazard.pk)
    assert (fresh.status, fresh.version) == (hazard.status, hazard.version)
    assert not Evidence.objects.exists()


def test_a_pixel_bomb_in_a_quick_report_changes_nothing(client, people, sites):
    client.force_login(people.worker_a)
    response = client.post(
        reverse("hazards:report-add"),
        {
            "site": sites.plant_a.pk,
            "description": "漏油",
            "files": [SimpleUploadedFile("bomb.png", png_claiming(30_000, 30_000))],
        },
    )
    assert response.status_code == 200
    assert "is too large a picture" in response.content.decode()
    assert not QuickReport.objects.exists()
    assert not Evidence.objects.exists()
