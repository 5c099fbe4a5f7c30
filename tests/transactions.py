"""A database session bound to one connection whose transaction is rolled back at the end.

Services' commits become savepoint releases inside it, so a test (or a module of read-only tests) sees its
own writes and leaves nothing behind. The read path (app/common/reads.py) is pinned to the same connection.
Every request is checked to leave no uncommitted change behind (`check_requests`, below).
"""

import itertools
import re
from contextlib import contextmanager

from flask import request, request_started, request_tearing_down
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause


class _ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's Session picks its engine before looking at `bind`; tests need the bind."""

    def get_bind(self, *args, **kwargs):
        return self.bind if self.bind is not None else super().get_bind(*args, **kwargs)


@contextmanager
def rolled_back(app):
    from app.common import reads
    from app.common.extensions import db as database

    with app.app_context():
        connection = database.engine.connect()
        transaction = connection.begin()
        original = database.session
        database.session = database._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _ConnectionBoundSession}
        )
        reads.pin(connection)  # the read path (autocommit engines, replicas) reads this transaction instead
        try:
            yield database
        finally:
            reads.pin(None)
            database.session.remove()
            database.session = original
            transaction.rollback()
            connection.close()


def commit():
    """Commits what the test has set up, the way a finished use case would (app/common/tx.py refuses any
    other commit); under `rolled_back` that is a savepoint release, so the rows still go at the end."""
    from app.common.tx import atomic

    with atomic():
        pass


# --- a request must not leave changes behind ----------------------------------------------------------------
#
# In production a request's session is removed when its app context ends, so a write left uncommitted (a use
# case missing `@write_use_case`) is silently rolled back. Here the test's app context outlives the request and
# the session with it: those changes would look committed. So every request is checked as it is torn down: it
# fails when it leaves objects added, changed or deleted in the session, or flushed writes no commit settled,
# that were not there already when it started (a test's own set-up rows are not the request's).

_sequence = itertools.count(1)
_LAST_WRITE = "tests_last_write"  # session.info: sequence number of the last write flushed or executed
_SETTLED = "tests_settled"  # session.info: sequence number when its transaction last ended (commit or rollback)
_SNAPSHOT = "tests.pending_before"  # request.environ: what was pending when the request started
_BEFORE = "tests_pending_before"  # session.info, during a request: ids of the objects pending when it started
_RAW_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


class RequestLeftChanges(AssertionError):
    """A request ended with changes no write use case committed (see app/common/tx.py)."""


@event.listens_for(Session, "after_flush")
def _flushed(session, _context):
    # A request's query autoflushes what the test left pending: that flush is the test's write, not the request's.
    before = session.info.get(_BEFORE)
    if before is None or any(id(o) not in before for o in (*session.new, *session.dirty, *session.deleted)):
        session.info[_LAST_WRITE] = next(_sequence)


@event.listens_for(Session, "do_orm_execute")
def _executed(state):
    raw = isinstance(state.statement, TextClause) and _RAW_WRITE.match(state.statement.text)
    if state.is_insert or state.is_update or state.is_delete or raw:
        state.session.info[_LAST_WRITE] = next(_sequence)


@event.listens_for(Session, "after_transaction_end")
def _settled(session, transaction):
    if transaction.parent is None:
        session.info[_SETTLED] = next(_sequence)


def _pending(session) -> list:
    return [*session.new, *(o for o in session.dirty if session.is_modified(o)), *session.deleted]


def _request_started(app, **_extra):
    if "sqlalchemy" not in app.extensions:  # another app (the WeChat stub)
        return
    from app.common.extensions import db as database

    session = database.session()
    # The objects themselves are kept (not only their ids), so none is collected and its id reused meanwhile.
    objects = _pending(session)
    request.environ[_SNAPSHOT] = (next(_sequence), objects)
    session.info[_BEFORE] = {id(o) for o in objects}


def _request_tearing_down(app, exc=None, **_extra):
    before = request.environ.pop(_SNAPSHOT, None)
    if before is None:  # not an app of ours
        return
    from app.common.extensions import db as database

    started, objects = before
    session = database.session()
    known = session.info.pop(_BEFORE, set())
    if exc is not None:  # failing already
        return
    left = [f"{type(o).__name__} {inspect(o).identity or '(new)'}" for o in _pending(session) if id(o) not in known]
    last_write = session.info.get(_LAST_WRITE, 0)
    if last_write > max(started, session.info.get(_SETTLED, 0)):
        left.append("writes flushed to the database and never committed")
    if left:
        raise RequestLeftChanges(
            f"{request.method} {request.path} ended with changes no write use case committed (a use case "
            f"without @write_use_case? see app/common/tx.py): {', '.join(left)}"
        )


def check_requests() -> None:
    """Every request of every app (test apps and fresh ones) is checked as it ends; idempotent."""
    request_started.connect(_request_started)
    request_tearing_down.connect(_request_tearing_down)
