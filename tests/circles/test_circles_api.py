"""Locating a point, reading a circle, admin edits, and outlets following boundary changes."""

import pytest

from app.common import geo
from tests.factories import MIYUN, square

LNG, LAT = MIYUN


def admin_headers(make):
    return make.headers(make.user("admin"))


def test_locate_circle_and_community(client, make):
    circle = make.circle(center=MIYUN, half_m=600, population=18717, circle_type="new_residential")
    community = make.community(circle, center=(LNG + 0.002, LAT), half_m=250, population=6000, share_60_plus=0.27)
    gcj = geo.wgs84_to_gcj02(LNG + 0.002, LAT)
    body = client.get("/api/v1/circles/locate", query_string={"lat": gcj[1], "lng": gcj[0]}).get_json()
    assert body["circle"]["id"] == circle.id and body["circle"]["circle_type_name"] == "新兴住宅生活圈"
    assert body["community"]["id"] == community.id and body["community"]["share_60_plus"] == 0.27
    outside = client.get("/api/v1/circles/locate", query_string={"lat": 30.0, "lng": 110.0})
    assert outside.status_code == 404 and outside.get_json()["error"]["code"] == "outside_circles"


def test_circle_detail_boundary_in_requested_coordinates(client, make):
    circle = make.circle(center=MIYUN, half_m=600)
    make.community(circle, center=MIYUN, half_m=200, name="花园东区")
    wgs = client.get(f"/api/v1/circles/{circle.id}", query_string={"coord": "wgs84"}).get_json()
    gcj = client.get(f"/api/v1/circles/{circle.id}").get_json()
    assert wgs["boundary"]["type"] == "MultiPolygon"
    corner_wgs = wgs["boundary"]["coordinates"][0][0][0]
    corner_gcj = gcj["boundary"]["coordinates"][0][0][0]
    assert corner_gcj == pytest.approx(list(geo.wgs84_to_gcj02(*corner_wgs)), abs=1e-9)
    assert [c["name"] for c in gcj["communities"]] == ["花园东区"]
    assert client.get("/api/v1/circles/99999").status_code == 404


def test_list_circles_and_cities(client, make):
    city = make.city(name="密云区")
    for i in range(3):
        make.circle(center=(LNG + i * 0.02, LAT), city=city)
    body = client.get("/api/v1/circles", query_string={"city_id": city.id, "page_size": 2}).get_json()
    assert len(body["items"]) == 2 and body["has_more"] is True and body["total"] == 3
    assert any(c["name"] == "密云区" for c in client.get("/api/v1/cities").get_json())


