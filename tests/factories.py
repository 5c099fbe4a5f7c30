"""Factories for test data; coordinates are WGS-84 unless a test converts them itself."""

import itertools
import math

from flask_jwt_extended import create_access_token
from shapely.geometry import MultiPolygon, box, mapping

from app.auth.models import User
from app.circles.models import Circle, City, Community
from app.common.shapes import area_from_geojson
from app.outlets.models import Outlet
from app.outlets.service import apply_fields

MIYUN = (116.8431, 40.3765)
_seq = itertools.count(1)


def square(lng, lat, half_m):
    """A square of side 2*half_m metres centred on (lng, lat)."""
    dlat = half_m / 111_320
    dlng = half_m / (111_320 * math.cos(math.radians(lat)))
    return mapping(MultiPolygon([box(lng - dlng, lat - dlat, lng + dlng, lat + dlat)]))


class Factory:
    def __init__(self, db):
        self.db = db

    def city(self, name=None, tier="other", **fields):
        city = City(
            name=name or f"测试市{next(_seq)}",
            code=fields.pop("code", None) or f"city-{next(_seq)}",
            tier=tier,
            **fields,
        )
        self.db.session.add(city)
        self.db.session.flush()
        return city

    def circle(self, center=MIYUN, half_m=600, city=None, name=None, **fields):
        circle = Circle(
            city=city or self.city(),
            name=name or f"测试生活圈{next(_seq)}",
            boundary=area_from_geojson(fields.pop("boundary", None) or square(*center, half_m), "wgs84"),
            profile={},
            **fields,
        )
        self.db.session.add(circle)
        self.db.session.flush()
        return circle

    def community(self, circle, center=None, half_m=None, name=None, **fields):
        boundary = fields.pop("boundary", None)
        if boundary is None and center is not None:
            boundary = square(*center, half_m or 300)
        community = Community(
            circle=circle,
            name=name or f"测试社区{next(_seq)}",
            boundary=boundary and area_from_geojson(boundary, "wgs84"),
            **fields,
        )
        self.db.session.add(community)
        self.db.session.flush()
        return community

    def outlet(self, lng=MIYUN[0], lat=MIYUN[1], types=("convenience_store",), name=None, **fields):
        fields.setdefault("status", "approved")
        outlet = apply_fields(
            Outlet(), {"name": name or f"测试网点{next(_seq)}", "types": list(types), "lng": lng, "lat": lat, **fields}
        )
        self.db.session.add(outlet)
        self.db.session.flush()
        return outlet

    def user(self, role="resident", circles=(), username=None, openid=None, cities=()):
        if role == "resident" and not username:
            user = User(openid=openid or f"test-openid-{next(_seq)}", roles=["resident"])
        else:
            user = User(username=username or f"{role}{next(_seq)}", roles=[role], openid=openid)
        user.circles = list(circles)
        user.cities = list(cities)
        self.db.session.add(user)
        self.db.session.flush()
        return user

    def headers(self, user):
        return {"Authorization": f"Bearer {create_access_token(identity=str(user.id))}"}


def outlet_row(name: str, lng: float, lat: float, **columns) -> dict:
    """An approved outlet as a row for one bulk INSERT of thousands (the brute-force tests): the columns without
    a database default, at their plain values, and `columns` over them."""
    return {
        "name": name,
        "name_initials": "",
        "types": ["convenience_store"],
        "address": "",
        "location": f"SRID=4326;POINT({lng} {lat})",
        "status": "approved",
        "hours": {},
        "photos": [],
        "online_platforms": [],
        "services": [],
        "open_24h": False,
        "closed_on_holidays": False,
        "chain": False,
        "online": False,
        "delivery": False,
        "accepts_cash": True,
        "elderly_friendly": False,
        "qr_payment": False,
        "rating_count": 0,
        "synthetic": True,
        **columns,
    }


def error_code(response):
    """The contract's error code of a response (tests assert codes, not messages)."""
    return response.get_json()["error"]["code"]
