"""Write the dashboard map's boundary files from the bundled division data.

The maps read static files (no internet): ``reporting/geo/44.json``, the province by city, and
``reporting/geo/<city code>.json``, each city by district, cut from the GeoJSON files that
``hazardledger/regions/data`` bundles (their source and licence: that folder's README.md).
Coordinates are rounded to 4 decimals (about 10 m), which keeps the files small and changes
nothing a choropleth shows. Run again only when those files change; the output is committed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

SOURCE = Path(settings.BASE_DIR) / "hazardledger" / "regions" / "data"
TARGET = Path(__file__).resolve().parents[2] / "static" / "reporting" / "geo"
DECIMALS = 4
# 东沙群岛 has polygons but no row in the NBS division table: no figure can colour it, so it
# is left out of the maps.
NO_DIVISION = {"4421"}


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, list):
        return [_round(item) for item in value]
    return value


def _feature(feature: dict[str, Any]) -> dict[str, Any]:
    """The feature with only what the map uses: its division code, name and label point."""
    properties = feature["properties"]
    kept = {"code": str(properties["code"]), "name": properties["name"]}
    # ECharts places an area's label (and our tests click) at ``cp``.
    point = properties.get("centroid") or properties.get("center")
    if point:
        kept["cp"] = _round([float(point[0]), float(point[1])])
    return {
        "type": "Feature",
        "properties": kept,
        "geometry": {
            "type": feature["geometry"]["type"],
            "coordinates": _round(feature["geometry"]["coordinates"]),
        },
    }


def _write(path: Path, features: list[dict[str, Any]]) -> int:
    text = json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


class Command(BaseCommand):
    help = "Write the dashboard map's boundary files (static/reporting/geo) from regions/data."

    def handle(self, *args: Any, **options: Any) -> None:
        TARGET.mkdir(parents=True, exist_ok=True)
        cities = json.loads((SOURCE / "guangdong-cities.geojson").read_text(encoding="utf-8"))
        counties = json.loads((SOURCE / "guangdong-counties.geojson").read_text(encoding="utf-8"))
        kept = [f for f in cities["features"] if str(f["properties"]["code"]) not in NO_DIVISION]
        size = _write(TARGET / "44.json", [_feature(f) for f in kept])
        self.stdout.write(f"44.json: {len(kept)} cities, {size} bytes")
        by_city: dict[str, list[dict[str, Any]]] = {}
        for feature in counties["features"]:
            code = str(feature["properties"]["code"])
            by_city.setdefault(code[:4], []).append(_feature(feature))
        for city, features in sorted(by_city.items()):
            if city in NO_DIVISION:
                continue
            size = _write(TARGET / f"{city}.json", features)
            self.stdout.write(f"{city}.json: {len(features)} districts, {size} bytes")
