"""Compile the translation catalogues (locale/*/LC_MESSAGES/*.po → .mo) with Babel.

Django's ``compilemessages`` needs GNU gettext's msgfmt, which a fresh machine may lack; Babel
is a Python package, so the set-up can always compile. Fuzzy entries are left out, as msgfmt
does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every .po catalogue under LOCALE_PATHS into its .mo file."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for root in settings.LOCALE_PATHS:
            for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
                with po_path.open("rb") as handle:
                    catalog = read_po(handle, locale=po_path.parts[-3])
                with po_path.with_suffix(".mo").open("wb") as handle:
                    write_mo(handle, catalog, use_fuzzy=False)
                count += 1
        if options["verbosity"] > 0:
            self.stdout.write(f"{count} catalogues compiled")
