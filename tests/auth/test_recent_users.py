"""A token's account row is remembered for a few seconds per process (AUTH_USER_CACHE_S) instead of read on
every request; a change this process makes to the account counts at once."""

from sqlalchemy import event

from app.auth.jwt import recent_users
from tests.transactions import commit


def _statements():
    seen = []

    def note(_conn, _cursor, statement, *_):
        seen.append(statement)

    return seen, note


def test_a_remembered_account_is_not_read_again(app, client, make, db):
    resident = make.user()
    commit()
    headers = make.headers(resident)
    recent_users.clear()
    db.session.expunge_all()  # a request's session holds nothing yet (here the test's session would)
    assert client.get("/api/v1/me/demands", headers=headers).status_code == 200
    db.session.expunge_all()
    seen, note = _statements()
    connection = db.session.connection()
    event.listen(connection, "before_cursor_execute", note)
    try:
        assert client.get("/api/v1/me/demands", headers=headers).status_code == 200
    finally:
        event.remove(connection, "before_cursor_execute", note)
    assert not [s for s in seen if "FROM users" in s], seen


def test_an_account_disabled_here_is_refused_at_once(client, make, db):
    resident = make.user()
    commit()
    headers = make.headers(resident)
    db.session.expunge_all()
    assert client.get("/api/v1/me/demands", headers=headers).status_code == 200  # remembered
    assert resident.id in recent_users._rows
    resident = db.session.merge(resident)
    resident.disabled = True
    commit()
    refused = client.get("/api/v1/me/demands", headers=headers)
    assert refused.status_code in (401, 403), refused.get_json()


def test_off_when_set_to_zero(app, client, make, db, monkeypatch):
    monkeypatch.setitem(app.config, "AUTH_USER_CACHE_S", 0)
    resident = make.user()
    commit()
    recent_users.clear()
    headers = make.headers(resident)
    db.session.expunge_all()
    assert client.get("/api/v1/me/demands", headers=headers).status_code == 200
    assert resident.id not in recent_users._rows


def test_a_remembered_account_is_attached_as_if_just_read(app, make, db):
    """Made without its constructor: the same values, nothing to write back, relationships load as usual."""
    from app.auth.models import User

    circle = make.circle()
    staff = make.user("staff", circles=[circle])
    commit()
    want = {c.key: getattr(staff, c.key) for c in User.__mapper__.column_attrs}
    circle_id = circle.id
    recent_users.clear()
    db.session.expunge_all()
    with app.test_request_context():
        recent_users.load(staff.id, 30)  # read and remembered
        db.session.expunge_all()
        user = recent_users.load(staff.id, 30)  # made from memory
        assert user in db.session and not db.session.dirty and not db.session.new
        assert {key: getattr(user, key) for key in want} == want
        assert user.has_role("staff") and [c.id for c in user.circles] == [circle_id]
        user.roles.append("resident")  # its own list: the memory is not changed through it
        assert recent_users._rows[staff.id][1]["roles"] == ["staff"]
