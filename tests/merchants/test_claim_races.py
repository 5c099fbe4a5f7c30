"""One owner at a time, under real concurrency: claims and decisions on one outlet meet at the same moment.

Real concurrent transactions on committed data (tests/faults/committed.py): each request in its own thread
and pooled connection, released together at the first write to `outlet_claims`. Without the outlet row
lock, two approvals of two claims would both make their claimant the owner (the unique index on approved
claims would then refuse the second with a bare conflict), and two claims filed together would both stay
`pending` without either seeing the other.
"""

import io

from sqlalchemy import func, select

from app.merchants.models import Claim
from app.outlets.models import Outlet
from tests.factories import MIYUN
from tests.faults.committed import race
from tests.merchants.test_claims import LICENCE_NO, phone_code
from tests.transactions import commit
from tests.uploads import files


def _scene(make):
    circle = make.circle(center=MIYUN, half_m=800, name="认领竞争生活圈")
    outlet = make.outlet(*MIYUN, name="街角早点铺", types=["breakfast"])
    people = {
        "staff_a": make.user("staff", circles=[circle]),
        "staff_b": make.user("staff", circles=[circle]),
        "merchant_a": make.user("resident", openid="claim-race-a"),
        "merchant_b": make.user("resident", openid="claim-race-b"),
    }
    commit()
    return outlet, people


def _claim_call(app, make, user, outlet_id):
    """A claim request to send later from a thread (its licence uploaded and headers made now)."""
    headers = make.headers(user)
    form = {"file": (io.BytesIO(files.jpeg()), "licence.jpg"), "purpose": "certification"}
    upload = app.test_client().post("/api/v1/uploads", data=form, headers=headers, content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_json()
    body = {
        "outlet_id": outlet_id,
        "licence_no": LICENCE_NO,
        "licence_photo_id": upload.get_json()["id"],
        "contact_name": "店主",
        "phone_code": phone_code(),
    }
    return lambda: app.test_client().post("/api/v1/merchant/claims", json=body, headers=headers)


def _approve_call(app, headers, claim_id):
    return lambda: app.test_client().post(f"/api/v1/staff/claims/{claim_id}/approve", json={}, headers=headers)


def test_two_claims_filed_at_once_both_become_disputed(app, committed_data):
    make = committed_data
    outlet, people = _scene(make)
    calls = [_claim_call(app, make, people[m], outlet.id) for m in ("merchant_a", "merchant_b")]
    responses = race(app, Claim, *calls)
    assert sorted(r.status_code for r in responses) == [201, 201], [r.get_json() for r in responses]
    make.db.session.expire_all()
    statuses = make.db.session.scalars(select(Claim.status).where(Claim.outlet_id == outlet.id)).all()
    assert statuses == ["disputed", "disputed"]


def test_two_approvals_of_rival_claims_make_one_owner(app, committed_data):
    make = committed_data
    outlet, people = _scene(make)
    ids = []
    for merchant in ("merchant_a", "merchant_b"):
        response = _claim_call(app, make, people[merchant], outlet.id)()
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    calls = [
        _approve_call(app, make.headers(people[staff]), claim_id)
        for staff, claim_id in zip(("staff_a", "staff_b"), ids, strict=True)
    ]
    responses = race(app, Claim, *calls)
    assert sorted(r.status_code for r in responses) == [200, 409], [r.get_json() for r in responses]
    assert [r.get_json()["error"]["code"] for r in responses if r.status_code == 409] == ["outlet_owned"]
    make.db.session.expire_all()
    winner = next(r.get_json() for r in responses if r.status_code == 200)
    assert make.db.session.get(Outlet, outlet.id).owner_user_id == winner["claimant_user_id"]
    approved = select(func.count()).where(Claim.outlet_id == outlet.id, Claim.status == "approved")
    assert make.db.session.scalar(approved) == 1
