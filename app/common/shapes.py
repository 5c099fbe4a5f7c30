"""GeoJSON geometries at the API edge: validation, coordinate conversion, storage form."""

import numpy as np
import shapely
from geoalchemy2.shape import from_shape, to_shape
from shapely import make_valid
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

from app.common import geo
from app.common.errors import ValidationFailed


def _convert(geometry, convert):
    return shapely.transform(geometry, lambda coords: np.array([convert(x, y) for x, y in coords], dtype=float))


def area_from_geojson(data: dict, coord: str, field: str = "boundary"):
    """A GeoJSON Polygon/MultiPolygon in `coord` → WGS-84 MultiPolygon element for storage."""
    try:
        geometry = shape(data)
    except Exception:  # shapely raises several types for malformed input
        raise ValidationFailed(details={field: ["不是有效的 GeoJSON 几何"]}) from None
    if not isinstance(geometry, (Polygon, MultiPolygon)) or geometry.is_empty:
        raise ValidationFailed(details={field: ["边界必须是非空的 Polygon 或 MultiPolygon"]})
    minx, miny, maxx, maxy = geometry.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationFailed(details={field: ["坐标超出经纬度范围"]})
    if coord != "wgs84":
        geometry = _convert(geometry, lambda x, y: geo.to_wgs84(x, y, coord))
    if not geometry.is_valid:
        geometry = make_valid(geometry)
        polygons = [g for g in getattr(geometry, "geoms", [geometry]) if isinstance(g, (Polygon, MultiPolygon))]
        if not polygons:
            raise ValidationFailed(details={field: ["边界自相交且无法修复"]})
        geometry = MultiPolygon([p for g in polygons for p in getattr(g, "geoms", [g])])
    if isinstance(geometry, Polygon):
        geometry = MultiPolygon([geometry])
    return from_shape(geometry, srid=4326)


def area_to_geojson(element, coord: str) -> dict | None:
    if element is None:
        return None
    geometry = to_shape(element)
    if coord != "wgs84":
        geometry = _convert(geometry, lambda x, y: geo.from_wgs84(x, y, coord))
    return mapping(geometry)
