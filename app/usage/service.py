"""Residents who used the platform in a circle in a period: searched there (logged in), filed or
supported a need there, or rated one of its outlets. 好不好 item 9 (居民使用率) counts them, not everyone
who answered a survey or set a home circle.

Recording a search must stay cheap: one Redis SET NX per resident, day and ~1 km cell decides whether the
database hears about it at all; the row names only the user, the circle containing the point and the day.
"""

import logging
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

import numpy as np
import redis as redis_lib
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt import PyJWTError
from sqlalchemy import text

from app.common import geo, reads
from app.common.clock import local_zone, now_local
from app.common.extensions import db
from app.common.policy import actor
from app.common.redis import get_redis
from app.common.tx import atomic
from app.usage.signals import uses_recorded

log = logging.getLogger(__name__)
MARK_TTL_S = 2 * 86400

RECORD_SQL = f"""
INSERT INTO platform_uses (circle_id, day, kind, user_id)
SELECT c.id, :day, 'search', :user_id FROM circles c
WHERE ST_Intersects(c.boundary, {geo.POINT_GEOMETRY_SQL})
ON CONFLICT DO NOTHING
RETURNING circle_id
"""

# Only residents can search logged in (recorded for residents only), file, support or rate, so no join
# with users is needed; each source is reduced to distinct (circle, user) pairs before they are combined.
ACTIVE_SQL = """
WITH searched AS MATERIALIZED (
  SELECT DISTINCT circle_id, user_id FROM platform_uses
  WHERE circle_id = ANY(:ids) AND day BETWEEN :start AND :end
), filed AS MATERIALIZED (
  SELECT circle_id, user_id FROM demands
  WHERE circle_id = ANY(:ids) AND user_id IS NOT NULL AND created_at >= :since AND created_at < :until
  UNION
  SELECT d.circle_id, s.user_id FROM demand_supports s JOIN demands d ON d.id = s.demand_id
  WHERE d.circle_id = ANY(:ids) AND s.created_at >= :since AND s.created_at < :until
), rated AS MATERIALIZED (
  SELECT DISTINCT o.circle_id, r.user_id
  FROM outlets o JOIN ratings r ON r.outlet_id = o.id
  WHERE o.circle_id = ANY(:ids) AND r.created_at >= :since AND r.created_at < :until
), used AS (
  SELECT circle_id, user_id, 1 AS s, 0 AS f, 0 AS r FROM searched
  UNION ALL SELECT circle_id, user_id, 0, 1, 0 FROM filed
  UNION ALL SELECT circle_id, user_id, 0, 0, 1 FROM rated
)
SELECT circle_id, count(DISTINCT user_id) AS residents,
       sum(s) AS searched, sum(f) AS filed, sum(r) AS rated
FROM used GROUP BY circle_id
"""


def searching_resident():
    """The logged-in resident of a public request, or None; a stale token never fails the search."""
    try:
        user = actor()
    except (JWTExtendedException, PyJWTError):
        return None
    return user if user is not None and user.has_role("resident") else None


def record_search(user, lng: float, lat: float):
    """Notes that a resident searched around a WGS-84 point today (the circle containing it)."""
    if user is None:
        return
    day = now_local().date()
    mark = f"usage:search:{user.id}:{day.isoformat()}:{round(lng, 2)}:{round(lat, 2)}"
    try:
        if not get_redis().set(mark, 1, nx=True, ex=MARK_TTL_S):
            return
    except redis_lib.RedisError as error:  # without Redis the insert's ON CONFLICT still keeps one row
        log.warning("usage marks unavailable: %s", error)
    # Searches are read-only requests (maybe on a replica); this row is a write, a use case of its own.
    with reads.on_primary(), atomic():
        circles = db.session.execute(text(RECORD_SQL), {"day": day, "user_id": user.id, "lng": lng, "lat": lat}).all()
    if circles:  # item 9 of these circles changed
        uses_recorded.send(__name__, circle_ids=[circle_id for (circle_id,) in circles])


