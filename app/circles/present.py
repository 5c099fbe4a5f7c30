"""Circle and community dictionaries for the schemas, with boundaries in the requested coordinates."""

from app.circles.models import CIRCLE_TYPES
from app.common.shapes import area_to_geojson


def summary(circle) -> dict:
    return {
        "id": circle.id,
        "name": circle.name,
        "circle_type": circle.circle_type,
        "circle_type_name": CIRCLE_TYPES.get(circle.circle_type),
        "city": circle.city.name,
        "city_id": circle.city_id,
        "district": circle.district,
        "street": circle.street,
        "population": circle.population,
        "planned_year": circle.planned_year,
        "synthetic": circle.synthetic,
    }


def community(item, coord: str | None = None) -> dict:
    data = {
        k: getattr(item, k)
        for k in (
            "id",
            "name",
            "population",
            "share_60_plus",
            "share_65_plus",
            "share_80_plus",
            "share_0_3",
            "phone",
            "synthetic",
        )
    }
    if coord is not None:
        data["boundary"] = area_to_geojson(item.boundary, coord)
    return data


def full(circle, coord: str) -> dict:
    return {
        **summary(circle),
        "four_bounds": circle.four_bounds,
        "profile": circle.profile or {},
        "external_id": circle.external_id,
        "boundary": area_to_geojson(circle.boundary, coord),
        "communities": [community(c, coord) for c in circle.communities],
        "coord": coord,
    }
