"""Evidence is stored without the photo's location; the row and the history event carry the hash
of the stored bytes and of the upload (issue 10, cross-checks)."""

from __future__ import annotations

import hashlib
import io
import struct
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hazardledger.hazards.choices import HazardAction, HazardGrade, HazardStatus
from hazardledger.hazards.evidence import check_upload
from hazardledger.hazards.history import verify_all
from hazardledger.hazards.metadata import strip_location

from .factories import act, hazard_in_state, pdf_upload, png_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

GPS, EXIF_IFD, ORIENTATION, TAKEN = 0x8825, 0x8769, 0x0112, 36867
XMP_GPS = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
    b'exif:GPSLatitude="23,7.5N" exif:GPSLongitude="113,19.2E"/></rdf:RDF></x:xmpmeta>'
)


def _exif(gps: bool = True) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif.get_ifd(EXIF_IFD)[TAKEN] = "2026:03:06 09:30:15"
    if gps:
        info = exif.get_ifd(GPS)
        info.update({1: "N", 2: (23.0, 7.0, 30.0), 3: "E", 4: (113.0, 19.0, 12.0)})
    return exif


def _photo(fmt: str, gps: bool = True) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(out, format=fmt, exif=_exif(gps).tobytes())
    return out.getvalue()


def _jpeg_with_xmp() -> bytes:
    data = _photo("JPEG")
    payload = b"http://ns.adobe.com/xap/1.0/\x00" + XMP_GPS
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return data[:2] + segment + data[2:]


def _read_exif(data: bytes) -> Image.Exif:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.getexif()


@pytest.mark.parametrize(
    ("fmt", "mime"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_the_location_leaves_the_stored_photo_and_nothing_else_does(fmt, mime):
    original = _photo(fmt)
    assert GPS in _read_exif(original)
    stored = strip_location(original, mime)
    exif = _read_exif(stored)
    assert GPS not in exif
    assert exif[ORIENTATION] == 6
    assert exif.get_ifd(EXIF_IFD)[TAKEN] == "2026:03:06 09:30:15"
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(stored)) as after:
        assert before.tobytes() == after.tobytes()  # not re-encoded


def test_an_xmp_packet_naming_the_position_is_dropped():
    stored = strip_location(_jpeg_with_xmp(), "image/jpeg")
    assert b"GPSLatitude" not in stored and GPS not in _read_exif(stored)


def test_a_photo_without_location_and_a_pdf_are_stored_as_uploaded():
    plain = _photo("JPEG", gps=False)
    assert strip_location(plain, "image/jpeg") is plain
    document = pdf_upload().read()
    assert strip_location(document, "application/pdf") is document


def test_a_photo_whose_metadata_cannot_be_walked_is_re_encoded_without_it():
    data = _photo("JPEG")
    broken = data[:2] + b"\xff\xe1\x00\x01" + data[2:]  # a segment length below 2
    stored = strip_location(broken, "image/jpeg")
    assert GPS not in _read_exif(stored)


def test_both_hashes_are_on_the_row_and_in_the_event(
    users, sites, django_capture_on_commit_callbacks
):
    hazard = hazard_in_state(
        status=HazardStatus.RECTIFYING,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
    )
    upload = _photo("JPEG")
    with django_capture_on_commit_callbacks(execute=True):
        hazard = act(
            hazard,
            HazardAction.SUBMIT,
            users.officer_a,
            files=[SimpleUploadedFile("site.jpg", upload), png_upload("plain.png")],
        )
    photo, plain = hazard.evidence.order_by("id")
    with photo.file.open("rb") as handle:
        stored = handle.read()
    assert photo.original_sha256 == hashlib.sha256(upload).hexdigest()
    assert photo.sha256 == hashlib.sha256(stored).hexdigest() != photo.original_sha256
    assert photo.size == len(stored) and GPS not in _read_exif(stored)
    # The position was read before it was removed, and stays on the row for those in scope.
    assert photo.latitude == Decimal("23.125000")
    assert plain.sha256 == plain.original_sha256
    event = hazard.events.get(action=HazardAction.SUBMIT)
    assert [(f["sha256"], f["original_sha256"]) for f in event.data["files"]] == [
        (photo.sha256, photo.original_sha256),
        (plain.sha256, plain.original_sha256),
    ]
    assert verify_all()[2] == []


def test_checked_file_describes_both_hashes():
    checked = check_upload(SimpleUploadedFile("a.jpg", _photo("JPEG")))
    described = checked.describe()
    assert described["sha256"] != described["original_sha256"]
    assert described["size"] == len(checked.content())
