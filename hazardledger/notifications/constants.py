"""Limits of notification delivery."""

from __future__ import annotations

from datetime import timedelta

# A delivery is given up ("failed") after this many attempts.
MAX_ATTEMPTS = 8
# A delivery still "sending" after this long was interrupted (a crash mid-send): it is marked
# failed, never sent again, because it may or may not have gone out.
STALE_SENDING = timedelta(minutes=10)
# How many due deliveries one sweep sends.
SWEEP_BATCH = 500
INTERRUPTED = "interrupted: may or may not have been sent"
