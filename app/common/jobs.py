"""Jobs a domain schedules on RQ's own cron (rq.cron, RQ ≥ 2.5): registered by the domain's init_app (from
the app factory), enqueued by the worker process (`flask notifications work`) on every pass when due and run
by its RQ worker, which listens to their queues too. Cron fields are the worker process's local time (RQ
reads the system clock's zone: the image sets TZ=Asia/Shanghai)."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import has_app_context
from flask.cli import ScriptInfo
from rq import Queue
from rq.cron import CronScheduler

from app.common.appdb import app_db


@dataclass(frozen=True)
class Scheduled:
    name: str
    func: object  # a module-level function (RQ imports it by name in the worker)
    cron: str
    queue: str
    timeout_s: int = 3600


_scheduled: dict[str, Scheduled] = {}
_schedulers: dict[int, CronScheduler] = {}


def schedule(job: Scheduled):
    """Registers (or replaces) a job by name; an empty cron leaves it unscheduled."""
    _scheduled.pop(job.name, None)
    if job.cron:
        _scheduled[job.name] = job


def scheduled() -> list[Scheduled]:
    return list(_scheduled.values())


def queues(connection) -> list[Queue]:
    """The queues the scheduled jobs go to (the worker listens to them besides its own)."""
    names = sorted({job.queue for job in _scheduled.values()})
    return [Queue(name, connection=connection) for name in names]


def enqueue_due(connection) -> list[str]:
    """Enqueues the jobs whose time has come (each process keeps its schedule from its start: a job is due at
    the first cron time after the process started, then at each next one)."""
    scheduler = _schedulers.get(id(connection))
    if scheduler is None:
        scheduler = _schedulers[id(connection)] = CronScheduler(connection=connection, name="app-jobs")
        for job in _scheduled.values():
            scheduler.register(job.func, job.queue, cron=job.cron, job_timeout=job.timeout_s, name=job.name)
    return [job.name for job in scheduler.enqueue_jobs()]


_job_app = None


def in_app(run: Callable, *args):
    """Runs a job's body inside the app: the worker's own (`flask … work`), or under a bare `rq worker` the app
    loaded once per process as `flask` commands load it (FLASK_APP=wsgi.py). The factory composes every domain,
    so a job does not import it."""
    global _job_app
    if has_app_context():
        return run(*args)
    if _job_app is None:
        _job_app = ScriptInfo().load_app()
    with _job_app.app_context():
        try:
            return run(*args)
        finally:
            app_db().session.remove()
