"""One check for every uploaded picture: its size in pixels, read from its header.

A 71-byte PNG can claim 30,000 × 30,000 pixels; decoding it (for a thumbnail, a PDF, even
Pillow's ``verify`` on some formats) would take gigabytes, and Pillow refuses it only with an
exception nobody caught. ``image_check`` opens the header alone (Pillow reads no pixel until
asked), refuses anything past ``IMAGE_MAX_PIXELS`` or ``IMAGE_MAX_SIDE`` with a message, and
then verifies the file. Evidence, quick reports, inspection photos and signatures, and risk
point photos all call it before they keep a picture.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image


class UnreadableImage(ValueError):
    """Pillow cannot open or verify the picture; callers say so in their own words."""


def image_too_large(label: str) -> ValidationError:
    return ValidationError(
        _(
            "%(what)s is too large a picture: at most %(mp)s megapixels and %(side)s pixels on "
            "its longer side. Take it at a lower resolution or shrink it, and try again."
        )
        % {
            "what": label,
            "mp": f"{settings.IMAGE_MAX_PIXELS / 1_000_000:g}",
            "side": f"{settings.IMAGE_MAX_SIDE:,}",
        },
        code="too_large_image",
    )


def image_check(data: bytes, *, label: str) -> tuple[int, int]:
    """Return the picture's (width, height) once its size is within the limits and Pillow
    could verify it.

    Raises ``ValidationError`` (code ``too_large_image``, naming ``label``) for a picture past
    the limits, Pillow's own decompression-bomb refusal included; ``UnreadableImage`` for
    anything Pillow cannot open or verify. Nothing is decoded.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Image.DecompressionBombError as exc:
        raise image_too_large(label) from exc
    except Exception as exc:  # Pillow's plugins raise many kinds for hostile headers
        raise UnreadableImage(str(exc)) from exc
    if width * height > settings.IMAGE_MAX_PIXELS or max(width, height) > settings.IMAGE_MAX_SIDE:
        raise image_too_large(label)
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception as exc:
        raise UnreadableImage(str(exc)) from exc
    return width, height
