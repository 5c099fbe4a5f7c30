"""The read path (app/common/reads.py) against real servers: prepared statements that outlive requests, a
streaming replica serving searches (scripts/services.sh replica: pg_basebackup of the private PostgreSQL,
hot standby on another loopback port), read-your-writes on the primary, and a replica that is down.

These tests commit (a second app instance with its own pools reads what the first one wrote, as a
gunicorn worker would); `committed_data` deletes every row they add.
"""

import os
import subprocess
import time
from pathlib import Path

import psycopg
import pytest
from flask_jwt_extended import create_access_token
from sqlalchemy.engine import make_url

from tests.servers import free_port
from tests.transactions import commit

ROOT = Path(__file__).resolve().parents[2]
CENTER = (116.8492, 40.3775)
NEARBY = f"/api/v1/outlets/nearby?lng={CENTER[0]}&lat={CENTER[1]}&coord=wgs84"

pytestmark = pytest.mark.replica


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def replica_url(app):
    """The test database on a streaming replica of the private PostgreSQL (started once, kept under var/)."""
    primary = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if primary.host not in ("127.0.0.1", "localhost"):
        pytest.skip("the local replica follows the private development server (scripts/services.sh)")
    env = {**os.environ, "DEV_PG_PORT": str(primary.port)}
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "services.sh"), "replica"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    url = make_url(done.stdout.strip().splitlines()[-1]).set(database=primary.database)
    return url.render_as_string(hide_password=False)


def wait_caught_up(primary_url: str, replica_url: str, timeout_s: float = 60) -> None:
    # The insert position, not pg_current_wal_lsn() (the write position): the test server commits with
    # synchronous_commit=off, so a commit's record may still sit in the WAL buffers, past the write position,
    # until the WAL writer's next round; a replica "caught up" to the write position may not have that commit.
    with psycopg.connect(libpq(primary_url), autocommit=True) as primary:
        target = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout_s
    with psycopg.connect(libpq(replica_url), autocommit=True) as replica:
        while not replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)).fetchone()[0]:
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.05)


def fresh_app(app, **config):
    from app import create_app

    keys = ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "WECHAT_API_BASE", "TESTING", "UPLOAD_DIR")
    return create_app({**{k: app.config[k] for k in keys}, "RATELIMIT_ENABLED": False, **config})


def rating_count(response, outlet_id: int) -> int:
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    item = body if "items" not in body else next(i for i in body["items"] if i["id"] == outlet_id)
    return item["rating"]["count"]


def test_prepared_statements_outlive_requests_on_the_read_connection(app, committed_data, stub):
    from app.common import reads

    committed_data.outlet(*CENTER, name="读路径便利店")
    commit()
    served = fresh_app(app)
    client = served.test_client()
    for _ in range(reads.PREPARE_THRESHOLD + 2):
        assert client.get(NEARBY).status_code == 200
    with served.app_context():
        engine = reads.engines().primary
        assert engine.pool.checkedout() == 0 and engine.pool.checkedin() == 1  # one connection served them all
        connection = engine.raw_connection()
        kept_cursor = connection.info.get("read_cursor")  # one cursor per connection, kept with it
        assert kept_cursor is not None and kept_cursor.connection is connection.driver_connection
        try:
            prepared = connection.driver_connection.execute(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%knn%'"
            ).fetchall()
            settings = connection.driver_connection.execute(
                "SELECT current_setting('jit'), current_setting('plan_cache_mode')"
            ).fetchone()
        finally:
            connection.close()
    # No ROLLBACK ended them: psycopg keeps the statement prepared on the server between requests, and the
    # page without a keyword is planned once (its generic plan, reads.GENERIC_PLAN), never per request.
    assert len(prepared) == 1
    assert prepared[0] == (2, 0)
    assert settings == ("off", "force_generic_plan")

    # A keyword search gets a plan for its keyword every time: the connection is switched back for it.
    for _ in range(reads.PREPARE_THRESHOLD + 2):
        assert client.get(NEARBY + "&q=%E4%BE%BF%E5%88%A9").status_code == 200
    with served.app_context():
        connection = engine.raw_connection()
        try:
            keyword = connection.driver_connection.execute(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                " WHERE statement LIKE '%knn%' AND statement LIKE '%ILIKE%'"
            ).fetchall()
            settings = connection.driver_connection.execute("SELECT current_setting('plan_cache_mode')").fetchone()
            assert connection.info["read_cursor"] is kept_cursor  # the keyword searches ran on it too
        finally:
            connection.close()
        reads.engines().dispose()
    assert keyword == [(0, 2)] and settings == ("force_custom_plan",)


