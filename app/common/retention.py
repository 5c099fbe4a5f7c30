"""How long records are kept: a registry of rules that any domain registers into, enforced by one job.

A domain registers a rule in its `retention.py` module (imported with the models):

    retention.register(Rule(name="notification_payloads", table="notification_outbox",
                            timestamp="updated_at", setting="RETENTION_NOTIFICATIONS_DAYS", default_days=30,
                            where="status IN ('sent', 'unsubscribed', 'failed')", why="…"))

`flask retention run` (daily: the compose `retention` service, or a cron line) deletes rows whose timestamp
is older than the configured number of days, in batches, one commit per batch. A setting of 0 or less keeps
rows forever. `returning` columns are handed to `after_delete` once the batch is committed (e.g. to delete
the files of deleted uploads).
"""

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import text

from app.common.extensions import db
from app.common.models import utcnow
from app.common.tx import atomic

log = logging.getLogger(__name__)

BATCH = 1000
_rules: dict[str, "Rule"] = {}


@dataclass(frozen=True)
class Rule:
    name: str
    table: str
    timestamp: str  # column compared with now - days
    setting: str  # environment variable / config key holding the number of days
    default_days: int
    why: str
    where: str = ""  # extra SQL condition (constants only)
    returning: tuple = ()
    key: str = "id"  # the table's primary key column
    after_delete: Callable[[list], None] | None = None

    def days(self) -> int:
        value = current_app.config.get(self.setting, os.environ.get(self.setting))
        if value in (None, ""):
            return self.default_days
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"{self.setting} must be a whole number of days, not {value!r}") from None


def register(rule: Rule) -> Rule:
    _rules[rule.name] = rule
    return rule


def rules() -> list[Rule]:
    return sorted(_rules.values(), key=lambda r: r.name)


def _statement(rule: Rule, returning: tuple):
    where = f" AND ({rule.where})" if rule.where else ""
    cols = ", ".join((rule.key, *returning))
    # A bounded batch per statement: short transactions, no long lock on a busy table.
    return text(
        f"DELETE FROM {rule.table} WHERE {rule.key} IN ("
        f"SELECT {rule.key} FROM {rule.table} WHERE {rule.timestamp} < :cutoff{where} "
        f"ORDER BY {rule.timestamp} LIMIT :batch FOR UPDATE SKIP LOCKED) RETURNING {cols}"
    )


def run_rule(rule: Rule, now: datetime | None = None, dry_run: bool = False) -> int:
    days = rule.days()
    if days <= 0:
        return 0
    cutoff = (now or utcnow()) - timedelta(days=days)
    if dry_run:
        where = f" AND ({rule.where})" if rule.where else ""
        sql = text(f"SELECT count(*) FROM {rule.table} WHERE {rule.timestamp} < :cutoff{where}")
        return db.session.scalar(sql, {"cutoff": cutoff})
    total = 0
    while True:
        with atomic():
            rows = db.session.execute(_statement(rule, rule.returning), {"cutoff": cutoff, "batch": BATCH}).all()
        if rule.after_delete and rows:
            rule.after_delete([row[1:] for row in rows])
        total += len(rows)
        if len(rows) < BATCH:
            return total


def run(now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Applies every rule; returns rows deleted (or, dry run, that would be) per rule."""
    done = {}
    for rule in rules():
        done[rule.name] = run_rule(rule, now, dry_run)
        if done[rule.name]:
            log.info("retention %s: %s rows %s", rule.name, done[rule.name], "due" if dry_run else "deleted")
    return done
