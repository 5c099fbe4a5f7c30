"""Coordinates, distances and walking time.

Everything stored or computed server-side is WGS-84. Maps and mini-programs in mainland China (WeChat,
AMap, Tencent) speak GCJ-02, the legally required obfuscated datum, so the API converts at its edge:
`to_wgs84` on input, `from_wgs84` on output. Outside mainland China (including Taiwan, Hong Kong and
Macau) GCJ-02 is not applied, so both transforms leave such points untouched.
"""

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from geoalchemy2 import Geography
from geoalchemy2.shape import from_shape
from pyproj import Geod
from shapely.geometry import Point, shape
from sqlalchemy import cast, func

# The GCJ-02 algorithm is defined on the Krasovsky 1940 ellipsoid, not on WGS-84's.
_A = 6378245.0
_EE = 0.00669342162296594323

_OUTLINE_PATH = Path(__file__).with_name("data") / "mainland_china_outline.json"
# Cheap pre-check before the polygon test; generous on purpose (the polygon decides).
_BBOX = (73.0, 17.5, 135.5, 54.0)

# Residual of the forward transform at which the inverse stops. The map is a contraction with a tiny
# Jacobian (~1e-3), so this is reached in 3-4 steps; the cap only guards against pathological input.
_INVERSE_TOL_DEG = 1e-10
_INVERSE_MAX_STEPS = 20

# What `coord` may name; the first is the API's default (what wx.getLocation/openLocation use).
COORD_SYSTEMS = ("gcj02", "wgs84")

_GEOD = Geod(ellps="WGS84")


def _delta(lng, lat, xp=math):
    """The GCJ-02 offset (dlng, dlat) in degrees, applied unconditionally.

    `xp=np` computes it for whole arrays at once (bulk imports); the formula is the same one.
    """
    x, y = lng - 105.0, lat - 35.0
    sqrt_abs_x = xp.sqrt(abs(x))
    common = (20.0 * xp.sin(6.0 * x * math.pi) + 20.0 * xp.sin(2.0 * x * math.pi)) * 2.0 / 3.0

    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x + common
    dlat += (20.0 * xp.sin(y * math.pi) + 40.0 * xp.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * xp.sin(y / 12.0 * math.pi) + 320.0 * xp.sin(y * math.pi / 30.0)) * 2.0 / 3.0

    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x + common
    dlng += (20.0 * xp.sin(x * math.pi) + 40.0 * xp.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlng += (150.0 * xp.sin(x / 12.0 * math.pi) + 300.0 * xp.sin(x / 30.0 * math.pi)) * 2.0 / 3.0

    rad_lat = xp.radians(lat)
    magic = 1.0 - _EE * xp.sin(rad_lat) ** 2
    sqrt_magic = xp.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * xp.cos(rad_lat) * math.pi)
    return dlng, dlat


@lru_cache(maxsize=1)
def _mainland():
    # Built on first use so importing this module stays cheap; prepared once, then reused.
    with _OUTLINE_PATH.open(encoding="utf-8") as f:
        geom = shape(json.load(f))
    shapely.prepare(geom)
    return geom


def in_mainland_china(lng, lat) -> bool:
    """True where GCJ-02 applies: mainland China, not Taiwan, Hong Kong or Macau.

    The outline is coarse (a few km near land borders); it is meant to get cities right, not border posts.
    """
    min_lng, min_lat, max_lng, max_lat = _BBOX
    if not (min_lng <= lng <= max_lng and min_lat <= lat <= max_lat):  # also False for NaN
        return False
    return bool(shapely.contains_xy(_mainland(), lng, lat))


def wgs84_to_gcj02(lng, lat):
    if not in_mainland_china(lng, lat):
        return lng, lat
    dlng, dlat = _delta(lng, lat)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng, lat):
    if not in_mainland_china(lng, lat):
        return lng, lat
    # There is no closed-form inverse. Solve w + delta(w) = g by fixed-point iteration; the first step is
    # the usual "simple" inverse g - delta(g), which alone is off by up to a few metres.
    w_lng, w_lat = lng, lat
    for _ in range(_INVERSE_MAX_STEPS):
        dlng, dlat = _delta(w_lng, w_lat)
        err_lng, err_lat = w_lng + dlng - lng, w_lat + dlat - lat
        if abs(err_lng) < _INVERSE_TOL_DEG and abs(err_lat) < _INVERSE_TOL_DEG:
            break
        w_lng, w_lat = w_lng - err_lng, w_lat - err_lat
    return w_lng, w_lat


