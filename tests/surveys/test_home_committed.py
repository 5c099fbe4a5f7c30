"""The staff confirmation of a resident's home circle is committed, not only held in the request's session.

The rolled-back harness shares one session between a test and its requests, so a use case that never
commits still looks done there; this test makes the request in a thread of its own (its own app context,
session and connection) and reads the result on another connection.
"""

import threading

from sqlalchemy import text

from tests.factories import MIYUN
from tests.faults.committed import committed_data  # noqa: F401  (a fixture for this module)
from tests.transactions import commit


def test_confirmed_home_is_committed(app, committed_data):  # noqa: F811
    make = committed_data
    circle = make.circle(center=MIYUN, half_m=600, name="确认居住生活圈")
    staff = make.user("staff", circles=[circle])
    resident = make.user("resident", openid="home-committed")
    commit()
    url = f"/api/v1/staff/circles/{circle.id}/residents/{resident.id}/home"
    headers = make.headers(staff)
    answers = []
    thread = threading.Thread(target=lambda: answers.append(app.test_client().put(url, headers=headers)))
    thread.start()
    thread.join(30)
    assert answers and answers[0].status_code == 200, answers and answers[0].get_json()
    with make.db.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT home_circle_id, home_confirmed_by FROM users WHERE id = :id"), {"id": resident.id}
        ).one()
    assert tuple(stored) == (circle.id, staff.id)
