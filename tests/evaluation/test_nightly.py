"""The nightly refresh (RQ cron): every city's view and circle's result cached ahead for a day; a change
then recomputes only the circles it touches."""

from datetime import UTC, datetime

from prometheus_client import REGISTRY
from rq.cron import CronScheduler

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
