"""The read path: what public read-only requests (nearby, repair nearby, outlet detail, evaluation reads,
exports) run their queries on, and the read replicas behind it.

A view declared with `@read_only` reads through an **autocommit** engine of its own: no pre-ping, no BEGIN, no
ROLLBACK, so a query is one round trip, and psycopg's prepared statements survive between requests (its
rollback() would DEALLOCATE them; in autocommit there is never a transaction to roll back). Reads that are not
declared keep using `db.session` on the primary, inside the request's transaction, as before.

When `DATABASE_REPLICA_URLS` names streaming replicas, a declared request reads from one of them, unless
  - the caller wrote something moments ago (read-your-writes): any successful write request of a logged-in
    user leaves a Redis mark for `DATABASE_READ_YOUR_WRITES_S` seconds, and that user's reads go to the primary
    meanwhile (Redis unreachable → their reads go to the primary too);
  - the replica is down: the query is retried on the primary and this process leaves the replica alone for
    `DATABASE_REPLICA_RETRY_S` seconds.
ORM reads in a declared request (`db.session`) follow the same choice through `RoutingSession.get_bind`;
anything the session writes goes to the primary, and after a write the session stays there.

Without replicas every read goes to the primary, as it always did; only the round trips are fewer.
"""

import logging
import random
import re
import threading
import time
from contextlib import contextmanager
from functools import lru_cache, wraps

import psycopg
import psycopg._queries
import redis as redis_lib
import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from flask_sqlalchemy.session import Session as FlaskSession
from psycopg.types.json import set_json_loads
from sqlalchemy import event
from sqlalchemy import exc as sa_exc

from app.common import fastjson
from app.common.appdb import app_db

log = logging.getLogger(__name__)

# Settings of every read connection. jit: the planner's cost estimates for PostGIS predicates are far off
# (bench/README.md), and JIT compilation then costs 4-20 ms for a query that runs in 0.5 ms. plan_cache_mode:
# a prepared statement's generic plan knows neither the point nor the keyword; for `q=超市` it chose the
# trigram index over the KNN scan and took ~1 s (custom plans: a few ms). Prepared statements still skip
# parsing and analysis.
READ_SESSION_SQL = "SET jit = off; SET plan_cache_mode = force_custom_plan"
# A statement whose plan is the same whatever its parameters may ask for the generic plan instead
# (`generic_plan=True`): prepared, it is then never planned again. The nearby page without a keyword walks the
# location index from the point whatever the point; planning it was 0.8 of its 1.9 ms of database CPU.
# The connection is switched (one SET) only when the statement wants the other mode than the last one had.
GENERIC_PLAN, CUSTOM_PLAN = "force_generic_plan", "force_custom_plan"
# psycopg prepares a statement on a connection after this many runs of it (its default is 5).
PREPARE_THRESHOLD = 2
RYW_KEY = "ryw:user:{}"

# psycopg turns a statement's `%(name)s` placeholders into `$n` with a regular-expression split of its text, and
# remembers the result only for statements up to 4,096 bytes (against ORMs' one-off giants). The read path's
# statements are few and fixed, and the nearby page's is longer than that (4.3 kB): its text was split again
# on every request, an eighth of the request's CPU. Remembered up to 32 kB (the cache keeps 128 statements).
READ_STATEMENT_MAX_BYTES = 32_768
psycopg._queries.MAX_CACHED_STATEMENT_LENGTH = max(
    psycopg._queries.MAX_CACHED_STATEMENT_LENGTH, READ_STATEMENT_MAX_BYTES
)


class Replica:
    def __init__(self, url: str, engine: sa.Engine):
        self.url, self.engine = url, engine
        self.down_until = 0.0

    @property
    def up(self) -> bool:
        return time.monotonic() >= self.down_until


