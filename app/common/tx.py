"""One write use case, one transaction: the only place that commits.

Every use case that writes (a service function called by a view, a CLI command, a worker job) runs inside
`atomic()` or is decorated with `@write_use_case`. The outermost one commits when its block ends and rolls
back on any error; a use case called from inside another runs in a savepoint and leaves the commit to the
outer one (a failure it raises undoes only its own writes). Helpers that only add rows to the current use
case (audit entries, timeline records, outbox messages) neither commit nor open a use case.

A commit anywhere else is a programming error: `before_commit` refuses it (outside production, where it is
logged instead), so the test suite fails on any commit that bypasses the rule.

The test harness (tests/transactions.py) binds the session to an outer transaction it rolls back; there the
session's commit is a savepoint release and its rollback undoes the session's savepoint, so the same code
runs unchanged and leaves nothing behind.
"""

import logging
from contextlib import contextmanager
from functools import wraps

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.common import reads
from app.common.extensions import db

log = logging.getLogger(__name__)

_DEPTH = "use_case_depth"  # session.info: how many use cases are open on this session
_WROTE = "use_case_wrote"  # session.info: the session's transaction already holds writes
_DEFERRED = "use_case_commit_deferred"  # session.info: `one_commit()` commits the use cases ended in its block


def last_statement(session, sql: str, params: dict) -> list[dict]:
    """From a `before_commit` hook (the last one: nothing may write after it), the transaction's last statement
    sent with its COMMIT in one round trip (`reads.with_commit`): the row locks it takes are held for the server's
    time alone, not for a round trip and the client thread's turn at the GIL. The evaluation's version bump locks
    the circle's row, which every write to the circle bumps; held across a round trip under load, one circle's
    writers queued on it (4 ms a submission of the bench's one circle). The session's own commit then finds nothing
    left to send (psycopg skips COMMIT on an idle connection) and runs its after-commit hooks as usual."""
    return reads.with_commit(sql, params, session, commit=lambda driver: driver.commit())


class CommitOutsideUseCase(RuntimeError):
    """A commit that did not come from `atomic()` / `@write_use_case`."""


@contextmanager
def atomic(*, expire: bool = True):
    """Runs the block as one write use case (see the module docstring).

    `expire=False`: the objects the use case loaded or wrote keep their values after its commit instead of
    being read again on next access; for a use case that answers from what it holds (columns the database
    fills in are fetched by the INSERT's RETURNING: the model's `eager_defaults`).
    """
    session = db.session()
    depth = session.info.get(_DEPTH, 0)
    if depth:
        with _counted(session, depth), session.begin_nested():
            yield
        return
    with _counted(session, depth):
        # Writes already in the transaction that were not this use case's (a test's set-up rows) are
        # kept out of its failure by a savepoint; in a request there are none, so no extra round trips.
        savepoint = session.begin_nested() if session.info.get(_WROTE) else None
        try:
            yield
            if savepoint is not None:
                session.flush()  # a failing write fails inside the savepoint, which can then be undone alone
                savepoint.commit()
            deferred = session.info.get(_DEFERRED)
            if deferred is None:
                _commit(session, expire)
            else:
                deferred.wait_for_commit(expire)
        except BaseException:
            # A failed flush leaves the savepoint inactive but still to be rolled back; once closed (the
            # block rolled the whole session back itself) only the session's rollback remains.
            if savepoint is not None and session.get_nested_transaction() is savepoint:
                savepoint.rollback()
            else:
                session.rollback()
            raise


def _commit(session, expire: bool):
    if expire:
        session.commit()
        return
    previous, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = previous


class _Deferred:
    """The use cases that ended inside a `one_commit()` block and wait for its commit."""

    pending = False
    expire = False

    def wait_for_commit(self, expire: bool):
        self.pending, self.expire = True, self.expire or expire


@contextmanager
def one_commit():
    """A view's use case and what the view adds once it has answered, committed together.

    The outermost use case that ends inside the block leaves its commit to the block's end (use cases are
    otherwise unchanged: a nested one still runs in a savepoint); the block yields an object whose `pending`
    says a use case is waiting, so the caller may add rows that belong with it (the idempotency key's
    stored answer) in the same transaction: one commit (one WAL flush) instead of two. An error anywhere in
    the block rolls it all back. Inside a use case (or another block) it does nothing and yields None.
    """
    session = db.session()
    if session.info.get(_DEPTH) or _DEFERRED in session.info:
        yield None
        return
    deferred = session.info[_DEFERRED] = _Deferred()
    try:
        yield deferred
    except BaseException:
        session.info.pop(_DEFERRED, None)
        if deferred.pending:
            session.rollback()
        raise
    session.info.pop(_DEFERRED, None)
    if deferred.pending:
        with _counted(session, 0):
            try:
                _commit(session, deferred.expire)
            except BaseException:
                session.rollback()
                raise


def write_use_case(function):
    """Decorator form of `atomic()` for a use case that is one function."""

    @wraps(function)
    def use_case(*args, **kwargs):
        with atomic():
            return function(*args, **kwargs)

    return use_case


def in_use_case() -> bool:
    return bool(db.session().info.get(_DEPTH))


@contextmanager
def _counted(session, depth: int):
    session.info[_DEPTH] = depth + 1
    try:
        yield
    finally:
        session.info[_DEPTH] = depth


@event.listens_for(Session, "before_commit")
def _commit_only_in_a_use_case(session):
    if session.info.get(_DEPTH):
        return
    message = "commit outside a write use case: wrap it in app.common.tx.atomic() / @write_use_case"
    if has_app_context() and current_app.config.get("PRODUCTION"):
        log.error(message)
        return
    raise CommitOutsideUseCase(message)


@event.listens_for(Session, "after_flush")
def _flushed(session, _flush_context):
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state):
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction):
    if transaction.parent is None:  # the session's own transaction (not a savepoint) is over
        session.info.pop(_WROTE, None)