# The `rated` part given as (circle, user) arrays read once for a whole pass (ratings_read_once).
ACTIVE_GIVEN_RATED_SQL = ACTIVE_SQL.replace(
    """  SELECT DISTINCT o.circle_id, r.user_id
  FROM outlets o JOIN ratings r ON r.outlet_id = o.id
  WHERE o.circle_id = ANY(:ids) AND r.created_at >= :since AND r.created_at < :until""",
    "  SELECT * FROM unnest(CAST(:rated_circles AS int[]), CAST(:rated_users AS int[])) AS r(circle_id, user_id)",
)
assert ACTIVE_GIVEN_RATED_SQL != ACTIVE_SQL

# Every circle's distinct raters of a period, as packed (circle << 32 | user) keys.
RATED_ONCE_SQL = """
SELECT string_agg(int8send((circle_id::int8 << 32) | user_id), ''::bytea) FROM (
  SELECT DISTINCT o.circle_id, r.user_id
  FROM outlets o JOIN ratings r ON r.outlet_id = o.id
  WHERE o.circle_id IS NOT NULL AND r.created_at >= :since AND r.created_at < :until) x
"""

# (start, end) → circle id → its raters (ascending), while a pass that asks for many circles runs.
_rated_once: dict[tuple[date, date], dict[int, list[int]]] = {}


def _period(start: date, end: date) -> dict:
    zone = local_zone()
    return {
        "since": datetime.combine(start, time.min, tzinfo=zone),
        "until": datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    }


@contextmanager
def ratings_read_once(start: date, end: date):
    """Within the block, active_residents for this period takes the raters from one read of the period's
    ratings instead of joining all of them with each batch's outlets (the year's ratings were read for
    every batch of the nightly pass: ≈ 0.35 s of the server's CPU a 480-circle batch). The raters are those
    of the block's start: a rating written or deleted while the pass runs (seconds, at night) is missed by
    the batches after it, whose results are cached under the circle's new evaluation_version, until the
    circle's next change or the next pass."""
    # Without parallel workers, whose partial string_agg of the keys took minutes (measured: 7 min against
    # 1.5 s serial for 300k ratings), and with the distinct pairs hashed in memory; the transaction's own
    # settings again after it.
    settings = {"max_parallel_workers_per_gather": "0", "work_mem": "64MB"}
    before = {
        name: db.session.execute(
            text("SELECT current_setting(:name), set_config(:name, :value, true)"), {"name": name, "value": value}
        ).scalar()
        for name, value in settings.items()
    }
    packed = db.session.execute(text(RATED_ONCE_SQL), _period(start, end)).scalar()
    for name, value in before.items():
        db.session.execute(text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value})
    keys = np.sort(np.frombuffer(packed or b"", dtype=">i8").astype(np.int64))
    circles, users = keys >> 32, (keys & 0xFFFFFFFF).tolist()
    starts = np.flatnonzero(np.r_[True, circles[1:] != circles[:-1]]).tolist() if len(keys) else []
    ends = [*starts[1:], len(keys)] if starts else []
    _rated_once[(start, end)] = {circles[a].item(): users[a:b] for a, b in zip(starts, ends, strict=True)}
    try:
        yield
    finally:
        _rated_once.pop((start, end), None)


def active_residents(circle_ids: list[int], start: date, end: date) -> dict[int, dict]:
    """Per circle: distinct residents who used the platform there between start and end (inclusive)."""
    params = {"ids": list(circle_ids), "start": start, "end": end, **_period(start, end)}
    sql = ACTIVE_SQL
    rated = _rated_once.get((start, end))
    if rated is not None:
        sql = ACTIVE_GIVEN_RATED_SQL
        params["rated_circles"] = [c for c in params["ids"] for _ in rated.get(c, ())]
        params["rated_users"] = [u for c in params["ids"] for u in rated.get(c, ())]
    return {
        row.circle_id: {key: int(row._mapping[key]) for key in ("residents", "searched", "filed", "rated")}
        for row in db.session.execute(text(sql), params)
    }