class ReadEngines:
    """Per app: the primary's autocommit engine and one per replica (app.extensions["reads"])."""

    def __init__(self, app):
        config = app.config
        self.primary = _read_engine(config["SQLALCHEMY_DATABASE_URI"], config)
        self.replicas = [Replica(url, _read_engine(url, config)) for url in replica_urls(config)]
        self.retry_s = float(config["DATABASE_REPLICA_RETRY_S"])
        self.ryw_s = float(config["DATABASE_READ_YOUR_WRITES_S"])
        self._lock = threading.Lock()

    def healthy_replica(self) -> Replica | None:
        up = [r for r in self.replicas if r.up]
        return random.choice(up) if up else None

    def mark_down(self, engine: sa.Engine, error: Exception) -> bool:
        """A replica failed: leave it alone for a while. False when `engine` is not a replica's."""
        for replica in self.replicas:
            if replica.engine is engine:
                with self._lock:
                    replica.down_until = time.monotonic() + self.retry_s
                log.warning(
                    "read replica %s unavailable (%s); reading from the primary for %.0f s",
                    replica.engine.url.render_as_string(hide_password=True),
                    str(error).splitlines()[0] if str(error) else type(error).__name__,
                    self.retry_s,
                )
                return True
        return False

    def dispose(self):
        for engine in (self.primary, *(r.engine for r in self.replicas)):
            engine.dispose()


def replica_urls(config) -> list[str]:
    return [u.strip() for u in str(config.get("DATABASE_REPLICA_URLS") or "").split(",") if u.strip()]


def _read_engine(url: str, config) -> sa.Engine:
    engine = sa.create_engine(
        url,
        isolation_level="AUTOCOMMIT",
        # No pre-ping (a round trip per request): a connection that broke is replaced when a query fails on it
        # (`rows` retries once; read-only statements are safe to repeat), and recycled before servers or
        # proxies drop idle ones.
        pool_pre_ping=False,
        # As many as before at most (5 + 10 overflow), but all kept between requests: an overflow connection was
        # closed whenever 5 sat idle, and these requests hold one only for a statement, so under load a worker
        # opened new ones all the time (the one-statement "me too": ~130 PostgreSQL logins per 10 s run).
        pool_size=15,
        max_overflow=0,
        # Nothing to reset when a connection comes back: in autocommit no transaction is ever left open, and the
        # pool's rollback-on-return was a driver call (and its lock) per request for nothing.
        pool_reset_on_return=None,
        pool_recycle=int(config.get("DATABASE_POOL_RECYCLE_S", 1800)),
        connect_args={
            "connect_timeout": int(config.get("DATABASE_CONNECT_TIMEOUT_S", 3)),
            "prepare_threshold": PREPARE_THRESHOLD,
        },
    )

    @event.listens_for(engine, "connect")
    def _session_settings(dbapi_connection, _record):
        dbapi_connection.execute(READ_SESSION_SQL)

    return engine


def init_app(app):
    app.extensions["reads"] = ReadEngines(app)
    app.after_request(_mark_writer)
    set_json_loads(fastjson.loads)  # every psycopg connection of the process (ORM and read path, tests' too)


def engines() -> ReadEngines:
    return current_app.extensions["reads"]


# --- which engine a request reads from ----------------------------------------------------------------------

_pinned: dict = {"connection": None}


def pin(connection) -> None:
    """Every read runs on this SQLAlchemy Connection (the tests' rolled-back transaction), or None to stop."""
    _pinned["connection"] = connection


def read_only(view):
    """Declares a view read-only: its queries take the read path (autocommit; a replica when configured)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.read_path = True
        try:
            return view(*args, **kwargs)
        except Exception as error:
            engine = g.get("read_engine")
            if engine is None or not _unavailable(error) or not engines().mark_down(engine, error):
                raise
            # The replica failed while the view read from it: read everything again from the primary.
            app_db().session.rollback()
            g.read_engine = engines().primary
            return view(*args, **kwargs)
        finally:
            g.pop("read_path", None)

    return wrapper


@contextmanager
def on_primary():
    """Inside a read-only request, a write (the usage log of a search): db.session on the primary meanwhile."""
    declared = has_request_context() and g.get("read_path")
    if declared:
        g.read_path = False
    try:
        yield
    finally:
        if declared:
            g.read_path = True


@contextmanager
def on_read_path():
    """Inside a write request, reads by `rows`/`scalar` that need not see its transaction (where a need is filed:
    its circle, the shops near it) take the read path meanwhile: autocommit, prepared, a replica when configured,
    without SQLAlchemy's statement and result layers. Keep ORM reads (`db.session`) out of the block."""
    if not has_request_context():
        yield
        return
    declared = g.get("read_path")
    g.read_path = True
    try:
        yield
    finally:
        if declared is None:
            g.pop("read_path", None)
        else:
            g.read_path = declared


