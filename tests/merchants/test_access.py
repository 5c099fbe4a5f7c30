"""Every merchant and staff endpoint: no token 401, residents kept out of staff routes, staff kept to their circles."""

import pytest

from tests.merchants.conftest import body


@pytest.fixture
def pending(make, area, submit):
    applicant = make.user()
    return applicant, submit(applicant).get_json()["id"]


ANONYMOUS = [
    ("post", "/api/v1/merchant/applications"),
    ("get", "/api/v1/merchant/applications"),
    ("get", "/api/v1/merchant/applications/{a}"),
    ("put", "/api/v1/merchant/applications/{a}"),
    ("get", "/api/v1/merchant/outlets"),
    ("get", "/api/v1/merchant/outlets/{o}"),
    ("patch", "/api/v1/merchant/outlets/{o}"),
    ("post", "/api/v1/merchant/outlets/{o}/status"),
    ("get", "/api/v1/staff/applications"),
    ("get", "/api/v1/staff/applications/{a}"),
    ("post", "/api/v1/staff/applications/{a}/approve"),
    ("post", "/api/v1/staff/applications/{a}/reject"),
    ("post", "/api/v1/staff/applications/{a}/return"),
    ("post", "/api/v1/staff/outlets/{o}/status"),
    ("get", "/api/v1/staff/audit"),
    ("post", "/api/v1/uploads"),
]


def test_no_token_is_401_everywhere(client, make, area, pending):
    _, application_id = pending
    outlet = make.outlet()
    for method, path in ANONYMOUS:
        url = path.format(a=application_id, o=outlet.id)
        response = getattr(client, method)(url, json={} if method != "get" else None)
        assert response.status_code == 401, (method, url, response.get_json())
        assert response.get_json()["error"]["code"] == "unauthorized"


STAFF_ONLY = [
    ("get", "/api/v1/staff/applications/{a}", None),
    ("post", "/api/v1/staff/applications/{a}/approve", {}),
    ("post", "/api/v1/staff/applications/{a}/reject", {"reason": "不符合条件"}),
    ("post", "/api/v1/staff/applications/{a}/return", {"reason": "补充材料"}),
    ("post", "/api/v1/staff/outlets/{o}/status", {"status": "suspended"}),
    ("get", "/api/v1/staff/audit?application_id={a}", None),
]


def test_residents_merchants_and_other_staff_are_refused(client, make, area, pending):
    applicant, application_id = pending
    outlet = make.outlet()  # inside area.circle
    merchant = make.user()
    merchant.roles = ["resident", "merchant"]
    for method, path, payload in STAFF_ONLY:
        url = path.format(a=application_id, o=outlet.id)
        for user, code in (
            (applicant, "role_forbidden"),
            (merchant, "role_forbidden"),
            (area.other_staff, "out_of_scope"),
        ):
            response = getattr(client, method)(url, json=payload, headers=make.headers(user))
            assert response.status_code == 403, (method, url, user.roles, response.get_json())
            assert response.get_json()["error"]["code"] == code
    assert (
        client.get(f"/api/v1/staff/applications/{application_id}", headers=make.headers(area.admin)).status_code == 200
    )
    admin_status = client.post(
        f"/api/v1/staff/outlets/{outlet.id}/status", json={"status": "suspended"}, headers=make.headers(area.admin)
    )
    assert admin_status.status_code == 200 and admin_status.get_json()["status"] == "suspended"
    returned = client.post(
        f"/api/v1/staff/applications/{application_id}/return",
        json={"reason": "补充材料"},
        headers=make.headers(area.staff),
    )
    assert returned.status_code == 200


def test_applicants_only_see_and_change_their_own(client, make, area, pending):
    applicant, application_id = pending
    stranger = make.user()
    url = f"/api/v1/merchant/applications/{application_id}"
    assert client.get(url, headers=make.headers(stranger)).status_code == 404
    assert client.put(url, json=body(), headers=make.headers(stranger)).status_code == 404
    assert client.get("/api/v1/merchant/applications", headers=make.headers(stranger)).get_json()["items"] == []
    assert client.get(url, headers=make.headers(applicant)).get_json()["status"] == "pending"
    assert client.get("/api/v1/merchant/applications/999999", headers=make.headers(applicant)).status_code == 404
    assert client.post("/api/v1/staff/applications/999999/approve", headers=make.headers(area.admin)).status_code == 404
    status = client.post(
        f"/api/v1/merchant/outlets/{make.outlet().id}/status",
        json={"status": "closed"},
        headers=make.headers(applicant),
    )
    assert status.status_code == 403 and status.get_json()["error"]["code"] == "not_owner"
