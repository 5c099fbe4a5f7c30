"""The nightly refresh: every city's view and every circle's result computed before anyone asks, so no
request waits for a cold province. Scheduled on RQ's cron (`EVALUATION_REFRESH_CRON`, default 02:30 in the
worker's time zone) and run by the worker process; `flask evaluation refresh` runs it by hand.

Circles are evaluated set-based, a chunk of whole cities at a time (at most CHUNK_CIRCLES circles: one
batch of facts each; the chunk bounds the worker's memory), EVALUATION_REFRESH_WORKERS chunks at once on as
many database connections (default 2: the statements of one chunk use one core). The results leave out the
evidence outlets (names and distances): a page asking for one circle adds them (service.evaluate_circles).
Results are cached until the next run (REFRESH_TTL_S) under the circles' current evaluation_version: a
change later in the day drops only the circles it touches and their cities' views, which are then
recomputed from the other circles' cached results on the next request.
"""

import gc
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from app.circles.models import Circle, City
from app.common import jobs
from app.common.extensions import db
from app.evaluation import reach
from app.evaluation.reports import city_views
from app.evaluation.service import today
from app.usage.service import ratings_read_once

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


def shares(city_sizes: list[tuple[City, int]], parts: int) -> list[list[tuple[City, int]]]:
    """Whole cities in order, cut into at most `parts` runs of nearly equal circles: each run ends at the city
    boundary nearest to its share of all circles (the workers' shares of a pass)."""
    total = sum(n for _, n in city_sizes)
    runs, current, done = [], [], 0
    for city, circles in city_sizes:
        boundary = total * (len(runs) + 1) / parts
        if current and len(runs) < parts - 1 and abs(done - boundary) <= abs(done + circles - boundary):
            runs.append(current)
            current = []
        current.append((city, circles))
        done += circles
    if current:
        runs.append(current)
    return runs


@contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off while the pass runs, one full collection after it. A chunk
    allocates millions of objects that live until its results are cached (snapshots with their id lists,
    results, rows), and every gen-0 threshold reached then traversed them: measured on 480 circles, the
    process's CPU 1.34-1.69 s with it, 0.79-0.82 s without. What the pass frees is freed by reference
    counting; the few cycles it leaves wait for the collection at the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()


def refresh_all(ttl_s: int = REFRESH_TTL_S, limit: int = CHUNK_CIRCLES, city_ids: list[int] | None = None) -> dict:
    """Recomputes every city's view (or these cities') and their circles' results (today's) and caches them
    for `ttl_s`."""
    with _collector_paused():
        # The outlet ↔ circle reach first (what changed since the last pass; everything after a bulk outlet
        # import), so every chunk's presence reads it rather than the geometry.
        done = {"reach": reach.refresh()}
        # Residents' usage counts the year's raters of each circle: one read of the ratings for the pass.
        day = today()
        with ratings_read_once(date(day.year, 1, 1), day):
            return {**_refresh_all(ttl_s, limit, city_ids), **done}


def _refresh_all(ttl_s: int, limit: int, city_ids: list[int] | None) -> dict:
    started = time.perf_counter()
    query = select(City, func.count(Circle.id)).outerjoin(Circle, Circle.city_id == City.id)
    if city_ids is not None:
        query = query.where(City.id.in_(city_ids))
    sizes = db.session.execute(query.group_by(City.id).order_by(City.id)).all()
    workers = max(1, current_app.config["EVALUATION_REFRESH_WORKERS"])
    # Each worker its share of the circles (whole cities), chunked within it: dealing out chunks of the whole
    # list instead left the last small chunk (3,000 circles: 6 × 480 + 120) to one worker while the other
    # waited (≈ 0.8 s of a 14.7 s pass on the loaded machine).
    parts = shares([(city, n) for city, n in sizes], workers)
    work = [[[city.id for city in group] for group in chunks(part, limit)] for part in parts]
    if len(work) > 1:
        # Each worker thread its own app context, so its own session and connection: the chunks' statements
        # run side by side on the database's cores instead of one after another.
        app = current_app._get_current_object()
        with ThreadPoolExecutor(len(work)) as pool:
            counts = list(pool.map(lambda groups: _refresh_in(app, groups, ttl_s), work))
    else:
        counts = [_refresh_chunks(work[0] if work else [], ttl_s)]
    return {
        "cities": sum(c for c, _ in counts),
        "circles": sum(n for _, n in counts),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _refresh_in(app, groups: list[list[int]], ttl_s: int) -> tuple[int, int]:
    with app.app_context():
        try:
            return _refresh_chunks(groups, ttl_s)
        finally:
            db.session.remove()


def _refresh_chunks(groups: list[list[int]], ttl_s: int) -> tuple[int, int]:
    """(cities, circles) refreshed, chunk after chunk (each a list of city ids)."""
    cities = circles = 0
    for group in groups:
        chunk = list(db.session.scalars(select(City).where(City.id.in_(group)).order_by(City.id)))
        views = city_views(chunk, use_cache=False, ttl_s=ttl_s)
        cities += len(views)
        circles += sum(len(view["circles"]) for view in views.values())
    return cities, circles


def refresh_job(day: str | None = None) -> dict:
    """The RQ job (loads the app when a bare `rq worker evaluation` runs it)."""
    return jobs.in_app(_refresh_logged, day)


def _refresh_logged(day: str | None) -> dict:
    done = refresh_all()
    log.info("evaluation refresh", extra={"day": day or date.today().isoformat(), **done})
    return done


def reach_refresh_job() -> dict:
    """The RQ job bringing the stored reach up to date between nightly passes (nothing to do: a few ms)."""
    return jobs.in_app(_reach_refreshed)


def _reach_refreshed() -> dict:
    done = reach.refresh()
    if done.get("rebuilt") or done.get("outlets") or done.get("circles"):
        log.info("evaluation reach refresh", extra=done)
    return done


def init_app(app):
    """Schedules the nightly refresh on RQ's cron (an empty EVALUATION_REFRESH_CRON turns it off), and the reach's
    refresh between them (EVALUATION_REACH_REFRESH_CRON): after any outlet or circle written, presence pairs
    outlets with circles by geometry until the reach is refreshed, which would otherwise wait for the night."""
    cron = app.config.get("EVALUATION_REFRESH_CRON", "")
    jobs.schedule(jobs.Scheduled("evaluation-refresh", refresh_job, cron, QUEUE))
    reach_cron = app.config.get("EVALUATION_REACH_REFRESH_CRON", "")
    jobs.schedule(jobs.Scheduled("evaluation-reach-refresh", reach_refresh_job, reach_cron, QUEUE, timeout_s=600))
