"""`Idempotency-Key` for POST views: a retried request gets the first result instead of a second record.

Mobile networks retry. The first request with a key takes an in-flight lock in Redis (SET NX); when it
succeeds its status and body are kept for 24 hours under the same key, scoped to the user (or the
client address) and the endpoint, and replayed for every repeat. A repeat while the first is still
running gets 409; the same key with a different body gets 422.

Redis is only the fast path. The binding of a key to its result lives in PostgreSQL
(`idempotency_keys`), written by a session hook in the same transaction as the use case's first write;
the use case's commit waits until the view has answered, and the answer is stored in that same
transaction (`tx.one_commit`): the need, its key and its answer are committed together or not at all
(a failure while answering undoes the use case: the retry runs it, once).
- once committed, the key stays bound to it whatever happens next (a lost response, Redis down): a
  retry gets the stored response, or, when no answer was stored (a use case that committed on its own,
  a non-2xx answer), the created row answered again by the view's `replay`; never a second insert;
- two requests with one key that run at once without Redis (down) meet on the row's primary key: the
  second waits for the first and then gets 409 instead of writing twice.
With Redis up, PostgreSQL is not asked ahead of the use case: a key Redis forgot (restarted empty) meets its
binding's primary key at the use case's first write, which is then undone and the first answer given.
Errors before a commit are not kept: the client may fix the request and retry with the same key.
"""

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import partial, wraps

from flask import Response, make_response, request
from redis.exceptions import RedisError
from sqlalchemy import bindparam, event, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.common import metrics, reads, retention
from app.common.errors import Conflict, ValidationFailed
from app.common.extensions import db
from app.common.models import IdempotencyRecord
from app.common.policy import actor
from app.common.redis import Keys, get_redis
from app.common.tx import atomic, one_commit

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
RESULT_TTL_S = 24 * 3600
LOCK_TTL_S = 120  # longer than any request may take; a crashed request frees the key after this
BINDING = "idempotency_binding"
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces (UUIDs, ULIDs …)

HEADER_DOC = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "重试时携带相同的值：24 小时内返回首次请求的结果，不会重复创建",
}

# A binding no longer counts after RESULT_TTL_S (its row is reused by the next request with that key);
# rows nobody reuses would otherwise stay forever, holding who posted what and when.
retention.register(
    retention.Rule(
        name="idempotency_keys",
        table="idempotency_keys",
        timestamp="created_at",
        key="key_hash",
        setting="RETENTION_IDEMPOTENCY_KEYS_DAYS",
        default_days=2,
        why="重试去重记录（24 小时后不再生效）：留存两天用于排查重复提交",
    )
)


@dataclass
class _Binding:
    key: str
    fingerprint: str
    creates: type | None
    written: bool = False
    committed: bool = False
    kept: bool = False  # the answer went into the use case's transaction
    resource_id: int | None = None
    written_resource_id: int | None = None  # as the row holds it


def _key_hash(raw_key: str) -> str:
    user = actor()
    who = f"user:{user.id}" if user is not None else f"ip:{request.remote_addr}"
    return hashlib.sha256(f"{who}\n{request.method} {request.path}\n{raw_key}".encode()).hexdigest()


def _redis_key(key: str) -> str:
    return f"{Keys.PREFIX}idempotency:{key}"


def _fingerprint() -> str:
    return hashlib.sha256(request.query_string + b"\n" + request.get_data(cache=True)).hexdigest()


def _replay(status: int, body: str, mimetype: str | None) -> Response:
    response = Response(body, status=status, mimetype=mimetype)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _reused():
    return ValidationFailed(
        "该 Idempotency-Key 已用于内容不同的请求",
        code="idempotency_key_reused",
        details={HEADER: ["同一个键只能用于同一个请求"]},
    )


class _BoundBefore(Conflict):
    """The key is bound to a write committed before (a live row in `idempotency_keys`): this use case is undone
    (answered, if it must be, as `_in_flight`)."""

    def __init__(self):
        super().__init__(_IN_FLIGHT_MESSAGE, code="idempotency_in_flight")


