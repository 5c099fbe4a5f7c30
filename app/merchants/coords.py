"""The API edge for merchant data: parsed bodies (points WGS-84 already, OutletFieldsSchema) → the payload's
flat lng/lat; WGS-84 payloads → request coordinates out."""

from app.common.geo import point_out


def payload_in(body: dict) -> dict:
    """`location` / `schedule[].location` (WGS-84 once parsed) → lng/lat, as payloads keep them; drops `coord`."""
    data = dict(body)
    data.pop("coord", None)
    location = data.pop("location", None)
    if location is not None:
        data["lng"], data["lat"] = location["lng"], location["lat"]
    if "schedule" in data:
        data["schedule"] = [
            {
                **{k: v for k, v in slot.items() if k != "location"},
                "lng": slot["location"]["lng"],
                "lat": slot["location"]["lat"],
            }
            for slot in data["schedule"]
        ]
    return data


def _flat(slot: dict) -> dict:
    point = slot["location"]
    return {**{k: v for k, v in slot.items() if k != "location"}, "lng": point["lng"], "lat": point["lat"]}


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
