"""Retention rules from every domain, enforced by `flask retention run`."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from app.common import retention
from app.common.models import utcnow
from app.notifications.models import OutboxMessage
from app.uploads import storage
from app.uploads.models import Upload
from tests.privacy.conftest import login, upload


def _message(db, user, status, age_days):
    message = OutboxMessage(user_id=user.id, template_id="t", data={"thing1": {"value": "早餐店"}}, status=status)
    db.session.add(message)
    db.session.flush()
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(updated_at=utcnow() - timedelta(days=age_days))
    )
    return message.id


def _ids(db, model):
    return set(db.session.scalars(select(model.id)))


def test_rules_are_registered_by_the_domains():
    names = {r.name: r for r in retention.rules()}
    assert {"notification_payloads", "rejected_uploads", "idempotency_keys"} <= set(names)
    assert names["notification_payloads"].setting == "RETENTION_NOTIFICATIONS_DAYS"


def test_old_delivered_notifications_go_and_pending_ones_stay(app, db, make):
    resident = make.user()
    old_sent = _message(db, resident, "sent", 40)
    old_failed = _message(db, resident, "failed", 31)
    old_pending = _message(db, resident, "pending", 90)  # still to deliver: never deleted by age
    recent_sent = _message(db, resident, "sent", 5)
    assert retention.run(dry_run=True)["notification_payloads"] == 2
    assert _ids(db, OutboxMessage) >= {old_sent, old_failed}
    assert retention.run()["notification_payloads"] == 2
    assert _ids(db, OutboxMessage) == {old_pending, recent_sent}


def test_setting_changes_the_period_and_zero_keeps_forever(app, db, make, monkeypatch):
    resident = make.user()
    kept = _message(db, resident, "sent", 400)
    monkeypatch.setitem(app.config, "RETENTION_NOTIFICATIONS_DAYS", "0")
    assert retention.run()["notification_payloads"] == 0 and kept in _ids(db, OutboxMessage)
    monkeypatch.setitem(app.config, "RETENTION_NOTIFICATIONS_DAYS", "500")
    assert retention.run()["notification_payloads"] == 0
    monkeypatch.setitem(app.config, "RETENTION_NOTIFICATIONS_DAYS", "365")
    assert retention.run()["notification_payloads"] == 1 and kept not in _ids(db, OutboxMessage)


def test_rejected_uploads_are_erased_with_their_files(client, db, stub):
    _, h = login(client, "retention-uploader")
    risky = upload(client, h, "demand_photo", (1, 2, 3))
    passed = upload(client, h, "demand_photo", (4, 5, 6))
    db.session.execute(update(Upload).where(Upload.id == risky).values(media_check="risky"))
    db.session.execute(update(Upload).where(Upload.id == passed).values(media_check="pass"))
    db.session.execute(
        update(Upload).where(Upload.id.in_([risky, passed])).values(updated_at=utcnow() - timedelta(days=60))
    )
    keys = {u.id: (u.storage_key, u.thumb_key) for u in db.session.scalars(select(Upload))}
    assert retention.run()["rejected_uploads"] == 1
    assert _ids(db, Upload) >= {passed} and risky not in _ids(db, Upload)
    assert not storage.exists(keys[risky][0]) and not storage.exists(keys[risky][1])
    assert storage.exists(keys[passed][0])


def test_any_domain_can_register_a_rule(app, db, make):
    """E.g. a location-bearing usage log: a table, its timestamp column and a setting are all it takes."""
    db.session.execute(text("CREATE TEMP TABLE test_search_log (id serial PRIMARY KEY, at timestamptz, lng float)"))
    db.session.execute(
        text("INSERT INTO test_search_log (at, lng) VALUES (now() - interval '10 days', 116.8), (now(), 116.9)")
    )
    rule = retention.register(
        retention.Rule(
            name="test_search_log",
            table="test_search_log",
            timestamp="at",
            setting="RETENTION_TEST_DAYS",
            default_days=7,
            why="test",
        )
    )
    try:
        assert retention.run()["test_search_log"] == 1
        assert db.session.execute(text("SELECT lng FROM test_search_log")).scalars().all() == [116.9]
    finally:
        retention._rules.pop(rule.name)


def test_cli_lists_and_runs(app, db, make):
    resident = make.user()
    _message(db, resident, "sent", 45)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["retention", "list"])
    assert listed.exit_code == 0 and "notification_outbox.updated_at\tRETENTION_NOTIFICATIONS_DAYS=30" in listed.output
    ran = runner.invoke(args=["retention", "run"])
    assert ran.exit_code == 0, ran.output
    assert "notification_payloads\t1\tdeleted" in ran.output


def test_a_bad_setting_is_reported(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_NOTIFICATIONS_DAYS", "thirty")
    with pytest.raises(ValueError, match="RETENTION_NOTIFICATIONS_DAYS"):
        retention.run()


def test_old_idempotency_bindings_go(app, db):
    db.session.execute(
        text(
            "INSERT INTO idempotency_keys (key_hash, fingerprint, created_at) VALUES"
            " ('old', 'f', now() - interval '3 days'), ('fresh', 'f', now() - interval '1 hour')"
        )
    )
    assert retention.run()["idempotency_keys"] == 1
    assert set(db.session.scalars(text("SELECT key_hash FROM idempotency_keys"))) == {"fresh"}
