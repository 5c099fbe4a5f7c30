"""Two people deciding the same thing at the same moment: exactly one wins, the other gets 409.

Real concurrent transactions against the real PostgreSQL: each request runs in its own thread with its
own pooled connection, on committed data (see committed.py), and the two are made to meet at the
decision (`race`). Before the row locks, two approvals of one application published two outlets.
"""

from sqlalchemy import func, select

from app.demands.models import Demand
from app.evaluation.models import EvaluationSnapshot
from app.merchants.models import Application
from app.outlets.models import Outlet
from tests.demands.world import demand_body
from tests.factories import MIYUN
from tests.faults.committed import race
from tests.merchants.conftest import body as application_body
from tests.transactions import commit


def _statuses(responses):
    return sorted(r.status_code for r in responses)


def _codes(responses):
    return [r.get_json()["error"]["code"] for r in responses if r.status_code == 409]


def _scene(make, db):
    circle = make.circle(center=MIYUN, half_m=800, name="竞争生活圈")
    people = {
        "applicant": make.user("resident", openid="race-applicant"),
        "resident": make.user("resident", openid="race-resident"),
        "staff_a": make.user("staff", circles=[circle]),
        "staff_b": make.user("staff", circles=[circle]),
        "bureau_a": make.user("bureau", cities=[circle.city]),
        "bureau_b": make.user("bureau", cities=[circle.city]),
    }
    commit()
    return circle, people


def _send(app, method, url, headers, json=None):
    """One request to make later in a thread (headers are made now: a thread has no app context)."""
    return lambda: app.test_client().open(url, method=method.upper(), json=json, headers=headers)


def _post(app, url, headers, json=None):
    return _send(app, "post", url, headers, json)


def _application(app, make, people):
    response = app.test_client().post(
        "/api/v1/merchant/applications", json=application_body(), headers=make.headers(people["applicant"])
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _decide_twice(app, committed_data, first: tuple[str, dict], second: tuple[str, dict]):
    """A fresh application, and two staff deciding on it at the same moment: (its id, both responses)."""
    make = committed_data
    _, people = _scene(make, make.db)
    application_id = _application(app, make, people)
    base = f"/api/v1/staff/applications/{application_id}"
    calls = [
        _post(app, f"{base}/{action}", make.headers(people[staff]), body)
        for staff, (action, body) in (("staff_a", first), ("staff_b", second))
    ]
    responses = race(app, Application, *calls)
    assert _statuses(responses) == [200, 409], [r.get_json() for r in responses]
    make.db.session.expire_all()
    return application_id, responses


def test_two_approvals_publish_one_outlet(app, committed_data):
    _, responses = _decide_twice(app, committed_data, ("approve", {"note": "甲"}), ("approve", {"note": "乙"}))
    assert _codes(responses) == ["application_not_pending"]
    db = committed_data.db
    assert db.session.scalar(select(func.count()).select_from(Outlet).where(Outlet.name == "老街坊便利店")) == 1


def test_approve_and_reject_at_once_one_decision_stands(app, committed_data):
    application_id, responses = _decide_twice(app, committed_data, ("approve", {}), ("reject", {"reason": "证照不符"}))
    winner = next(r.get_json() for r in responses if r.status_code == 200)
    stored = committed_data.db.session.get(Application, application_id)
    assert stored.status == winner["status"]
    assert (stored.outlet_id is not None) == (winner["status"] == "approved")


def test_two_staff_close_a_need_differently_one_wins(app, committed_data):
    make, db = committed_data, committed_data.db
    _, people = _scene(make, db)
    submitted = app.test_client().post("/api/v1/demands", json=demand_body(), headers=make.headers(people["resident"]))
    assert submitted.status_code == 201, submitted.get_json()
    url = f"/api/v1/staff/demands/{submitted.get_json()['id']}?coord=wgs84"
    accepted = app.test_client().patch(url, json={"status": "accepted"}, headers=make.headers(people["staff_a"]))
    assert accepted.status_code == 200, accepted.get_json()

    done = {"status": "done", "reply": "已开业"}
    rejected = {"status": "rejected", "reason": "不在规划内"}
    responses = race(
        app,
        Demand,
        _send(app, "patch", url, make.headers(people["staff_a"]), done),
        _send(app, "patch", url, make.headers(people["staff_b"]), rejected),
    )
    assert _statuses(responses) == [200, 409], [r.get_json() for r in responses]
    assert _codes(responses) == ["invalid_transition"]


def test_merging_two_needs_into_each_other_one_wins(app, committed_data):
    make, db = committed_data, committed_data.db
    _, people = _scene(make, db)
    headers = make.headers(people["resident"])
    ids = []
    for text in ("缺一家早餐店", "这里没有早餐店"):
        response = app.test_client().post("/api/v1/demands", json=demand_body(text=text), headers=headers)
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    a, b = ids

    def merge(source, target, staff):
        url = f"/api/v1/staff/demands/{source}?coord=wgs84"
        return _send(app, "patch", url, make.headers(staff), {"merge_into": target})

    responses = race(app, Demand, merge(a, b, people["staff_a"]), merge(b, a, people["staff_b"]))
    assert _statuses(responses) == [200, 409], [r.get_json() for r in responses]
    db.session.expire_all()
    merged = db.session.scalars(select(Demand).where(Demand.id.in_(ids), Demand.status == "merged")).all()
    assert len(merged) == 1  # never both merged into each other


def test_freezing_the_same_period_twice_keeps_one_snapshot(app, committed_data):
    make, db = committed_data, committed_data.db
    circle, people = _scene(make, db)
    url = f"/api/v1/staff/circles/{circle.id}/evaluation-snapshots"
    period = {"period": "2025"}

    responses = race(
        app,
        EvaluationSnapshot,
        _post(app, url, make.headers(people["bureau_a"]), period),
        _post(app, url, make.headers(people["bureau_b"]), period),
    )
    assert _statuses(responses) == [201, 409], [r.get_json() for r in responses]
    assert _codes(responses) == ["snapshot_exists"]
    db.session.expire_all()
    count = select(func.count()).select_from(EvaluationSnapshot).where(EvaluationSnapshot.circle_id == circle.id)
    assert db.session.scalar(count) == 1
