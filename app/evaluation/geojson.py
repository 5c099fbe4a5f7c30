"""GeoJSON at the API edge: WGS-84 geometries (as computed and cached) converted to the requested system."""

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from app.common import geo


def convert(geometry: dict | None, coord: str) -> dict | None:
    if geometry is None or coord == "wgs84":
        return geometry
    converted = shapely.transform(
        shape(geometry), lambda xy: np.array([geo.from_wgs84(x, y, coord) for x, y in xy], dtype=float)
    )
    return _rounded(mapping(converted))


def _rounded(value):
    """Tuples → lists and 7 decimals (~1 cm), as the rest of the API prints coordinates."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    if isinstance(value, float):
        return round(value, 7)
    return value


def features_in(features: list[dict], coord: str) -> list[dict]:
    return [{**f, "geometry": convert(f["geometry"], coord)} for f in features]


def point(lng: float, lat: float, coord: str) -> dict:
    x, y = geo.from_wgs84(lng, lat, coord)
    return {"type": "Point", "coordinates": [round(x, 7), round(y, 7)]}