def current_engine() -> sa.Engine | None:
    """The engine this request reads from, or None when its reads belong to `db.session` (not declared)."""
    if not has_request_context() or not g.get("read_path"):
        return None
    engine = g.get("read_engine")
    if engine is None:
        engine = g.read_engine = _choose()
    return engine


def _choose() -> sa.Engine:
    reads = engines()
    if not reads.replicas or _recent_writer(reads):
        return reads.primary
    replica = reads.healthy_replica()
    return replica.engine if replica else reads.primary


def presents_token() -> bool:
    """Whether the request carries a token where flask-jwt-extended looks (JWT_TOKEN_LOCATION: the
    Authorization header, the console's cookie); without one an optional login is anonymous, and a public
    request need not ask the extension (the nearby search, its usage record)."""
    # Read from the WSGI environ: werkzeug's headers raise (and build) a KeyError for an absent header, and
    # its cookies are parsed only when a Cookie header was sent.
    environ = request.environ
    if environ.get("HTTP_AUTHORIZATION"):
        return True
    return bool(environ.get("HTTP_COOKIE") and request.cookies.get(current_app.config["JWT_ACCESS_COOKIE_NAME"]))


def _caller_id() -> str | None:
    """The user id a request's token names (verified), without loading the user; None when anonymous."""
    if not presents_token():
        return None
    from flask_jwt_extended import get_jwt_identity, verify_jwt_in_request

    try:
        verify_jwt_in_request(optional=True, verify_type=False)
        return get_jwt_identity()
    except Exception:  # an invalid token: the view answers it; this request has no writes of its own
        return None


def _recent_writer(reads: ReadEngines) -> bool:
    user_id = _caller_id()
    if user_id is None:
        return False
    from app.common.redis import get_redis

    try:
        return bool(get_redis().exists(RYW_KEY.format(user_id)))
    except redis_lib.RedisError:
        return True  # unknown: the primary is always up to date


def _mark_writer(response):
    """After a logged-in user's successful write, their reads go to the primary for a few seconds."""
    if request.method in ("GET", "HEAD", "OPTIONS") or response.status_code >= 400:
        return response
    reads = current_app.extensions.get("reads")
    if reads is None or not reads.replicas:
        return response
    user_id = _caller_id()
    if user_id is not None:
        from app.common.redis import get_redis

        try:
            get_redis().set(RYW_KEY.format(user_id), 1, px=int(reads.ryw_s * 1000))
        except redis_lib.RedisError as error:
            log.warning("read-your-writes mark not kept (%s); this user's reads may lag", error)
    return response


# --- running a read -------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _pyformat(sql: str) -> str:
    """`:name` placeholders (SQLAlchemy text()) → psycopg's `%(name)s`, with literal `%` doubled."""
    sql = sql.replace("%", "%%")
    return re.sub(r"(?<![:\w\\]):(\w+)(?!:)", r"%(\1)s", sql)


def rows(sql: str, params: dict, *, generic_plan: bool = False) -> list[dict]:
    """A read-only statement (text() syntax) → its rows as dicts, on the request's read engine.
    `generic_plan`: the statement's best plan does not depend on its parameters (GENERIC_PLAN above)."""
    names, data = _run(sql, params, generic_plan)
    return [dict(zip(names, row, strict=True)) for row in data]


