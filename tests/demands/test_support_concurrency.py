"""200 residents press "me too" on one need at the same moment: 200 supporters, a count of 200, none lost.

Real concurrent transactions on committed data (tests/faults/committed.py): every request runs in its own
thread through an app whose connection pool lets 50 of them write at once, released together by a barrier.
"""

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import func, select

from app.demands.models import Demand, DemandSupport
from tests.factories import MIYUN
from tests.faults.committed import at_once, busy_app, committed_data  # noqa: F401  (fixture)
from tests.transactions import commit

PEOPLE = 200


def test_simultaneous_me_too_are_all_counted(app, committed_data):  # noqa: F811
    make = committed_data
    circle = make.circle(center=MIYUN, half_m=800)
    need = Demand(
        kind="missing_type",
        business_type="breakfast",
        text="想要一家早餐店",
        location=from_shape(Point(*MIYUN), srid=4326),
        circle_id=circle.id,
        user_id=make.user().id,
    )
    make.db.session.add(need)
    supporters = [make.user() for _ in range(PEOPLE)]
    commit()
    headers = [make.headers(user) for user in supporters]
    need_id = need.id

    busy = busy_app(app, 50)
    responses = at_once(
        PEOPLE,
        lambda i: busy.test_client().post(f"/api/v1/demands/{need_id}/support", headers=headers[i]),
    )

    assert sorted(r.status_code for r in responses) == [201] * PEOPLE, {r.get_data(as_text=True) for r in responses}
    # Each answer is the count right after its own "me too": every value from 1 to 200 exactly once.
    assert sorted(r.get_json()["support_count"] for r in responses) == list(range(1, PEOPLE + 1))
    with busy.app_context():
        from app.common.extensions import db

        assert db.session.get(Demand, need_id).support_count == PEOPLE
        supports = select(func.count()).select_from(DemandSupport).where(DemandSupport.demand_id == need_id)
        assert db.session.scalar(supports) == PEOPLE
        db.session.remove()
        db.engine.dispose()
