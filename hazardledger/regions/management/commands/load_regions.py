"""Load or refresh the Guangdong division tree (and, on demand, its villages)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hazardledger.regions.choices import RegionLevel
from hazardledger.regions.services import DEFAULT_LEVELS, regions_load, sectors_load


class Command(BaseCommand):
    help = "Load the division tree down to townships; --villages adds the 26,842 villages."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--villages", action="store_true", help="also load village level")

    def handle(self, *args: Any, villages: bool = False, **options: Any) -> None:
        levels = DEFAULT_LEVELS + ((RegionLevel.VILLAGE,) if villages else ())
        sectors = sectors_load()
        count = regions_load(levels=levels)
        self.stdout.write(self.style.SUCCESS(f"{count} divisions and {sectors} sectors loaded"))