_IN_FLIGHT_MESSAGE = "相同的请求正在处理中，请稍后重试"


def _in_flight():
    return Conflict(_IN_FLIGHT_MESSAGE, code="idempotency_in_flight")


def _answer_repeat(stored: dict, fingerprint: str) -> Response:
    if stored.get("fingerprint") != fingerprint:
        raise _reused()
    if stored.get("state") == "done":
        return _replay(stored["status"], stored["body"], stored.get("mimetype"))
    raise _in_flight()


def _take_lock(key: str, fingerprint: str):
    """(redis client or None when Redis is down, or a response for a repeat Redis already knows)."""
    lock = json.dumps({"state": "in_flight", "fingerprint": fingerprint})
    try:
        redis = get_redis()
        if not redis.set(_redis_key(key), lock, nx=True, ex=LOCK_TTL_S):
            stored = redis.get(_redis_key(key))
            if stored is not None:
                return redis, _answer_repeat(json.loads(stored), fingerprint)
            if not redis.set(_redis_key(key), lock, nx=True, ex=LOCK_TTL_S):  # expired in between
                raise _in_flight()
    except RedisError as error:
        log.warning("idempotency fast path unavailable (%s); PostgreSQL alone guards %s", error, request.path)
        metrics.redis_fallback("idempotency")
        return None, None
    return redis, None


# The statements every keyed POST runs, built once on the table (an ORM statement rebuilt per request cost more
# CPU than PostgreSQL spends on it).
_RECORDS = IdempotencyRecord.__table__
_LIVE = _RECORDS.c.created_at > func.now() - timedelta(seconds=RESULT_TTL_S)
_FIND = select(_RECORDS).where(_RECORDS.c.key_hash == bindparam("key"), _LIVE)
_KEEP = (
    update(_RECORDS)
    .where(_RECORDS.c.key_hash == bindparam("key"))
    .values(status=bindparam("answer_status"), body=bindparam("answer_body"), mimetype=bindparam("answer_mimetype"))
)
# The same, sent by the driver in the use case's transaction (`reads.in_session`: every keyed submission runs it).
_KEEP_SQL = """
UPDATE idempotency_keys SET status = :answer_status, body = :answer_body, mimetype = :answer_mimetype
WHERE key_hash = :key
RETURNING key_hash
"""
_SET_RESOURCE = update(_RECORDS).where(_RECORDS.c.key_hash == bindparam("key")).values(resource_id=bindparam("rid"))
# A row older than the replay window is taken over; a live one means another request got there first (with
# Redis down, a concurrent duplicate waits on the primary key and lands here).
_EXCLUDED = insert(_RECORDS).excluded
_TAKE_OVER = {"fingerprint": _EXCLUDED.fingerprint, "resource_id": _EXCLUDED.resource_id, "status": None} | {
    "body": None,
    "mimetype": None,
    "created_at": func.now(),
}
_BIND = (
    insert(_RECORDS)
    .values(key_hash=bindparam("key"), fingerprint=bindparam("fp"), resource_id=bindparam("rid"))
    .on_conflict_do_update(
        index_elements=[_RECORDS.c.key_hash],
        set_=_TAKE_OVER,
        where=_RECORDS.c.created_at <= func.now() - timedelta(seconds=RESULT_TTL_S),
    )
    .returning(_RECORDS.c.key_hash)
)


def bind_from(resource_id):
    """For a use case that inserts its row by one Core statement: the INSERT binding the request's key to
    `resource_id` (a column of that statement's CTE), as `_BIND` does in a statement of its own; the caller
    builds its statement once, adds this as a CTE, returns its `key_hash` and passes it to `bound_in_statement`.
    Its parameters: `key_to_bind()`."""
    return (
        insert(_RECORDS)
        .from_select(
            ["key_hash", "fingerprint", "resource_id"],
            select(bindparam("idempotency_key"), bindparam("idempotency_fp"), resource_id),
        )
        .on_conflict_do_update(
            index_elements=[_RECORDS.c.key_hash],
            set_=_TAKE_OVER,
            where=_RECORDS.c.created_at <= func.now() - timedelta(seconds=RESULT_TTL_S),
        )
        .returning(_RECORDS.c.key_hash)
    )