def test_admin_creates_circle_and_outlets_are_assigned(client, make):
    inside = make.outlet(LNG + 0.001, LAT)
    outside = make.outlet(LNG + 0.05, LAT)
    city = make.city()
    body = {
        "city_id": city.id,
        "name": "新建生活圈",
        "circle_type": "老城区住宅生活圈",
        "population": 12000,
        "boundary": square(LNG, LAT, 500),
    }
    response = client.post(
        "/api/v1/admin/circles", json=body, query_string={"coord": "wgs84"}, headers=admin_headers(make)
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["circle_type"] == "old_town"
    detail = client.get(f"/api/v1/outlets/{inside.id}").get_json()
    assert detail["circle_id"] == created["id"]
    assert client.get(f"/api/v1/outlets/{outside.id}").get_json()["circle_id"] is None


def test_moving_a_boundary_moves_outlet_membership(client, make, db):
    circle = make.circle(center=MIYUN, half_m=300)
    east_outlet = make.outlet(LNG + 0.006, LAT)  # ~500 m east: outside the 300 m square
    assert client.get(f"/api/v1/outlets/{east_outlet.id}").get_json()["circle_id"] is None
    response = client.patch(
        f"/api/v1/admin/circles/{circle.id}",
        json={"boundary": square(LNG, LAT, 800)},
        query_string={"coord": "wgs84"},
        headers=admin_headers(make),
    )
    assert response.status_code == 200
    assert client.get(f"/api/v1/outlets/{east_outlet.id}").get_json()["circle_id"] == circle.id
    client.patch(
        f"/api/v1/admin/circles/{circle.id}",
        json={"boundary": square(LNG, LAT, 100)},
        query_string={"coord": "wgs84"},
        headers=admin_headers(make),
    )
    assert client.get(f"/api/v1/outlets/{east_outlet.id}").get_json()["circle_id"] is None


def test_moving_an_outlet_updates_its_circle(make, db):
    from app.outlets.service import apply_fields

    circle = make.circle(center=MIYUN, half_m=300)
    outlet = make.outlet(LNG + 0.05, LAT)
    assert outlet.circle_id is None
    apply_fields(outlet, {"lng": LNG, "lat": LAT})
    db.session.flush()
    db.session.refresh(outlet)
    assert outlet.circle_id == circle.id


def test_admin_community_create_and_edit(client, make):
    circle = make.circle()
    headers = admin_headers(make)
    created = client.post(
        f"/api/v1/admin/circles/{circle.id}/communities",
        json={"name": "檀城东区", "population": 5000, "share_60_plus": 0.3, "boundary": square(LNG, LAT, 200)},
        query_string={"coord": "wgs84"},
        headers=headers,
    )
    assert created.status_code == 201, created.get_json()
    community_id = created.get_json()["id"]
    edited = client.patch(f"/api/v1/communities/{community_id}", json={"share_80_plus": 0.12}, headers=headers)
    assert edited.get_json()["share_80_plus"] == 0.12
    duplicate = client.post(
        f"/api/v1/admin/circles/{circle.id}/communities", json={"name": "檀城东区"}, headers=headers
    )
    assert duplicate.status_code == 409
    bad_share = client.patch(f"/api/v1/communities/{community_id}", json={"share_60_plus": 1.5}, headers=headers)
    assert bad_share.status_code == 422 and "share_60_plus" in bad_share.get_json()["error"]["details"]


@pytest.mark.parametrize("role,status", [(None, 401), ("resident", 403), ("staff", 403), ("merchant", 403)])
def test_only_admins_edit_circles(client, make, role, status):
    circle = make.circle()
    headers = {}
    if role:
        user = make.user(role, circles=[circle] if role == "staff" else ())
        headers = make.headers(user)
    for method, url in (
        ("post", "/api/v1/admin/circles"),
        ("patch", f"/api/v1/admin/circles/{circle.id}"),
        ("post", f"/api/v1/admin/circles/{circle.id}/communities"),
    ):
        response = getattr(client, method)(url, json={"name": "x"}, headers=headers)
        assert response.status_code == status, (method, url)


@pytest.mark.parametrize(
    "boundary",
    [
        {"type": "Point", "coordinates": [116.8, 40.3]},
        {"type": "Polygon", "coordinates": "nope"},
        {"type": "Polygon", "coordinates": [[[200, 40], [201, 40], [201, 41], [200, 40]]]},
        {},
    ],
)
def test_bad_boundaries_are_422(client, make, boundary):
    city = make.city()
    response = client.post(
        "/api/v1/admin/circles",
        json={"city_id": city.id, "name": "坏边界", "boundary": boundary},
        headers=admin_headers(make),
    )
    assert response.status_code == 422
    assert "boundary" in response.get_json()["error"]["details"]


def test_staff_edit_communities_of_their_own_circle_only(client, make):
    mine, other = make.circle(), make.circle(center=(LNG + 0.05, LAT))
    my_community, other_community = make.community(mine), make.community(other)
    staff = make.headers(make.user("staff", circles=[mine]))
    ok = client.patch(f"/api/v1/communities/{my_community.id}", json={"population": 4321}, headers=staff)
    assert ok.status_code == 200 and ok.get_json()["population"] == 4321
    out_of_scope = client.patch(f"/api/v1/communities/{other_community.id}", json={"population": 1}, headers=staff)
    assert out_of_scope.status_code == 403 and out_of_scope.get_json()["error"]["code"] == "out_of_scope"
    boundary = client.patch(
        f"/api/v1/communities/{my_community.id}", json={"boundary": square(LNG, LAT, 100)}, headers=staff
    )
    assert boundary.status_code == 403
    resident = make.headers(make.user())
    assert (
        client.patch(f"/api/v1/communities/{my_community.id}", json={"population": 1}, headers=resident).status_code
        == 403
    )
    assert client.patch(f"/api/v1/communities/{my_community.id}", json={"population": 1}).status_code == 401


def test_community_phone_is_kept_by_staff_and_shown_to_residents(client, make):
    """The number residents call (the mini-program's elder mode dials it): staff keep it, anyone reads it."""
    circle = make.circle(center=MIYUN, half_m=600)
    community = make.community(circle, center=MIYUN, half_m=250)
    staff = make.headers(make.user("staff", circles=[circle]))
    saved = client.patch(f"/api/v1/communities/{community.id}", json={"phone": "010-69041234"}, headers=staff)
    assert saved.status_code == 200 and saved.get_json()["phone"] == "010-69041234"
    gcj = geo.wgs84_to_gcj02(LNG, LAT)
    located = client.get("/api/v1/circles/locate", query_string={"lat": gcj[1], "lng": gcj[0]}).get_json()
    assert located["community"]["phone"] == "010-69041234"
    detail = client.get(f"/api/v1/circles/{circle.id}").get_json()
    assert [c["phone"] for c in detail["communities"]] == ["010-69041234"]
    bad = client.patch(f"/api/v1/communities/{community.id}", json={"phone": "请拨打居委会"}, headers=staff)
    assert bad.status_code == 422 and bad.get_json()["error"]["details"]["phone"] == ["电话号码格式有误"]
    cleared = client.patch(f"/api/v1/communities/{community.id}", json={"phone": None}, headers=staff)
    assert cleared.status_code == 200 and cleared.get_json()["phone"] is None
