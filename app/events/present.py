"""Event dictionaries with the place in the requested coordinate system."""

from app.common.clock import now_local
from app.common.geo import point_out
from app.events.models import EVENT_THEMES
from app.outlets.present import walk_minutes


def event_out(event, lng: float, lat: float, coord: str, distance_m: float | None = None) -> dict:
    today = now_local().date()
    status = "upcoming" if event.starts_on > today else "ended" if event.ends_on < today else "ongoing"
    return {
        **{k: getattr(event, k) for k in ("id", "circle_id", "title", "theme", "description", "address")},
        "theme_name": EVENT_THEMES[event.theme],
        "location": point_out(lng, lat, coord),
        **{k: getattr(event, k) for k in ("starts_on", "ends_on", "organiser")},
        "status": status,
        "distance_m": None if distance_m is None else int(round(distance_m)),
        "walk_minutes": walk_minutes(distance_m),
    }