def gcj02_to_wgs84_many(lngs, lats):
    """gcj02_to_wgs84 over numpy arrays (bulk imports): the same iteration, each point stopping where the
    scalar version stops, so both give the same coordinates."""
    lngs, lats = np.asarray(lngs, dtype=float), np.asarray(lats, dtype=float)
    w_lng, w_lat = lngs.copy(), lats.copy()
    active = in_mainland_china_many(lngs, lats)
    for _ in range(_INVERSE_MAX_STEPS):
        if not active.any():
            break
        dlng, dlat = _delta(w_lng[active], w_lat[active], np)
        err_lng, err_lat = w_lng[active] + dlng - lngs[active], w_lat[active] + dlat - lats[active]
        moving = (np.abs(err_lng) >= _INVERSE_TOL_DEG) | (np.abs(err_lat) >= _INVERSE_TOL_DEG)
        index = np.flatnonzero(active)[moving]
        w_lng[index] -= err_lng[moving]
        w_lat[index] -= err_lat[moving]
        active[:] = False
        active[index] = True
    return w_lng, w_lat


def in_mainland_china_many(lngs, lats):
    """in_mainland_china over numpy arrays."""
    min_lng, min_lat, max_lng, max_lat = _BBOX
    inside = (lngs >= min_lng) & (lngs <= max_lng) & (lats >= min_lat) & (lats <= max_lat)
    if inside.any():
        inside[inside] = shapely.contains_xy(_mainland(), lngs[inside], lats[inside])
    return inside


# BD-09 (Baidu) is GCJ-02 shifted once more, everywhere (Baidu applies it outside China too).
_BD_X_PI = math.pi * 3000.0 / 180.0


def gcj02_to_bd09(lng, lat, xp=math):
    z = xp.sqrt(lng * lng + lat * lat) + 0.00002 * xp.sin(lat * _BD_X_PI)
    theta = xp.arctan2(lat, lng) if xp is np else math.atan2(lat, lng)
    theta = theta + 0.000003 * xp.cos(lng * _BD_X_PI)
    return z * xp.cos(theta) + 0.0065, z * xp.sin(theta) + 0.006


def bd09_to_gcj02(lng, lat, xp=math):
    """Inverse of gcj02_to_bd09: the usual closed form, then fixed-point steps until the forward transform
    gives the input back (the closed form alone is off by up to ~1 m)."""
    x, y = lng - 0.0065, lat - 0.006
    z = xp.sqrt(x * x + y * y) - 0.00002 * xp.sin(y * _BD_X_PI)
    theta = (xp.arctan2(y, x) if xp is np else math.atan2(y, x)) - 0.000003 * xp.cos(x * _BD_X_PI)
    g_lng, g_lat = z * xp.cos(theta), z * xp.sin(theta)
    for _ in range(_INVERSE_MAX_STEPS):
        b_lng, b_lat = gcj02_to_bd09(g_lng, g_lat, xp)
        err_lng, err_lat = b_lng - lng, b_lat - lat
        g_lng, g_lat = g_lng - err_lng, g_lat - err_lat
        if np.all(np.abs(err_lng) < _INVERSE_TOL_DEG) and np.all(np.abs(err_lat) < _INVERSE_TOL_DEG):
            break
    return g_lng, g_lat


def bd09_to_wgs84(lng, lat):
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


def to_wgs84_many(lngs, lats, coord: str):
    """Arrays of coordinates in `coord` (wgs84, gcj02 or Baidu's bd09) → WGS-84 arrays."""
    lngs, lats = np.asarray(lngs, dtype=float), np.asarray(lats, dtype=float)
    if coord == "bd09":
        lngs, lats = bd09_to_gcj02(lngs, lats, np)
        coord = "gcj02"
    if coord == "gcj02":
        return gcj02_to_wgs84_many(lngs, lats)
    _check_coord(coord)
    return lngs, lats


