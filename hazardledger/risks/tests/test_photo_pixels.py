"""Risk point photos share every other picture's pixel limit (core.images, issue 8 item 2)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hazardledger.hazards.tests.images import png_claiming
from hazardledger.risks.models import RiskPointPhoto
from hazardledger.risks.tests.factories import RiskPointFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(
    ("width", "height", "message"),
    [
        # Pillow itself refuses this one while Django opens the upload.
        (30_000, 30_000, "Upload a valid image"),
        # 64 megapixels pass Pillow's limit; the shared one refuses them, with the reason.
        (8_000, 8_000, "The photo is too large a picture: at most 50 megapixels"),
    ],
)
def test_a_photo_too_large_in_pixels_is_refused(
    client, users, sites, settings, tmp_path, width, height, message
):
    settings.MEDIA_ROOT = tmp_path
    point = RiskPointFactory(site=sites.plant_a)
    client.force_login(users.officer_a)
    upload = SimpleUploadedFile("bomb.png", png_claiming(width, height), content_type="image/png")
    response = client.post(reverse("risks:photo-add", args=[point.pk]), {"image": upload})
    assert response.status_code == 200
    assert message in response.context["form"].errors["image"][0]
    assert not RiskPointPhoto.objects.exists()
