"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

from hazardledger.core.startup import freeze_loaded_objects  # noqa: E402 - after set-up

freeze_loaded_objects()