def key_to_bind(model) -> dict | None:
    """The parameters of `bind_from` when this request has a key for a view creating `model` that is not yet
    bound in its transaction, else None (then `bind_created` after the insert)."""
    binding = db.session().info.get(BINDING)
    if binding is None or binding.written or binding.creates is not model:
        return None
    return {"idempotency_key": binding.key, "idempotency_fp": binding.fingerprint}


def bound_in_statement(resource_id: int, bound_key: str | None) -> None:
    """After the statement of `bind_from`: the key is bound to the row, or it was bound before (a live row:
    another request got there first) and the use case is undone like at the session hook's first write."""
    binding = db.session().info[BINDING]
    if bound_key is None:
        raise _BoundBefore()
    binding.resource_id = binding.written_resource_id = resource_id
    binding.written = True


def _committed(key: str):
    """The key's live binding (a row with IdempotencyRecord's columns), or None."""
    return db.session.execute(_FIND, {"key": key}).first()


def _answer_committed(record, fingerprint: str, replay, args, kwargs) -> Response:
    if record.fingerprint != fingerprint:
        raise _reused()
    if record.body is not None:
        return _replay(record.status, record.body, record.mimetype)
    if replay is None or record.resource_id is None:
        raise Conflict(
            "该请求已处理，结果已保存", code="idempotency_committed", details={"resource_id": record.resource_id}
        )
    # The use case committed but its response was never produced: answer again from the created row.
    response = make_response(replay(record.resource_id, *args, **kwargs))
    _keep_response(record.key_hash, response)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _answer(key: str, response: Response) -> dict:
    body = response.get_data(as_text=True)
    return {
        "key": key,
        "answer_status": response.status_code,
        "answer_body": body,
        "answer_mimetype": response.mimetype,
    }


def _answer_from_postgresql(redis, key: str, fingerprint: str, replay, args, kwargs) -> Response | None:
    """The answer of the key's committed binding (kept in Redis again), or None when there is none."""
    try:
        record = _committed(key)
        if record is None:
            return None
        response = _answer_committed(record, fingerprint, replay, args, kwargs)
    except BaseException:
        _forget(redis, key)
        raise
    _remember(redis, key, fingerprint, response)
    return response


def _keep_response(key: str, response: Response):
    """The answer kept after the use case's commit (a replay from the created row, a use case committed on its
    own inside another)."""
    try:
        with atomic():
            db.session.execute(_KEEP, _answer(key, response))
    except Exception:  # the binding stands without the body; a retry answers from the created row
        log.exception("idempotency response not kept")


