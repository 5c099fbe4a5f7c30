"""The nightly refresh (RQ cron): every city's view and circle's result cached ahead for a day; a change
then recomputes only the circles it touches."""

import json
from datetime import UTC, datetime, timedelta
from unittest.mock import ANY

from prometheus_client import REGISTRY
from rq.cron import CronScheduler
from sqlalchemy import text

from app.common import jobs
from app.evaluation import cache, nightly, reports, service
from app.notifications import worker
from app.outlets.service import apply_fields
from tests.factories import MIYUN
from tests.transactions import commit


def _misses() -> float:
    return REGISTRY.get_sample_value("cache_lookups_total", {"cache": "evaluation", "result": "miss"}) or 0.0


def test_chunks_hold_whole_cities_up_to_the_limit():
    sizes = [("a", 300), ("b", 150), ("c", 100), ("d", 700), ("e", 10)]
    assert nightly.chunks(sizes, 500) == [["a", "b"], ["c"], ["d"], ["e"]]


def test_workers_share_the_circles_in_runs_of_whole_cities_nearly_equal():
    sizes = [("a", 300), ("b", 150), ("c", 100), ("d", 700), ("e", 10)]
    assert nightly.shares(sizes, 2) == [[("a", 300), ("b", 150), ("c", 100)], [("d", 700), ("e", 10)]]
    province = [(f"city{i}", 24) for i in range(125)]  # 3,000 circles: one city apart at most
    assert [sum(n for _, n in run) for run in nightly.shares(province, 2)] == [1488, 1512]
    assert [len(run) for run in nightly.shares(province[:1], 2)] == [1]
    assert nightly.shares([], 2) == []


def test_refresh_caches_a_day_and_a_change_recomputes_only_its_circle(make, db, redis):
    city = make.city()
    west = make.circle(center=MIYUN, city=city, half_m=300)
    east = make.circle(center=(MIYUN[0] + 0.02, MIYUN[1]), city=city, half_m=300)
    outlet = make.outlet(*MIYUN, types=["breakfast"])
    commit()
    done = nightly.refresh_all()
    assert done["circles"] >= 2 and done["cities"] >= 1
    for key in (cache.circle_key(west.id), cache.circle_key(east.id), cache.city_key(city.id)):
        assert redis.ttl(key) > cache.TTL_S  # kept until the next night, not ten minutes
    admin = make.user("admin")
    before = _misses()
    view = reports.city_evaluation(admin, city.id)
    assert _misses() == before  # the morning's first request: nothing computed
    apply_fields(outlet, {"types": ["breakfast", "pharmacy"]})
    commit()
    assert redis.exists(cache.circle_key(east.id)) and not redis.exists(cache.circle_key(west.id))
    before = _misses()
    after = reports.city_evaluation(admin, city.id)
    assert _misses() == before + 2  # the city's view and the one touched circle, not its neighbour
    assert after["circles"][1] == view["circles"][1] and after["circles"][0] != view["circles"][0]


def test_the_worker_runs_the_refresh_on_rqs_cron(app, make, db, redis):
    assert app.config["EVALUATION_REFRESH_CRON"] == "30 2 * * *"
    [job] = [j for j in jobs.scheduled() if j.name == "evaluation-refresh"]
    scheduler = CronScheduler(connection=worker.rq_connection(), name="test")
    cron_job = scheduler.register(job.func, job.queue, cron=job.cron, name=job.name)
    next_run = cron_job.next_enqueue_time.astimezone()  # the worker's local time (the image sets TZ)
    assert (next_run.hour, next_run.minute) == (2, 30) and next_run > datetime.now(UTC)
    # The worker listens to the job's queue: a refresh enqueued there is run by its next pass.
    circle = make.circle(center=MIYUN)
    commit()
    [queue] = [q for q in jobs.queues(worker.rq_connection()) if q.name == nightly.QUEUE]
    queue.enqueue(job.func, job_timeout=job.timeout_s)
    assert worker.work_once()
    assert redis.ttl(cache.circle_key(circle.id)) > cache.TTL_S


