"""The outlet page: outlets' own part, then what repair and ratings add."""

from app.common import geo
from app.outlets import present, service, stalls
from app.ratings.service import recent_ratings_for
from app.repair.service import price_list_for


def outlet_page(outlet_id: int, coord: str, here: tuple[float, float] | None) -> dict:
    """One approved (or suspended) outlet; `here` is the resident's WGS-84 (lng, lat) for the distance."""
    outlet = service.get_outlet(outlet_id)
    schedule = stalls.schedule_for(outlet.id) if outlet.mobile else []
    lnglat, place = service.outlet_lnglat(outlet), None
    if outlet.mobile:  # found where it is now, or where it goes next
        place = stalls.place_now(schedule, stalls.current_slots([outlet.id]).get(outlet.id))
        if place is not None:
            lnglat = place["lng"], place["lat"]
    distance = None if here is None else geo.geodesic_distance_m(*here, *lnglat)
    page = present.detail(outlet, lnglat, coord, distance, schedule)
    if place is not None and place["address"]:
        page["address"] = place["address"]
    page["price_list"] = price_list_for(outlet.id)
    page["recent_ratings"] = recent_ratings_for(outlet.id)
    return page