def test_searches_come_from_the_replica_and_a_residents_own_write_from_the_primary(
    app, committed_data, stub, replica_url, redis
):
    from app.common import reads

    make = committed_data
    make.circle(center=CENTER)  # a search inside a circle writes a usage row (居民使用率)
    outlet = make.outlet(*CENTER, name="副本便利店")
    rater, searcher = make.user(), make.user()
    commit()
    primary_url = app.config["SQLALCHEMY_DATABASE_URI"]
    wait_caught_up(primary_url, replica_url)

    served = fresh_app(app, DATABASE_REPLICA_URLS=replica_url)
    client = served.test_client()
    with served.app_context():
        as_rater = {"Authorization": f"Bearer {create_access_token(identity=str(rater.id))}"}
        as_searcher = {"Authorization": f"Bearer {create_access_token(identity=str(searcher.id))}"}
        replica_engine = reads.engines().replicas[0].engine
        with replica_engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT pg_is_in_recovery()").scalar() is True
    detail = f"/api/v1/outlets/{outlet.id}"

    with psycopg.connect(libpq(replica_url), autocommit=True) as replica:
        # Replay paused: from now on the replica lags, so who answered shows in what is answered.
        replica.execute("SELECT pg_wal_replay_pause()")
        try:
            assert client.post(
                f"/api/v1/outlets/{outlet.id}/ratings", json={"stars": 5}, headers=as_rater
            ).status_code in (
                200,
                201,
            )
            assert rating_count(client.get(NEARBY), outlet.id) == 0  # anyone: the replica
            assert rating_count(client.get(detail), outlet.id) == 0  # ORM reads too
            assert rating_count(client.get(NEARBY, headers=as_rater), outlet.id) == 1  # read-your-writes: primary
            assert rating_count(client.get(detail, headers=as_rater), outlet.id) == 1
            # Another resident reads from the replica; the usage row its search writes goes to the primary
            # (a replica refuses writes: this request would fail if it went there).
            assert rating_count(client.get(NEARBY, headers=as_searcher), outlet.id) == 0
            with psycopg.connect(libpq(primary_url), autocommit=True) as primary:
                used = primary.execute(
                    "SELECT count(*) FROM platform_uses WHERE user_id = %s", (searcher.id,)
                ).fetchone()[0]
            assert used == 1
        finally:
            replica.execute("SELECT pg_wal_replay_resume()")
    wait_caught_up(primary_url, replica_url)
    assert rating_count(client.get(NEARBY), outlet.id) == 1  # the replica has it now
    with served.app_context():
        reads.engines().dispose()


def test_a_replica_that_is_down_leaves_reads_to_the_primary(app, committed_data, stub):
    from app.common import reads

    outlet = committed_data.outlet(*CENTER, name="主库便利店")
    commit()
    nobody = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(port=free_port())  # nothing listens there
    served = fresh_app(app, DATABASE_REPLICA_URLS=nobody.render_as_string(hide_password=False))
    client = served.test_client()
    response = client.get(NEARBY)
    assert response.status_code == 200 and outlet.id in [i["id"] for i in response.get_json()["items"]]
    with served.app_context():
        assert not reads.engines().replicas[0].up  # left alone for DATABASE_REPLICA_RETRY_S
        reads.engines().replicas[0].down_until = 0  # as if the pause were over: the detail's ORM reads fail over
    assert client.get(f"/api/v1/outlets/{outlet.id}").status_code == 200
    assert client.get(f"/api/v1/repair/nearby?lng={CENTER[0]}&lat={CENTER[1]}").status_code == 200
    with served.app_context():
        reads.engines().dispose()
