"""Ratings fixtures: a circle with an outlet, the people who act on it, the WeChat stub reset per test."""

from types import SimpleNamespace

import pytest

from tests.factories import MIYUN

FAR = (MIYUN[0] + 0.05, MIYUN[1])


def outlet_at(make, db, lng, lat, **fields):
    """An outlet whose trigger-assigned circle_id is read back (requests share the test's session)."""
    outlet = make.outlet(lng, lat, **fields)
    db.session.refresh(outlet)
    return outlet


@pytest.fixture
def area(make, db, stub):
    circle = make.circle(center=MIYUN, half_m=600, population=1000)
    other = make.circle(center=FAR, half_m=600)
    return SimpleNamespace(
        circle=circle,
        other=other,
        outlet=outlet_at(make, db, *MIYUN, name="好邻居便利店"),
        far_outlet=outlet_at(make, db, *FAR, name="远处早餐店", types=["breakfast"]),
        resident=make.user(),
        staff=make.user("staff", circles=[circle]),
        outsider=make.user("staff", circles=[other]),
        admin=make.user("admin"),
    )


@pytest.fixture
def owner(area, make, db):
    """A merchant owning area.outlet."""
    merchant = make.user("merchant", openid=f"merchant-openid-{area.outlet.id}")
    area.outlet.owner_user_id = merchant.id
    db.session.flush()
    return merchant


def rate(client, make, outlet_id, user, **body):
    return client.post(f"/api/v1/outlets/{outlet_id}/ratings", json={"stars": 5, **body}, headers=make.headers(user))