def _check_coord(coord):
    if coord not in COORD_SYSTEMS:
        raise ValueError(f"unknown coordinate system {coord!r}; expected one of {', '.join(COORD_SYSTEMS)}")
    return coord


def to_wgs84(lng, lat, coord):
    """Client coordinates in `coord` → WGS-84 (API input)."""
    if _check_coord(coord) == "gcj02":
        return gcj02_to_wgs84(lng, lat)
    return lng, lat


def from_wgs84(lng, lat, coord):
    """WGS-84 → the client's `coord` (API output)."""
    if _check_coord(coord) == "gcj02":
        return wgs84_to_gcj02(lng, lat)
    return lng, lat


def point_out(lng: float, lat: float, coord: str) -> dict:
    """A stored WGS-84 point → the contract's `{"lat", "lng"}` in `coord`, 7 decimals (~1 cm)."""
    out_lng, out_lat = from_wgs84(lng, lat, coord)
    return {"lat": round(out_lat, 7), "lng": round(out_lng, 7)}


def points_out(value, coord: str):
    """Every stored point (`{"lat", "lng"}`, maybe labelled `"coord": "wgs84"`) of a JSON-ready value, in `coord`.

    For documents assembled from many domains (the personal-data export), whose parts know no request.
    """
    if isinstance(value, dict):
        if isinstance(value.get("lat"), (int, float)) and isinstance(value.get("lng"), (int, float)):
            labelled = {"coord": coord} if "coord" in value else {}
            return {**value, **point_out(value["lng"], value["lat"], coord), **labelled}
        return {key: points_out(item, coord) for key, item in value.items()}
    if isinstance(value, list):
        return [points_out(item, coord) for item in value]
    return value


# The one way to build a point: a value to store, an SQLAlchemy expression, or text SQL with :lng/:lat.
def point(lng: float, lat: float):
    """A WGS-84 point to store in a geography/geometry column (SRID 4326)."""
    return from_shape(Point(lng, lat), srid=4326)


def point_expr(lng: float, lat: float):
    """The same point as an SQLAlchemy geometry expression (planar predicates: containment)."""
    return func.ST_SetSRID(func.ST_MakePoint(lng, lat), 4326)


def geography_expr(lng: float, lat: float):
    """The same point as geography (metres on the ellipsoid: distances, radii)."""
    return cast(point_expr(lng, lat), Geography)


# Text-SQL forms of point_expr and geography_expr over the bound parameters :lng and :lat (the hot queries).
POINT_GEOMETRY_SQL = "ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)"
POINT_SQL = f"CAST({POINT_GEOMETRY_SQL} AS geography)"


def walk_radius_m(minutes: float, speed_m_per_min: float = 80.0, detour_factor: float = 1.2) -> int:
    """The straight-line radius walked in `minutes`: the inverse of walk_minutes (15 minutes ≈ 1 km)."""
    return int(minutes * speed_m_per_min / detour_factor)


def walk_minutes(distance_m, speed_m_per_min=80.0, detour_factor=1.2) -> int:
    """Minutes to walk a straight-line distance, rounded up.

    Straight-line distance under-counts walking along streets, hence the detour factor; with the defaults
    (80 m/min, ×1.2) 1 km straight ≈ 15 minutes, the programme's definition of the circle.
    """
    if speed_m_per_min <= 0:
        raise ValueError("speed_m_per_min must be positive")
    if distance_m <= 0:
        return 0
    # Rounded first so float noise (e.g. 15.000000000000002) does not add a whole minute.
    return math.ceil(round(distance_m * detour_factor / speed_m_per_min, 9))


def geodesic_distance_m(lng1, lat1, lng2, lat2) -> float:
    """Distance in metres on the WGS-84 ellipsoid (what PostGIS geography computes, too)."""
    _, _, dist = _GEOD.inv(lng1, lat1, lng2, lat2)
    return float(dist)
