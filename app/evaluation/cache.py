"""Evaluation results cached in Redis, one hash per circle and per city, invalidated by the changes that
affect them: `invalidation.py` notes what each commit changed and drops the affected entries; writers that
bypass the ORM (core INSERT/UPDATE) call `invalidate_circle(circle_id)` / `invalidate_city(city_id)` after commit.

Keys: circle:eval:circle:<id> and circle:eval:city:<id> (hashes, TTL 10 min); fields name what is cached
with the scoring profile's version and the as-of date, e.g. "evaluation|mofcom-2023@1:ab12…|2025-06-01",
so a profile change or a new day never serves an old result. The cache is an optimisation only: when
Redis is unreachable everything is computed and served anyway.
"""

import json
import logging

import redis as redis_lib
from sqlalchemy import select

from app.circles.models import Circle
from app.common import metrics
from app.common.redis import Keys, get_redis
from app.extensions import db

log = logging.getLogger(__name__)
TTL_S = 600


def circle_key(circle_id: int) -> str:
    return f"{Keys.PREFIX}eval:circle:{circle_id}"


def city_key(city_id: int) -> str:
    return f"{Keys.PREFIX}eval:city:{city_id}"


def field_name(kind: str, profile_tag: str, as_of, *extra) -> str:
    return "|".join([kind, profile_tag, str(as_of), *map(str, extra)])


def get_many(keys: list[str], field: str) -> dict[str, dict]:
    if not keys:
        return {}
    try:
        values = get_redis().pipeline(transaction=False)
        for key in keys:
            values.hget(key, field)
        found = values.execute()
    except redis_lib.RedisError as error:
        log.warning("evaluation cache unavailable: %s", error)
        metrics.redis_error("evaluation_cache_get")
        metrics.redis_fallback("evaluation_cache")
        metrics.cache_lookup("evaluation", hit=False, count=len(keys))
        return {}
    hits = {key: json.loads(value) for key, value in zip(keys, found, strict=True) if value}
    metrics.cache_lookup("evaluation", hit=True, count=len(hits))
    metrics.cache_lookup("evaluation", hit=False, count=len(keys) - len(hits))
    return hits


def get(key: str, field: str) -> dict | None:
    return get_many([key], field).get(key)


def put_many(entries: dict[str, dict], field: str):
    if not entries:
        return
    try:
        pipe = get_redis().pipeline(transaction=False)
        for key, value in entries.items():
            pipe.hset(key, field, json.dumps(value, ensure_ascii=False, default=str))
            pipe.expire(key, TTL_S)
        pipe.execute()
    except redis_lib.RedisError as error:
        log.warning("evaluation cache unavailable: %s", error)
        metrics.redis_error("evaluation_cache_put")


def put(key: str, field: str, value: dict):
    put_many({key: value}, field)


def delete_keys(*keys: str):
    try:
        get_redis().delete(*keys)
    except redis_lib.RedisError as error:
        log.warning("evaluation cache unavailable, entries expire in %ss: %s", TTL_S, error)
        metrics.redis_error("evaluation_cache_invalidate")


def invalidate_circle(circle_id: int | None):
    """Drop a circle's cached evaluation, gaps and blind spots, and its city's view. Call after commit."""
    if circle_id is None:
        return
    city_id = db.session.scalar(select(Circle.city_id).where(Circle.id == circle_id))
    delete_keys(circle_key(circle_id), *([city_key(city_id)] if city_id is not None else []))


def invalidate_city(city_id: int | None):
    """Drop a city's view and every cached result of its circles (tier or profile changed). After commit."""
    if city_id is None:
        return
    ids = db.session.scalars(select(Circle.id).where(Circle.city_id == city_id)).all()
    delete_keys(city_key(city_id), *(circle_key(i) for i in ids))
