"""Residents of one circle file needs at the same moment: every need lands with its key, and the circle's
evaluation version is bumped once for each (the bump goes out with the COMMIT, in one round trip:
`tx.last_statement`, which only runs on committed data, never in the rolled-back harness).

Real concurrent transactions on committed data (tests/faults/committed.py), as test_support_concurrency.py.
"""

import uuid

from sqlalchemy import func, select

from app.circles.models import Circle
from app.common.models import IdempotencyRecord
from app.demands.models import Demand
from tests.demands.world import demand_body
from tests.factories import MIYUN
from tests.faults.committed import at_once, busy_app, committed_data  # noqa: F401  (fixture)
from tests.transactions import commit

PEOPLE = 40


def test_simultaneous_needs_in_one_circle_all_land_and_each_bumps_its_version(app, committed_data):  # noqa: F811
    make = committed_data
    circle = make.circle(center=MIYUN, half_m=800)
    residents = [make.user() for _ in range(PEOPLE)]
    commit()
    make.db.session.refresh(circle)
    version, circle_id = circle.evaluation_version, circle.id
    # Keys of this run only: the test database is made afresh each session (the same user ids again), Redis is not.
    run = uuid.uuid4().hex
    headers = [make.headers(user) | {"Idempotency-Key": f"together-{run}-{i}"} for i, user in enumerate(residents)]

    busy = busy_app(app, PEOPLE)

    def file(index):
        body = demand_body(kind="other", business_type=None, text=f"第 {index} 位居民：想要一个公共厕所")
        return busy.test_client().post("/api/v1/demands", json=body, headers=headers[index])

    responses = at_once(PEOPLE, file)

    assert sorted(r.status_code for r in responses) == [201] * PEOPLE, {r.get_data(as_text=True) for r in responses}
    ids = {r.get_json()["id"] for r in responses}
    session = make.db.session
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Demand).where(Demand.circle_id == circle_id)) == PEOPLE
    assert session.scalar(select(func.count()).where(IdempotencyRecord.resource_id.in_(ids))) == PEOPLE
    assert session.scalar(select(Circle.evaluation_version).where(Circle.id == circle_id)) == version + PEOPLE
    # A retry of one of them answers the need already filed.
    again = busy.test_client().post(
        "/api/v1/demands",
        json=demand_body(kind="other", business_type=None, text="第 0 位居民：想要一个公共厕所"),
        headers=headers[0],
    )
    assert again.status_code == 201 and again.get_json()["id"] == responses[0].get_json()["id"]
    with busy.app_context():
        from app.common.extensions import db

        db.session.remove()
        db.engine.dispose()
