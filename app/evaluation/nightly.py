"""The nightly refresh: every city's view and every circle's result computed before anyone asks, so no
request waits for a cold province. Scheduled on RQ's cron (`EVALUATION_REFRESH_CRON`, default 02:30 in the
worker's time zone) and run by the worker process; `flask evaluation refresh` runs it by hand.

Circles are evaluated set-based, a chunk of whole cities at a time (at most CHUNK_CIRCLES circles: one
batch of facts each; the chunk bounds the worker's memory, a province's results being about 1 GB of JSON).
Results are cached until the next run (REFRESH_TTL_S) under the circles' current evaluation_version: a
change later in the day drops only the circles it touches and their cities' views, which are then
recomputed from the other circles' cached results on the next request.
"""

import logging
import time
from datetime import date

from sqlalchemy import func, select

from app.circles.models import Circle, City
from app.common import jobs
from app.evaluation.reports import city_views
from app.extensions import db

log = logging.getLogger(__name__)

QUEUE = "evaluation"
CHUNK_CIRCLES = 500
REFRESH_TTL_S = 26 * 3600  # until the next nightly run, with two hours to spare


def chunks(city_sizes: list[tuple[City, int]], limit: int = CHUNK_CIRCLES) -> list[list[City]]:
    """Whole cities in order, grouped so a group holds at most `limit` circles (a larger city alone)."""
    groups, current, size = [], [], 0
    for city, circles in city_sizes:
        if current and size + circles > limit:
            groups.append(current)
            current, size = [], 0
        current.append(city)
        size += circles
    if current:
        groups.append(current)
    return groups


def refresh_all(ttl_s: int = REFRESH_TTL_S, limit: int = CHUNK_CIRCLES, city_ids: list[int] | None = None) -> dict:
    """Recomputes every city's view (or these cities') and their circles' results (today's) and caches them
    for `ttl_s`."""
    started = time.perf_counter()
    query = select(City, func.count(Circle.id)).outerjoin(Circle, Circle.city_id == City.id)
    if city_ids is not None:
        query = query.where(City.id.in_(city_ids))
    sizes = db.session.execute(query.group_by(City.id).order_by(City.id)).all()
    ids = [[city.id for city in group] for group in chunks([(city, n) for city, n in sizes], limit)]
    cities = circles = 0
    for group in ids:
        chunk = list(db.session.scalars(select(City).where(City.id.in_(group)).order_by(City.id)))
        views = city_views(chunk, use_cache=False, ttl_s=ttl_s)
        cities += len(views)
        circles += sum(len(view["circles"]) for view in views.values())
    return {"cities": cities, "circles": circles, "seconds": round(time.perf_counter() - started, 1)}


def refresh_job(day: str | None = None) -> dict:
    """The RQ job (loads the app when a bare `rq worker evaluation` runs it)."""
    return jobs.in_app(_refresh_logged, day)


def _refresh_logged(day: str | None) -> dict:
    done = refresh_all()
    log.info("evaluation refresh", extra={"day": day or date.today().isoformat(), **done})
    return done


def init_app(app):
    """Schedules the nightly refresh on RQ's cron (an empty EVALUATION_REFRESH_CRON turns it off)."""
    cron = app.config.get("EVALUATION_REFRESH_CRON", "")
    jobs.schedule(jobs.Scheduled("evaluation-refresh", refresh_job, cron, QUEUE))