def test_the_worker_refreshes_the_reach_between_nightly_passes(app, make, db, redis):
    """An outlet written during the day sends presence back to the geometry until the reach is refreshed: the
    worker does that every five minutes on the same cron, not only at night."""
    from app.evaluation import reach

    assert app.config["EVALUATION_REACH_REFRESH_CRON"] == "*/5 * * * *"
    [job] = [j for j in jobs.scheduled() if j.name == "evaluation-reach-refresh"]
    scheduler = CronScheduler(connection=worker.rq_connection(), name="test")
    next_run = scheduler.register(job.func, job.queue, cron=job.cron, name=job.name).next_enqueue_time
    assert next_run.minute % 5 == 0 and next_run - datetime.now(UTC) <= timedelta(minutes=5)
    circle = make.circle(center=MIYUN)
    commit()
    reach.refresh()
    make.outlet(*MIYUN, types=["breakfast"])
    commit()
    assert reach.presence_pairs([circle.id], ["breakfast"], [1000])[0] is False  # noted: the geometry answers
    [queue] = [q for q in jobs.queues(worker.rq_connection()) if q.name == job.queue]
    queue.enqueue(job.func, job_timeout=job.timeout_s)
    assert worker.work_once()
    usable, pairs = reach.presence_pairs([circle.id], ["breakfast"], [1000])
    assert usable is True and pairs


def test_the_evidence_outlets_wait_for_a_reader_of_the_circle_and_go_with_its_changes(make, db, redis):
    city = make.city()
    circle = make.circle(center=MIYUN, city=city, half_m=300)
    outlet = make.outlet(*MIYUN, types=["breakfast"], name="老王早点")
    commit()
    nightly.refresh_all()
    fields = redis.hkeys(cache.circle_key(circle.id))
    assert any(f.startswith("evaluation|") for f in fields) and not any(f.startswith("evidence|") for f in fields)
    before = _misses()
    result = service.evaluate_circle(circle.id)
    assert _misses() == before + 1  # the result came from the night, only its evidence was computed
    assert result["presence"]["basic"]["evidence_outlets"]["breakfast"][0]["name"] == "老王早点"
    assert any(f.startswith("evidence|") for f in redis.hkeys(cache.circle_key(circle.id)))
    assert service.evaluate_circle(circle.id) == result and _misses() == before + 1  # both cached now
    apply_fields(outlet, {"name": "老王早餐"})
    commit()
    renamed = service.evaluate_circle(circle.id)["presence"]["basic"]["evidence_outlets"]["breakfast"][0]
    assert renamed["name"] == "老王早餐"


def test_two_connections_cache_what_one_does(app, committed_data, redis):
    """EVALUATION_REFRESH_WORKERS > 1: the chunks go to worker threads, each with its own session and database
    connection. Those see only committed rows, so this test commits its cities (`committed_data` deletes them
    afterwards) and compares the cache with what one connection writes."""
    make = committed_data
    cities = []
    for i in range(3):
        city = make.city()
        cities.append(city)
        for j in range(2):
            make.circle(center=(MIYUN[0] + 0.05 * i + 0.012 * j, MIYUN[1]), city=city, half_m=300)
        make.outlet(MIYUN[0] + 0.05 * i, MIYUN[1], types=["breakfast"])
        make.outlet(MIYUN[0] + 0.05 * i + 0.009, MIYUN[1], types=["pharmacy", "convenience_store"])
    commit()
    ids = [city.id for city in cities]
    connections = set()
    refresh_chunks = nightly._refresh_chunks

    def recorded(groups, ttl_s):  # which database session (server process) ran each worker's chunks
        connections.add(make.db.session.execute(text("SELECT pg_backend_pid()")).scalar())
        return refresh_chunks(groups, ttl_s)

    def cached() -> dict:
        return {
            (key, field): {k: v for k, v in json.loads(value).items() if k != "computed_at"}
            for key in redis.keys(f"{cache.circle_key(0)[:-1]}*") + redis.keys(f"{cache.city_key(0)[:-1]}*")
            for field, value in redis.hgetall(key).items()
        }

    workers = app.config["EVALUATION_REFRESH_WORKERS"]
    nightly._refresh_chunks = recorded
    try:
        app.config["EVALUATION_REFRESH_WORKERS"] = 1
        assert nightly.refresh_all(city_ids=ids, limit=2) == {"cities": 3, "circles": 6, "seconds": ANY, "reach": ANY}
        alone = cached()
        assert len(alone) == 9 and len(connections) == 1
        redis.flushdb()
        connections.clear()
        app.config["EVALUATION_REFRESH_WORKERS"] = 2
        assert nightly.refresh_all(city_ids=ids, limit=2) == {"cities": 3, "circles": 6, "seconds": ANY, "reach": ANY}
        assert len(connections) == 2  # two worker threads, each its own connection
        assert cached() == alone
    finally:
        nightly._refresh_chunks = refresh_chunks
        app.config["EVALUATION_REFRESH_WORKERS"] = workers