def rows_of_each(sql: str, ids, key: str = "outlet_id") -> dict[int, list[dict]]:
    """The rows of a statement taking `:ids` (an int array), grouped by their `key` column in the statement's
    order: every id of `ids` present, with [] when it has none (a page's outlets and their prices, places…)."""
    grouped = {i: [] for i in ids}
    if grouped:
        for row in rows(sql, {"ids": list(grouped)}):
            grouped[row[key]].append(row)
    return grouped


def scalar(sql: str, params: dict):
    _, data = _run(sql, params)
    return data[0][0] if data else None


def write_one(sql: str, params: dict) -> list[dict]:
    """A write use case that is one data-modifying statement (text() syntax), run as its own transaction on
    the primary's autocommit engine: one round trip instead of BEGIN, the statement and COMMIT, and prepared
    once per connection. Not retried (a write). In the tests, the pinned transaction runs it."""
    return primary_rows(sql, params)


def primary_rows(sql: str, params: dict) -> list[dict]:
    """One statement on the primary's autocommit engine, outside the request's transaction (see `write_one`),
    for a read that must not lag behind the primary (the caller's account: a replica may not hold a new one
    yet). Not retried. In the tests, the pinned transaction runs it."""
    try:
        if _pinned["connection"] is not None:
            names, data = _on_driver(_pinned["connection"].connection.driver_connection, sql, params)
        else:
            names, data = _on_engine(engines().primary, sql, params, generic_plan=False)
    except psycopg.Error as error:
        raise _as_sqlalchemy(error, sql, params) from error
    return [dict(zip(names, row, strict=True)) for row in data]


def _as_sqlalchemy(error: psycopg.Error, sql: str, params: dict) -> sa_exc.DBAPIError:
    """The driver's error as SQLAlchemy raises it for the ORM (IntegrityError, DataError, OperationalError, …), so
    a statement sent by the driver gets the same answers from the app's error handlers: a constraint's 409/422, the
    database unreachable's 503, never a 500."""
    return sa_exc.DBAPIError.instance(sql, params, error, psycopg.Error)


def in_session(sql: str, params: dict, session=None, *, native: bool = False) -> list[dict]:
    """A raw statement (text() syntax) in the session's transaction (default `db.session`), sent by the driver on
    the session's own connection: for a write use case's small fixed statements (the idempotency answer kept, the
    evaluation versions bumped at the commit), which SQLAlchemy's statement and result layers cost more CPU than
    PostgreSQL spends on. The session's hooks do not see it (no autoflush, no ORM events): flush first if needed.
    It goes where the session's writes go: the primary, also inside a request on the read path. `native`: `sql`
    is in the driver's own format (`%(name)s`: a compiled SQLAlchemy statement's text, its parameters processed)."""
    session = session if session is not None else app_db().session()
    # The connection a Core write of the session would take (the primary, never the request's replica).
    connection = session.connection(bind_arguments={"clause": _A_WRITE})
    try:
        names, data = _on_driver(connection.connection.driver_connection, sql, params, native=native)
    except psycopg.Error as error:
        raise _as_sqlalchemy(error, sql, params) from error
    return [dict(zip(names, row, strict=True)) for row in data]


def with_commit(sql: str, params: dict, session, commit) -> list[dict]:
    """The transaction's last statement (text() syntax) and its COMMIT (`commit(driver_connection)`, from
    `tx.last_statement`) in one round trip: psycopg's pipeline. In the tests' pinned transaction, or inside a
    savepoint, an ordinary statement of the transaction (`in_session`) and no commit."""
    connection = session.connection(bind_arguments={"clause": _A_WRITE})
    if _pinned["connection"] is not None or connection.in_nested_transaction():
        return in_session(sql, params, session)
    driver = connection.connection.driver_connection
    try:
        with driver.pipeline():
            cursor = driver.execute(_pyformat(sql), params)
            commit(driver)
        names = [c.name for c in cursor.description]
        data = cursor.fetchall()
    except psycopg.Error as error:
        raise _as_sqlalchemy(error, sql, params) from error
    return [dict(zip(names, row, strict=True)) for row in data]


