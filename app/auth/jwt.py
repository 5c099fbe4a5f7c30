"""flask-jwt-extended wiring: who the token names, and the contract's envelope for token errors."""

import functools
import threading
import time

from flask import current_app
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from app.common import reads
from app.common.errors import envelope
from app.common.extensions import db, jwt


class RecentUsers:
    """Account rows read for tokens in the last few seconds (AUTH_USER_CACHE_S), per process.

    Every request with a token needs its account (disabled? deleted? roles); reading the row took a
    statement and its round trip per request (~15 % of a "me too"'s CPU). A remembered row is attached to
    the request's session as if just read (no statement). Any change to a user that this process flushes
    forgets that user at once; a change by another process counts after at most AUTH_USER_CACHE_S.

    A row not remembered is read by the driver on the primary (`reads.primary_rows`: one prepared statement,
    outside the request's transaction; a replica may not hold a new account yet): the ORM's `session.get` cost
    ~15 % of a need submission's CPU, whose residents are mostly not among the last few seconds' callers.
    """

    MAX = 20_000  # rows (a few hundred bytes each); past that the memory starts again empty

    def __init__(self):
        self.model = None  # auth's User, set by init_jwt_callbacks (models import this module's package)
        self._rows: dict[int, tuple[float, dict]] = {}
        self._lock = threading.Lock()

    @functools.cached_property
    def _row_sql(self) -> str:
        columns = ", ".join(f'"{a.columns[0].name}" AS "{a.key}"' for a in inspect(self.model).column_attrs)
        return f"SELECT {columns} FROM {self.model.__table__.name} WHERE id = :id"

    def load(self, user_id: int, ttl_s: float):
        model, session = self.model, db.session()
        key = identity_key(model, user_id)
        if key in session.identity_map:  # this request (or test) already holds it, maybe changed
            return session.identity_map[key]
        now = time.monotonic()
        remembered = self._rows.get(user_id) if ttl_s > 0 else None
        if remembered is not None and remembered[0] > now:
            values = remembered[1]
        else:
            found = reads.primary_rows(self._row_sql, {"id": user_id})
            if not found:
                return None
            values = found[0]
            values["roles"] = list(values["roles"] or ())
            if ttl_s > 0:
                with self._lock:
                    if len(self._rows) >= self.MAX:
                        self._rows.clear()
                    self._rows[user_id] = (now + ttl_s, values)
        # Made as the ORM makes a row it loads (its columns set in the instance's dict, no attribute events): the
        # constructor set them one by one through the instrumented attributes, and recorded each as a change
        # that make_transient_to_detached then committed again.
        user = model.__mapper__.class_manager.new_instance()
        user.__dict__.update(values)
        user.__dict__["roles"] = list(values["roles"])  # its own list
        make_transient_to_detached(user)
        session.add(user)
        return user

    def forget(self, user_ids):
        with self._lock:
            for user_id in user_ids:
                self._rows.pop(user_id, None)

    def clear(self):
        with self._lock:
            self._rows.clear()


recent_users = RecentUsers()


def _forget_changed_users(session, _flush_context):
    model = recent_users.model
    changed = [o.id for o in (*session.new, *session.dirty, *session.deleted) if type(o) is model]
    if changed:
        recent_users.forget(changed)


def init_jwt_callbacks():
    from app.auth.models import User

    @jwt.user_lookup_loader
    def _load_user(_header, payload):
        user = recent_users.load(int(payload["sub"]), current_app.config.get("AUTH_USER_CACHE_S", 0))
        # A deleted account (注销) keeps its row as a tombstone: tokens issued before stop working here.
        return None if user is None or user.disabled or user.deleted_at is not None else user

    recent_users.model = User
    if not event.contains(Session, "after_flush", _forget_changed_users):
        event.listen(Session, "after_flush", _forget_changed_users)

    @jwt.user_lookup_error_loader
    def _unknown_user(_header, _payload):
        return envelope("invalid_token", "登录已失效，请重新登录", {}, 401)

    @jwt.unauthorized_loader
    def _missing(reason):
        # Also called for a cookie-authenticated write without the double-submit token (CSRFError).
        if "CSRF" in reason:
            return envelope("csrf_failed", "页面已过期或来源不明，请刷新后重试", {}, 403)
        return envelope("unauthorized", "请先登录", {}, 401)

    @jwt.invalid_token_loader
    def _invalid(reason):
        return envelope("invalid_token", "登录凭证无效，请重新登录", {}, 401)

    @jwt.expired_token_loader
    def _expired(_header, _payload):
        return envelope("token_expired", "登录已过期，请重新登录", {}, 401)

    @jwt.revoked_token_loader
    def _revoked(_header, _payload):
        return envelope("token_revoked", "登录已失效，请重新登录", {}, 401)
