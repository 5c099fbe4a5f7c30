"""Committed data for tests that need real concurrent transactions (the rolled-back per-test harness
runs everything on one connection, where a race cannot happen).

`committed_data` gives a factory whose rows are really committed, and afterwards deletes every row the
test added (tables empty before it are emptied; elsewhere rows with ids not there before go), child
tables first. `race` runs calls at the same moment and makes them meet at the decision: a third
connection holds a SHARE lock on the decision's table, so each call's first write waits; once all are
waiting (or waiting for each other's row locks) the lock is released. Without row locks both calls
would read the same state and both write; with them, one waits and then sees the other's outcome.
"""

import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, text

from tests import factories


def _watermarks(database):
    """Per table: how many rows, and which ids, were there before the test."""
    marks = {}
    with database.engine.connect() as conn:
        for table in database.metadata.sorted_tables:
            count = conn.scalar(select(func.count()).select_from(table))
            ids = set(conn.scalars(select(table.c.id))) if count and "id" in table.c else None
            marks[table.name] = (count, ids)
    return marks


def _clean(database, marks):
    with database.engine.begin() as conn:
        for table in reversed(database.metadata.sorted_tables):
            count, ids = marks[table.name]
            if count == 0:
                conn.execute(table.delete())
            elif ids is not None:
                conn.execute(table.delete().where(table.c.id.not_in(ids)))
        # The stored reach (app/evaluation/reach.py) was emptied above, but its state row kept (and a refresh
        # may have set) its radius: the next refresh builds it from scratch, and presence meanwhile uses the
        # geometry instead of an empty table.
        conn.execute(text("UPDATE outlet_reach_state SET radius_m = NULL"))


@pytest.fixture
def committed_data(app):
    from app.common.extensions import db as database
    from app.evaluation import cache  # noqa: F401  (session hooks registered)

    with app.app_context():
        marks = _watermarks(database)
        try:
            yield factories.Factory(database)
        finally:
            database.session.rollback()
            database.session.remove()
            _clean(database, marks)


def _waiting(conn) -> int:
    # Inside a transaction pg_stat_activity is read once and kept; drop that copy to see the present.
    conn.execute(text("SELECT pg_stat_clear_snapshot()"))
    return conn.scalar(
        text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
    )


@contextmanager
def _share_lock(database, table: str):
    conn = database.engine.connect()
    transaction = conn.begin()
    conn.execute(text(f"LOCK TABLE {table} IN SHARE MODE"))
    try:
        yield conn
    finally:
        transaction.rollback()
        conn.close()


def race(app, model, *calls, timeout_s: float = 15.0) -> list:
    """Runs `calls` (each makes one request and returns its response) in threads, released together
    at the first write to `model`'s table."""
    from app.common.extensions import db as database

    table = model.__tablename__

    results: list = [None] * len(calls)
    errors: list = []

    def run(index, call):
        try:
            results[index] = call()
        except BaseException as error:  # surfaced below, not lost in the thread
            errors.append(error)

    with app.app_context(), _share_lock(database, table) as holder:
        threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + timeout_s
        while _waiting(holder) < len(calls):
            if time.monotonic() > deadline:
                raise AssertionError(f"the calls never met at {table}: {_waiting(holder)} waiting")
            finished = sum(not t.is_alive() for t in threads)
            if errors or _waiting(holder) + finished >= len(calls):
                break
            time.sleep(0.02)
    for thread in threads:
        thread.join(timeout_s)
    if errors:
        raise errors[0]
    return results


def busy_app(app, pool_size: int):
    """A second app on the test's servers whose pool lets `pool_size` requests hold a connection at once (rate
    limits off): many residents' requests side by side, each in its own thread."""
    from app import create_app

    return create_app(
        {
            **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "WECHAT_API_BASE", "TESTING")},
            "RATELIMIT_ENABLED": False,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": 60},
        }
    )


def at_once(count: int, call, timeout_s: float = 120.0) -> list:
    """`call(index)` for each index in `count` threads, released together by a barrier; the results in order."""
    start = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        start.wait()
        results[index] = call(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout_s)
    return results
