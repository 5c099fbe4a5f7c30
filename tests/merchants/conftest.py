"""A circle with its staff, a second circle with other staff, an admin, and a valid application body."""

import io
from dataclasses import dataclass

import pytest

from tests.factories import MIYUN
from tests.faults.committed import committed_data  # noqa: F401  (a fixture: the claim races)
from tests.uploads import files

LNG, LAT = MIYUN
ELSEWHERE = (LNG + 0.05, LAT)  # ~4 km east


@dataclass
class Area:
    circle: object
    other_circle: object
    staff: object
    other_staff: object
    admin: object


@pytest.fixture
def area(make):
    circle = make.circle(center=MIYUN, half_m=600)
    other = make.circle(center=ELSEWHERE, half_m=600)
    return Area(
        circle=circle,
        other_circle=other,
        staff=make.user("staff", circles=[circle]),
        other_staff=make.user("staff", circles=[other]),
        admin=make.user("admin"),
    )


@pytest.fixture
def post_file(client):
    def post(headers, data=None, purpose="outlet_photo", filename="shop.jpg"):
        form = {"file": (io.BytesIO(data or files.jpeg()), filename), "purpose": purpose}
        response = client.post("/api/v1/uploads", data=form, headers=headers, content_type="multipart/form-data")
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    return post


def body(lng=LNG + 0.001, lat=LAT + 0.001, **overrides):
    """A valid application in WGS-84 (tests compare stored points exactly)."""
    data = {
        "name": "老街坊便利店",
        "types": ["convenience_store", "breakfast"],
        "location": {"lng": lng, "lat": lat},
        "coord": "wgs84",
        "address": "鼓楼东大街 12 号",
        "phone": "010-69041234",
        "hours": {d: [["07:00", "21:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        "certification": {"licence_number": "91110228MA01ABCD2X"},
        "chain": False,
        "online_platforms": ["meituan"],
        "delivery": True,
        "elderly_friendly": True,
        "qr_payment": True,
        "avg_spend": 25,
    }
    data.update(overrides)
    return data


def repair_body(**overrides):
    fields = {
        "name": "老王修鞋配钥匙",
        "types": ["repair"],
        "repair_services": [
            {"code": "shoe_repair", "price_min": 10, "price_max": 30},
            {"code": "key_cutting", "price_min": 5, "unit": "把"},
        ],
    }
    return body(**{**fields, **overrides})


@pytest.fixture
def submit(client, make):
    def post(user, data=None, **kwargs):
        return client.post("/api/v1/merchant/applications", json=data or body(), headers=make.headers(user), **kwargs)

    return post
