"""The API edge for merchant data: request coordinates → WGS-84 in, WGS-84 → request coordinates out."""

from app.common import geo
from app.common.geo import point_out


def body_to_wgs84(body: dict) -> dict:
    """`location`/`schedule[].location` in body["coord"] → lng/lat in WGS-84; drops `coord`."""
    data = dict(body)
    coord = data.pop("coord", "gcj02")
    location = data.pop("location", None)
    if location is not None:
        data["lng"], data["lat"] = geo.to_wgs84(location["lng"], location["lat"], coord)
    if "schedule" in data:
        data["schedule"] = [
            {**{k: v for k, v in slot.items() if k != "location"}, **_lnglat(slot["location"], coord)}
            for slot in data["schedule"]
        ]
    return data


def _lnglat(point: dict, coord: str) -> dict:
    lng, lat = geo.to_wgs84(point["lng"], point["lat"], coord)
    return {"lng": lng, "lat": lat}


def payload_out(payload: dict, coord: str) -> dict:
    data = {k: v for k, v in payload.items() if k not in ("lng", "lat")}
    if "lng" in payload:
        data["location"] = point_out(payload["lng"], payload["lat"], coord)
    if "schedule" in payload:
        data["schedule"] = [
            {
                **{k: v for k, v in s.items() if k not in ("lng", "lat")},
                "location": point_out(s["lng"], s["lat"], coord),
            }
            for s in payload["schedule"]
        ]
    return data
