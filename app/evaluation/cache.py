"""Evaluation results cached in Redis, one hash per circle and per city, named by the version of their
inputs: `invalidation.py` bumps `circles.evaluation_version` in the same transaction as every change that
affects a circle (writers that bypass the ORM send their domain's signal, or call
`invalidation.invalidate_circle(circle_id)` / `invalidate_city(city_id)` before their commit), and drops the
old entries after it.

Keys: circle:eval:circle:<id> and circle:eval:city:<id> (hashes, TTL 10 min); fields name what is cached
with the scoring profile's version, the as-of date and the input version, e.g.
"evaluation|mofcom-2023@1:ab12…|2025-06-01|v7", so a profile change, a new day or a committed change
never serves an old result, even if dropping the old entry failed (Redis partitioned at the commit).
The cache is an optimisation only: when Redis is unreachable everything is computed and served anyway.
"""

import json
import logging
import threading

import redis as redis_lib
from sqlalchemy import func, select

from app.circles.models import Circle
from app.common import fastjson, metrics
from app.common.extensions import db
from app.common.redis import Keys, get_redis

log = logging.getLogger(__name__)
TTL_S = 600
# The nightly refresh's worker threads share the process's Redis client; seen at load (redis-py 8.1), a
# thread's new connection was closed under it in the handshake while another thread sent a large
# pipeline. Our calls here are few and short next to computing the results: they go one at a time.
_one_at_a_time = threading.Lock()


def circle_key(circle_id: int) -> str:
    return f"{Keys.PREFIX}eval:circle:{circle_id}"


def city_key(city_id: int) -> str:
    return f"{Keys.PREFIX}eval:city:{city_id}"


def field_name(kind: str, profile_tag: str, as_of, *extra) -> str:
    return "|".join([kind, profile_tag, str(as_of), *map(str, extra)])


def circle_field(circle, kind: str, profile_tag: str, as_of, *extra) -> str:
    """The field of a circle's result: named by the circle's input version as read in this transaction."""
    return field_name(kind, profile_tag, as_of, *extra, f"v{circle.evaluation_version}")


def city_field(city_id: int, kind: str, profile_tag: str, as_of) -> str:
    """A city's view changes with any of its circles: named by their versions' count and sum (versions
    only grow, so any bump changes the sum)."""
    count, total = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Circle.evaluation_version), 0)).where(Circle.city_id == city_id)
    ).one()
    return field_name(kind, profile_tag, as_of, f"v{count}.{total}")


class Encoded(str):
    """A value already encoded as JSON: stored as it is (a batch of results is encoded once, not twice)."""


def get_many(fields: dict[str, str]) -> dict[str, dict]:
    """{key: field} → {key: cached value} for the entries found."""
    if not fields:
        return {}
    try:
        values = get_redis().pipeline(transaction=False)
        for key, field in fields.items():
            values.hget(key, field)
        with _one_at_a_time:
            found = values.execute()
    except redis_lib.RedisError as error:
        log.warning("evaluation cache unavailable: %s", error)
        metrics.redis_fallback("evaluation_cache")
        metrics.cache_lookup("evaluation", hit=False, count=len(fields))
        return {}
    hits = {key: fastjson.loads(value) for key, value in zip(fields, found, strict=True) if value}
    metrics.cache_lookup("evaluation", hit=True, count=len(hits))
    metrics.cache_lookup("evaluation", hit=False, count=len(fields) - len(hits))
    return hits


def get(key: str, field: str) -> dict | None:
    return get_many({key: field}).get(key)


def _version(field) -> str:
    """A field's input version: its last part (circle_field, city_field)."""
    return str(field).rsplit("|", 1)[-1]


def put_many(entries: dict[str, tuple[str, dict]], ttl_s: int | None = None):
    """{key: (field, value)}. A hash lives `ttl_s` (default TTL_S) after its latest entry, or longer if an
    entry already asked for more (the nightly refresh's results outlive the requests' shorter ones).
    A hash's entries of other input versions go as the new one comes: no read can name them again. (Writes
    that bump a version in one statement, the "me too", leave them to this and the TTL rather than spend a
    round trip each on dropping them.)"""
    if not entries:
        return
    ttl_s = ttl_s or TTL_S
    try:
        redis = get_redis()
        present = redis.pipeline(transaction=False)
        for key in entries:
            present.hkeys(key)
        pipe = redis.pipeline(transaction=False)
        with _one_at_a_time:
            fields_now = present.execute()
        for (key, (field, value)), fields in zip(entries.items(), fields_now, strict=True):
            stale = [f for f in fields if _version(f) != _version(field)]
            if stale:
                pipe.hdel(key, *stale)
            encoded = value if isinstance(value, Encoded) else json.dumps(value, ensure_ascii=False, default=str)
            pipe.hset(key, field, encoded)
            pipe.expire(key, ttl_s, nx=True)  # a new hash
            pipe.expire(key, ttl_s, gt=True)  # or a longer life than it has
        with _one_at_a_time:
            pipe.execute()
    except redis_lib.RedisError as error:
        log.warning("evaluation cache unavailable: %s", error)
        metrics.redis_fallback("evaluation_cache")


def put(key: str, field: str, value: dict, ttl_s: int | None = None):
    put_many({key: (field, value)}, ttl_s)


def delete_keys(*keys: str):
    try:
        get_redis().delete(*keys)
    except redis_lib.RedisError as error:
        log.warning("evaluation cache unavailable, entries expire in %ss: %s", TTL_S, error)
        metrics.redis_fallback("evaluation_cache")
