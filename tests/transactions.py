"""A database session bound to one connection whose transaction is rolled back at the end.

Services' commits become savepoint releases inside it, so a test (or a module of read-only tests) sees its
own writes and leaves nothing behind. The read path (app/common/reads.py) is pinned to the same connection.
"""

from contextlib import contextmanager

from flask_sqlalchemy.session import Session as FlaskSession


class _ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's Session picks its engine before looking at `bind`; tests need the bind."""

    def get_bind(self, *args, **kwargs):
        return self.bind if self.bind is not None else super().get_bind(*args, **kwargs)


@contextmanager
def rolled_back(app):
    from app.common import reads
    from app.extensions import db as database

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
