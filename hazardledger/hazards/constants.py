"""Limits and defaults of the hazard ledger (each can be overridden in settings)."""

from __future__ import annotations

from django.conf import settings


def evidence_max_bytes() -> int:
    """Largest evidence file accepted (``HAZARD_EVIDENCE_MAX_BYTES``, default 10 MiB)."""
    return int(getattr(settings, "HAZARD_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


# At most this many files in one upload.
EVIDENCE_MAX_FILES = 10
# Longest side of a photo thumbnail, in pixels.
THUMBNAIL_SIZE = 400
# The ledger counts at most this many rows exactly; above it the page says "more than".
LEDGER_COUNT_CAP = 10_000
LEDGER_PAGE_SIZE = 25
# Likely duplicates: same site, still open or found within this many days, description this
# similar (0..1).
DUPLICATE_WINDOW_DAYS = 90
DUPLICATE_MIN_SIMILARITY = 0.5
DUPLICATE_MAX_CANDIDATES = 200
# Largest export, in rows.
EXPORT_MAX_ROWS = 100_000