_A_WRITE = sa.table("_in_session").update()  # routes like any DML statement (RoutingSession.get_bind)


def _run(sql: str, params: dict, generic_plan: bool = False) -> tuple[list[str], list[tuple]]:
    if _pinned["connection"] is not None:  # the tests' transaction: its own settings, left as they are
        return _on_driver(_pinned["connection"].connection.driver_connection, sql, params)
    engine = current_engine()
    if engine is None:
        result = app_db().session.execute(sa.text(sql), params)
        return list(result.keys()), [tuple(r) for r in result]
    for attempt in (1, 2):
        try:
            return _on_engine(engine, sql, params, generic_plan)
        except psycopg.OperationalError as error:
            # A pooled connection the server closed (restart, failover) fails its first query; a replica
            # that is down fails to connect. Read statements are safe to repeat: once more, on the primary
            # if the replica is the one that failed.
            if engines().mark_down(engine, error):
                engine = g.read_engine = engines().primary
            elif attempt == 2:
                raise sa_exc.OperationalError(sql, params, error) from error


def _on_engine(engine: sa.Engine, sql: str, params: dict, generic_plan: bool):
    try:
        fairy = engine.raw_connection()
    except sa_exc.DBAPIError as error:  # could not connect: the driver's error, for the failover above
        if isinstance(error.orig, psycopg.OperationalError):
            raise error.orig from error
        raise
    try:
        # The connection's plan mode lives in the pool's per-connection info (dropped with the connection).
        mode = GENERIC_PLAN if generic_plan else CUSTOM_PLAN
        if fairy.info.get("plan_cache_mode", CUSTOM_PLAN) != mode:
            fairy.driver_connection.execute(f"SET plan_cache_mode = {mode}")
            fairy.info["plan_cache_mode"] = mode
        # One cursor per connection, kept with it: psycopg keeps a cursor's adapters (each column type's loader,
        # each parameter type's dumper) while the same query object runs on it again, where
        # `connection.execute` makes a new cursor that looks all of them up again. (The pool's per-connection
        # info is cleared when the connection is closed or invalidated.)
        connection = fairy.driver_connection
        cursor = fairy.info.get("read_cursor")
        if cursor is None or cursor.closed or cursor.connection is not connection:
            cursor = fairy.info["read_cursor"] = connection.cursor()
        return _on_driver(connection, sql, params, cursor)
    except psycopg.OperationalError as error:
        fairy.invalidate(error)
        raise
    finally:
        fairy.close()


# A statement's column names, by its text (building psycopg's Column objects for each query cost more than
# reading the rows of a nearby page).
_COLUMN_NAMES: dict[str, list[str]] = {}


def _on_driver(
    connection: psycopg.Connection, sql: str, params: dict, cursor: psycopg.Cursor | None = None, native: bool = False
):
    cursor = (connection if cursor is None else cursor).execute(sql if native else _pyformat(sql), params)
    names = _COLUMN_NAMES.get(sql)
    if names is None:
        names = [c.name for c in cursor.description]
        if len(_COLUMN_NAMES) < 1024:
            _COLUMN_NAMES[sql] = names
    return names, cursor.fetchall()


def _unavailable(error: Exception) -> bool:
    from app.common.errors import database_unavailable

    return isinstance(error, psycopg.OperationalError) or database_unavailable(error)


# --- ORM reads in a declared request --------------------------------------------------------------------


class RoutingSession(FlaskSession):
    """db.session: in a request declared `@read_only`, reads go to the request's read engine; writes (and
    everything after the session's first write) to the primary."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and not self._flushing and not self.info.get("wrote") and not _is_dml(clause):
            engine = current_engine()
            if engine is not None:
                return engine
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _is_dml(clause) -> bool:
    # A safety net for Core writes (insert()/update()/delete()); text() writes say so with `on_primary()`.
    return clause is not None and getattr(clause, "is_dml", False)


@event.listens_for(RoutingSession, "after_flush")
def _stay_on_primary(session, _context):
    # Kept until the session ends (the request): a replica may not have the write yet.
    session.info["wrote"] = True
