"""Signals the registry sends to the apps that copy a site's scope columns onto their rows."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the saving transaction after a site's region, sector or responsible enterprise
# changed, with ``site`` (already saved). Receivers re-copy those columns onto the rows they
# keep for the site, so that scope keeps following the site; an error rolls the change back.
site_relocated = Signal()