def idempotent(view=None, *, creates=None, replay=None):
    """Decorator for POST views (put it above flask-smorest's decorators so it sees the final response).

    `creates`: the model the use case inserts (its id is bound to the key); `replay(resource_id, *args,
    **kwargs)`: the view's answer for that row, used when the first response was lost after the commit.
    """
    if view is None:
        return partial(idempotent, creates=creates, replay=replay)

    @wraps(view)
    def wrapper(*args, **kwargs):
        raw_key = request.headers.get(HEADER)
        if raw_key is None or request.method != "POST":
            return view(*args, **kwargs)
        if not _KEY_PATTERN.match(raw_key):
            raise ValidationFailed(
                "Idempotency-Key 格式有误", code="invalid_idempotency_key", details={HEADER: ["应为 1-255 个可见字符"]}
            )
        key, fingerprint = _key_hash(raw_key), _fingerprint()
        redis, repeat = _take_lock(key, fingerprint)
        if repeat is not None:
            return repeat
        # Redis took the key: a first request, unless Redis lost the key (restarted empty). For a view that
        # creates a row, PostgreSQL's binding then tells at the use case's first write (`_BoundBefore`), instead
        # of a statement ahead of every request; without Redis, or for a view that may write nothing, it is
        # asked first.
        if redis is None or creates is None:
            answered = _answer_from_postgresql(redis, key, fingerprint, replay, args, kwargs)
            if answered is not None:
                return answered

        binding = db.session.info[BINDING] = _Binding(key, fingerprint, creates)
        try:
            # The answer is kept in the use case's own transaction, committed with it once the view has
            # answered (a second transaction after the commit cost ~8 % of a need submission's CPU).
            with one_commit() as deferred:
                response = make_response(view(*args, **kwargs))
                if deferred is not None and binding.written and 200 <= response.status_code < 300:
                    reads.in_session(_KEEP_SQL, _answer(key, response))
                    binding.kept = True
        except _BoundBefore:  # the use case is undone: the first request's answer instead
            db.session.info.pop(BINDING, None)
            answered = _answer_from_postgresql(redis, key, fingerprint, replay, args, kwargs)
            if answered is None:
                raise _in_flight() from None
            return answered
        except BaseException:
            # Not kept in Redis; if the use case committed, PostgreSQL holds the binding for the retry.
            _forget(redis, key)
            raise
        finally:
            db.session.info.pop(BINDING, None)
        if 200 <= response.status_code < 300:
            if binding.committed and not binding.kept:
                _keep_response(key, response)
            _remember(redis, key, fingerprint, response)
        else:
            _forget(redis, key)  # errors are not kept: the client may fix the request and retry with the key
        return response

    return wrapper


def _remember(redis, key: str, fingerprint: str, response: Response):
    if redis is None:
        return
    stored = {
        "state": "done",
        "fingerprint": fingerprint,
        "status": response.status_code,
        "body": response.get_data(as_text=True),
        "mimetype": response.mimetype,
    }
    try:
        redis.set(_redis_key(key), json.dumps(stored, ensure_ascii=False), ex=RESULT_TTL_S)
    except RedisError as error:
        log.warning("idempotency result not kept in Redis (%s)", error)
        metrics.redis_fallback("idempotency")


def _forget(redis, key: str):
    if redis is None:
        return
    try:
        redis.delete(_redis_key(key))
    except RedisError:
        pass


@event.listens_for(Session, "after_flush")
def _bind_key_to_the_write(session, _flush_context):
    """The request's key is written with the use case's first write, in the same transaction."""
    binding = session.info.get(BINDING)
    if binding is None or not (session.new or session.dirty or session.deleted):
        return
    if binding.resource_id is None and binding.creates is not None:
        binding.resource_id = next((o.id for o in session.new if isinstance(o, binding.creates)), None)
    _write_binding(session.connection(), binding)


def bind_created(model, resource_id: int) -> None:
    """A use case that inserted its row by a Core statement (no ORM flush for the session hook to see) binds the
    request's key to it here, in its own transaction: raises like the hook when the key is bound already."""
    session = db.session()
    binding = session.info.get(BINDING)
    if binding is None:
        return
    if binding.creates is model:
        binding.resource_id = resource_id
    _write_binding(session.connection(), binding)


def _write_binding(connection, binding: _Binding) -> None:
    if binding.written:
        if binding.resource_id is not None and binding.resource_id != binding.written_resource_id:
            binding.written_resource_id = binding.resource_id
            connection.execute(_SET_RESOURCE, {"key": binding.key, "rid": binding.resource_id})
        return
    bound = connection.execute(_BIND, {"key": binding.key, "fp": binding.fingerprint, "rid": binding.resource_id})
    if bound.scalar() is None:
        raise _BoundBefore()
    binding.written, binding.written_resource_id = True, binding.resource_id


@event.listens_for(Session, "after_commit")
def _bound(session):
    binding = session.info.get(BINDING)
    if binding is not None and binding.written:
        binding.committed = True


@event.listens_for(Session, "after_rollback")
def _unbound(session):
    binding = session.info.get(BINDING)
    if binding is not None and not binding.committed:
        binding.written = False
