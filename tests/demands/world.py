"""A small world for needs tests: two circles, residents, a merchant, staff in and out of scope, an admin.

Coordinates are WGS-84 and requests say coord=wgs84, so expected points are the stored ones.
Everything is committed (inside the test's rolled-back transaction) so that a use case's rollback of
its own savepoint never takes the fixtures with it.
"""

from types import SimpleNamespace

import requests

from tests.factories import MIYUN
from tests.transactions import commit

FAR = (116.9000, 40.4200)  # a second circle, ~6 km away
OUTSIDE = (117.5, 41.0)  # in no circle


def offset(lng, lat, east_m=0.0, north_m=0.0):
    import math

    return lng + east_m / (111_320 * math.cos(math.radians(lat))), lat + north_m / 111_320


def build_world(make, db):
    circle = make.circle(center=MIYUN, half_m=800, name="鼓楼生活圈")
    community = make.community(circle, center=MIYUN, half_m=400, name="鼓楼社区")
    other = make.circle(center=FAR, half_m=600, name="远处生活圈")
    world = SimpleNamespace(
        circle=circle,
        community=community,
        other=other,
        resident=make.user("resident", openid="stub-openid-resident-a"),
        neighbour=make.user("resident", openid="stub-openid-resident-b"),
        third=make.user("resident", openid="stub-openid-resident-c"),
        merchant=make.user("merchant"),
        staff=make.user("staff", circles=[circle]),
        other_staff=make.user("staff", circles=[other]),
        admin=make.user("admin"),
    )
    commit()
    world.h = SimpleNamespace(**{name: make.headers(getattr(world, name)) for name in _PEOPLE})
    return world


_PEOPLE = ("resident", "neighbour", "third", "merchant", "staff", "other_staff", "admin")


def demand_body(**overrides):
    lng, lat = overrides.pop("at", MIYUN)
    body = {
        "kind": "missing_type",
        "business_type": "breakfast",
        "text": "小区门口缺一家早餐店",
        "location": {"lat": lat, "lng": lng},
        "coord": "wgs84",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def submit(client, headers, **overrides):
    response = client.post("/api/v1/demands", json=demand_body(**overrides), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def triage(client, headers, demand_id, **body):
    return client.patch(f"/api/v1/staff/demands/{demand_id}?coord=wgs84", json=body, headers=headers)


def reset_stub(base_url):
    requests.post(f"{base_url}/stub/reset", timeout=5)


def stub_sent(base_url):
    return requests.get(f"{base_url}/stub/sent", timeout=5).json()
