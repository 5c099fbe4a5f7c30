"""The primary's connection pool: a connection is checked before use only when it sat idle for a while.

SQLAlchemy's `pool_pre_ping` costs a round trip (and its CPU) on every checkout: two per need submission (the
request's transaction and the idempotency answer's), one per "me too", for connections that were in use
milliseconds earlier. What the ping guards against is a connection that broke while it sat in the pool (a
PostgreSQL restart, a proxy or firewall dropping idle connections); a connection back from work less than
`DATABASE_PING_IDLE_S` seconds ago is handed out as it is. If it did break in that moment, its first statement
fails, SQLAlchemy invalidates it and every older pooled connection, the request answers 503 like any other
while the database is away (app/common/errors.py), and the next checkout opens a fresh one.
"""

import time

from sqlalchemy import event, exc

_IDLE_SINCE = "idle_since"  # connection record info: when it was last opened or checked in (monotonic)


def init_app(app, engine):
    idle_s = float(app.config["DATABASE_PING_IDLE_S"])
    dialect = engine.dialect

    @event.listens_for(engine, "connect")
    def _opened(_dbapi_connection, record):
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record):
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked(dbapi_connection, record, _proxy):
        since = record.info.get(_IDLE_SINCE)
        if since is not None and time.monotonic() - since < idle_s:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and checks out another (a new one if need be).
            raise exc.DisconnectionError(str(error)) from error
