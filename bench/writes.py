#!/usr/bin/env python
"""Benchmark of the residents' writes through gunicorn: need submissions and "me too".

    .venv/bin/python bench/writes.py --before <git rev> [--after worktree] [--rounds 3] [--duration 15]
                                     [--connections 32] [--workers 4] [--threads 8]

Two versions of the code (each a private snapshot, bench/common.make_snapshot) are measured in one run,
interleaved: round 1 before → after, round 2 after → before, … so a disturbance from other people's jobs on
the shared machine hits both. Per version and round, a fresh `gunicorn -c gunicorn.conf.py` (gthread) on
loopback serves the bench database, and wrk (a generated Lua script, kept under bench/results/) drives:

  submit   POST /api/v1/demands: residents' tokens in rotation, a fresh Idempotency-Key per request (the
           mini-program sends one), kinds in rotation (缺什么 with a reason next to an existing shop, 缺什么
           without one, 其他), points spread over the circle, text checked by the content check
  me-too   POST /api/v1/demands/{id}/support: every (resident, need) pair once, spread over --needs needs
           (all of them hot: ~connections/needs concurrent writers per need row)

The content check is a real HTTP call to a stand-in for api.weixin.qq.com (bench/writes.py --fake-wechat,
a minimal asyncio server in its own process, counted apart): WeChat's own CPU is not ours to spend.
Rate limits are off (RATELIMIT_ENABLED=0: the bench's few thousand residents would hit 10/minute).
Before each measured load the tables the loads write are vacuumed (`settle`: every run from the same state).
Every response must be 201 (others are counted and reported), and after each me-too run every need's
support_count must equal its supporter rows (no lost update). In-process, a few requests per version count
the SQL statements and transaction round trips (BEGIN/COMMIT/ROLLBACK, pool pings) one request costs.

Data: database circle_bench, schema `writes` (migrated with `flask db upgrade` each run): one circle around
Miyun with a community, 40 shops, --residents residents and --needs needs to support.
Results: tables on stdout, JSON under bench/results/writes-<stamp>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402

db = common.app_db  # the measured app's (bench/common.py)

SCHEMA = "writes"
CENTER = (116.8431, 40.3765)  # Miyun, WGS-84
HALF_M = 600
SECRET = "bench-writes-secret-key-0123456789abcdef"
JWT_SECRET = "bench-writes-jwt-secret-0123456789abcdef"


# --- the stand-in for WeChat ---------------------------------------------------------------------------

_WECHAT_ANSWERS = {
    b"/cgi-bin/stable_token": b'{"access_token":"bench-token","expires_in":7200}',
    b"/wxa/msg_sec_check": b'{"errcode":0,"errmsg":"ok","result":{"suggest":"pass","label":100},"trace_id":"b"}',
}


async def _wechat_connection(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ", 2)[1].split(b"?", 1)[0]
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            body = _WECHAT_ANSWERS.get(path, b'{"errcode":0,"errmsg":"ok"}')
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def serve_fake_wechat(port: int) -> None:
    async def main():
        server = await asyncio.start_server(_wechat_connection, "127.0.0.1", port, backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# --- data ------------------------------------------------------------------------------------------------


def database_url() -> str:
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["DATABASE_URL"]).set(database=common.BENCH_DB)
    return url.update_query_dict({"options": f"-c search_path={SCHEMA},public"}).render_as_string(hide_password=False)


def prepare(args) -> dict:
    """A fresh `writes` schema at the migrations' head, seeded; returns what the load scripts need."""
    common.ensure_bench_database()
    with common.connect() as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {SCHEMA}")
    env = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": database_url(), "RATELIMIT_ENABLED": "0"}
    flask = Path(sys.executable).with_name("flask")
    done = subprocess.run([str(flask), "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"flask db upgrade failed:\n{done.stdout}\n{done.stderr}")
    return seed(args)


def _square(half_m: float):
    import math

    from shapely.geometry import MultiPolygon, box

    lng, lat = CENTER
    dlat = half_m / 111_320
    dlng = half_m / (111_320 * math.cos(math.radians(lat)))
    return MultiPolygon([box(lng - dlng, lat - dlat, lng + dlng, lat + dlat)])


def seed(args) -> dict:
    from flask_jwt_extended import create_access_token
    from geoalchemy2.shape import from_shape
    from shapely.geometry import Point
    from sqlalchemy import insert, select

    from app import create_app
    from app.auth.models import User
    from app.circles.models import Circle, City, Community
    from app.common.tx import atomic
    from app.demands.models import Demand
    from app.outlets.models import Outlet

    app = create_app(_app_config())
    with app.app_context(), atomic():
        city = City(name="基准市", code="bench-city", tier="other")
        circle = Circle(city=city, name="基准生活圈", boundary=from_shape(_square(HALF_M), srid=4326), profile={})
        community = Community(circle=circle, name="基准社区", boundary=from_shape(_square(HALF_M / 2), srid=4326))
        db.session.add_all([city, circle, community])
        for i in range(40):
            lng, lat = CENTER[0] + (i % 8 - 4) * 0.0012, CENTER[1] + (i // 8 - 2) * 0.0009
            outlet = Outlet(name=f"基准便利店{i}", types=["convenience_store"], status="approved")
            outlet.location = from_shape(Point(lng, lat), srid=4326)
            db.session.add(outlet)
        poster = User(openid="bench-poster", roles=["resident"])
        db.session.add(poster)
        db.session.flush()
        db.session.execute(
            insert(User), [{"openid": f"bench-resident-{i}", "roles": ["resident"]} for i in range(args.residents)]
        )
        residents = list(
            db.session.scalars(select(User.id).where(User.openid.like("bench-resident-%")).order_by(User.id))
        )
        needs = []
        for i in range(args.needs):
            need = Demand(
                kind="missing_type",
                business_type="breakfast",
                text=f"希望附近有早餐店 {i}",
                address="",
                location=from_shape(Point(CENTER[0] + 0.0005 * (i % 5), CENTER[1] + 0.0004 * (i // 5)), srid=4326),
                circle_id=circle.id,
                community_id=community.id,
                user_id=poster.id,
                moderation="visible",
            )
            db.session.add(need)
            needs.append(need)
        db.session.flush()
        need_ids = [need.id for need in needs]
        tokens = [
            create_access_token(identity=str(user_id), additional_claims={"roles": ["resident"]})
            for user_id in residents
        ]
    return {"tokens": tokens, "need_ids": need_ids}


def wait_idle(timeout_s: float = 60.0) -> None:
    """Until no request of the last run is still at work in the database (wrk stops sending, not the server)."""
    deadline = time.monotonic() + timeout_s
    with common.connect() as conn:
        while time.monotonic() < deadline:
            conn.execute("SELECT pg_stat_clear_snapshot()")
            busy = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
                " AND state IN ('active', 'idle in transaction')",
                (common.BENCH_DB,),
            ).fetchone()[0]
            if not busy:
                time.sleep(0.5)  # a request between two statements
                return
            time.sleep(0.2)


# The tables the loads write. A run leaves dead rows and index entries behind (each me-too rewrites its need's row
# with all nine of its index entries: support_count is indexed; every submission rewrites the circle's row), and
# left to autovacuum's timing each next round started from more of them: round after round both versions slowed
# (session 8, five rounds: 319 → 248 submissions/s after, 273 → 190 before). Vacuumed before each measured load,
# every run starts from the same state.
WRITTEN_TABLES = ("demands", "demand_events", "demand_supports", "idempotency_keys", "circles")


def settle() -> None:
    wait_idle()
    with common.connect() as conn:
        for table in WRITTEN_TABLES:
            conn.execute(f"VACUUM (ANALYZE) {SCHEMA}.{table}")


def reset_supports(need_ids: list[int]) -> None:
    wait_idle()
    with common.connect() as conn:
        conn.execute(f"SET search_path = {SCHEMA}, public")
        conn.execute("DELETE FROM demand_supports")
        conn.execute("UPDATE demands SET support_count = 0 WHERE id = ANY(%s)", (need_ids,))


def lost_updates(need_ids: list[int]) -> dict:
    wait_idle()
    with common.connect() as conn:
        conn.execute(f"SET search_path = {SCHEMA}, public")
        rows = conn.execute(
            "SELECT d.id, d.support_count, (SELECT count(*) FROM demand_supports s WHERE s.demand_id = d.id)"
            " FROM demands d WHERE d.id = ANY(%s)",
            (need_ids,),
        ).fetchall()
    return {
        "supports": sum(r[2] for r in rows),
        "counted": sum(r[1] for r in rows),
        "needs_with_a_wrong_count": sum(1 for r in rows if r[1] != r[2]),
    }


def _app_config() -> dict:
    return {"SQLALCHEMY_DATABASE_URI": database_url(), "RATELIMIT_ENABLED": False}


# --- load --------------------------------------------------------------------------------------------------

_WRK_COMMON = (
    "\n"
    + common.WRK_THREADS
    + """function init(args)
  counter = tid
  ok, other, first_other = 0, 0, ""
end
function response(status, headers, body)
  if status == 201 then ok = ok + 1 else
    other = other + 1
    if first_other == "" then first_other = status .. " " .. string.sub(body, 1, 200) end
  end
end
function done(summary, latency, requests)
  local n_ok, n_other, sample = 0, 0, ""
  for _, t in ipairs(threads) do
    n_ok = n_ok + t:get("ok"); n_other = n_other + t:get("other")
    if sample == "" then sample = t:get("first_other") end
  end
  io.write(string.format('BENCHJSON {"requests":%d,"duration_us":%d,"errors_connect":%d,"errors_read":%d,' ..
    '"errors_write":%d,"errors_timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"status_201":%d,"status_other":%d}\\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, n_ok, n_other))
  io.write("BENCHSAMPLE " .. sample .. "\\n")
end
"""
)

WRK_SUBMIT = (  # formatted with %, then _WRK_COMMON appended
    """-- generated by bench/writes.py: POST /api/v1/demands as many residents, a fresh Idempotency-Key each
local tokens = {%(tokens)s}
local stride = %(stride)d
local run = "%(run)s"
local kinds = {
  '"kind":"missing_type","business_type":"convenience_store","existing_reason":"too_expensive","text":"便利店太贵了，希望再开一家平价的"',
  '"kind":"missing_type","business_type":"breakfast","text":"小区附近没有早餐店，早上上班很不方便"',
  '"kind":"other","text":"小区门口的路灯坏了好几天了，晚上出行不安全"',
}
function request()
  counter = counter + stride
  local token = tokens[(counter %% #tokens) + 1]
  local lng = %(lng)f + ((counter * 7919) %% 1000 - 500) * 0.0000012
  local lat = %(lat)f + ((counter * 104729) %% 1000 - 500) * 0.0000009
  local body = '{' .. kinds[(counter %% #kinds) + 1] .. ',"location":{"lng":' .. lng .. ',"lat":' .. lat ..
    '},"coord":"wgs84","address":"基准小区 ' .. counter .. ' 号楼"}'
  return wrk.format("POST", "/api/v1/demands", {
    ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = run .. "-" .. counter}, body)
end
"""
)

WRK_SUPPORT = """-- generated by bench/writes.py: POST /api/v1/demands/{id}/support, each (resident, need) pair once
local tokens = {%(tokens)s}
local needs = {%(needs)s}
local stride = %(stride)d
function request()
  counter = counter + stride
  local need = needs[(counter %% #needs) + 1]
  local token = tokens[(math.floor(counter / #needs) %% #tokens) + 1]
  return wrk.format("POST", "/api/v1/demands/" .. need .. "/support", {["Authorization"] = "Bearer " .. token})
end
"""


def run_wrk(base: str, script: Path, threads: int, connections: int, duration: int) -> dict:
    command, raw, output = common.wrk(base, script, threads, connections, duration)
    sample = next((x[len("BENCHSAMPLE ") :] for x in output.splitlines() if x.startswith("BENCHSAMPLE ")), "")
    socket_errors = sum(v for k, v in raw.items() if k.startswith("errors_"))
    seconds = raw["duration_us"] / 1e6
    return {
        "command": command,
        "connections": connections,
        "requests": raw["requests"],
        "created_per_s": round(raw["status_201"] / seconds, 1),
        "req_per_s": round(raw["requests"] / seconds, 1),
        "status_201": raw["status_201"],
        "status_other": raw["status_other"],
        "other_sample": sample.strip() or None,
        "socket_errors": socket_errors,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
    }


def _lua_list(values) -> str:
    return ",".join(json.dumps(str(v)) for v in values)


class cpu_accounting(common.CpuAccounting):
    """CPU (ms) spent during a run by gunicorn and its PostgreSQL backends, the WeChat stand-in, wrk, the rest."""

    rest, digits = "rest_of_machine", 2

    # PostgreSQL's CPU: per backend, what it spent between the two readings; a backend connected during the run
    # (a pool's overflow, an engine's first connection) counts from nothing. A backend that ended during the run
    # is missed (its CPU is gone from /proc): `backends_started` says how many were started, each a fork and a
    # login PostgreSQL spent CPU on.
    def _pg_backends(self) -> tuple[list[int], int]:
        with common.connect() as conn:
            pids = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (common.BENCH_DB,)
            ).fetchall()
            sessions = conn.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s", (common.BENCH_DB,))
            return [r[0] for r in pids], sessions.fetchone()[0]

    def __enter__(self):
        self.pg_pids, self.sessions = self._pg_backends()
        self.pg_before = {pid: common.proc_cpu_ms(pid) for pid in self.pg_pids}
        self.before = self._snapshot()
        return self

    def __exit__(self, *exc):
        self.after = self._snapshot()
        pids, sessions = self._pg_backends()
        self.started = sessions - self.sessions - 1  # (this reading's own connection)
        spent = 0.0
        for pid in set(pids) | set(self.pg_before):
            now = common.proc_cpu_ms(pid)
            if now:  # alive at the end
                spent += now - self.pg_before.get(pid, 0.0)
        self.before["postgres"], self.after["postgres"] = 0.0, spent
        return False

    def per_request(self, requests: int) -> dict:
        return {**super().per_request(requests), "backends_started": self.started}

    def __init__(self, gunicorn_pid: int, wechat_pid: int):
        super().__init__(gunicorn_pid)
        self.wechat = wechat_pid

    def parts(self) -> dict:
        import resource

        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "wechat_standin": common.proc_cpu_ms(self.wechat),
            "wrk": (children.ru_utime + children.ru_stime) * 1000,
        }


def measure(label: str, snapshot: Path, data: dict, wechat: tuple[str, int], args, run_id: str) -> dict:
    """One version: a gunicorn of its code, then the submit and me-too loads."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    port = common.free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "RATELIMIT_ENABLED": "0",
        "SECRET_KEY": SECRET,
        "JWT_SECRET": JWT_SECRET,
        "WECHAT_API_BASE": wechat[0],
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(snapshot),
    }
    cmd = [str(gunicorn), "-c", "gunicorn.conf.py", "-w", str(args.workers), "--threads", str(args.threads)]
    cmd += ["-b", f"127.0.0.1:{port}", "wsgi:app"]
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    scripts = {}
    for name, template, extra in (
        ("submit_warmup", WRK_SUBMIT, {"lng": CENTER[0], "lat": CENTER[1], "run": f"{run_id}-{label}-warmup"}),
        ("submit", WRK_SUBMIT, {"lng": CENTER[0], "lat": CENTER[1], "run": f"{run_id}-{label}"}),
        ("support", WRK_SUPPORT, {"needs": ",".join(str(i) for i in data["need_ids"])}),
    ):
        script = common.RESULTS / f"writes-wrk-{name}.lua"
        values = {"tokens": _lua_list(data["tokens"]), "stride": 2, **extra}
        script.write_text(template % values + _WRK_COMMON, encoding="utf-8")
        scripts[name] = script
    result = {"code": label, "gunicorn": " ".join(["gunicorn", *cmd[1:]])}
    log_path = common.RESULTS / f"writes-gunicorn-{label}.log"
    with open(log_path, "a") as log:
        proc = subprocess.Popen(
            cmd, cwd=snapshot, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            common.wait_http(base + "/api/v1/demands/" + str(data["need_ids"][0]))
            # Warm every worker (pool connections, first requests), then the measured runs.
            run_wrk(base, scripts["submit_warmup"], 2, args.connections, 3)
            settle()
            with cpu_accounting(proc.pid, wechat[1]) as cpu:
                result["submit"] = run_wrk(base, scripts["submit"], 2, args.connections, args.duration)
            result["submit"]["cpu_ms_per_request"] = cpu.per_request(result["submit"]["requests"])
            reset_supports(data["need_ids"])
            run_wrk(base, scripts["support"], 2, args.connections, 2)
            reset_supports(data["need_ids"])
            settle()
            with cpu_accounting(proc.pid, wechat[1]) as cpu:
                result["support"] = run_wrk(base, scripts["support"], 2, args.connections, args.duration)
            result["support"]["cpu_ms_per_request"] = cpu.per_request(result["support"]["requests"])
            result["support"]["lost_updates"] = lost_updates(data["need_ids"])
        finally:
            common.stop_group(proc)
    return result


# --- statements per request (in-process, per version) ---------------------------------------------------


def count_statements(snapshot: Path, wechat_base: str, need_id: int) -> dict:
    """Runs `--count` in a child whose imports come from the snapshot."""
    env = {**os.environ, "PYTHONPATH": str(snapshot), "WECHAT_API_BASE": wechat_base}
    cmd = [sys.executable, str(snapshot / "bench" / "writes.py"), "--count", str(need_id)]
    done = subprocess.run(cmd, cwd=snapshot, env=env, capture_output=True, text=True, timeout=300)
    line = next((x for x in done.stdout.splitlines() if x.startswith("COUNTJSON ")), None)
    if line is None:
        raise RuntimeError(f"statement count failed: {done.stdout}\n{done.stderr}")
    return json.loads(line[len("COUNTJSON ") :])


def _count_child(need_id: int) -> None:
    from flask_jwt_extended import create_access_token
    from sqlalchemy import event, select

    from app import create_app
    from app.auth.models import User

    app = create_app({**_app_config(), "WECHAT_API_BASE": os.environ["WECHAT_API_BASE"]})
    with app.app_context():
        users = list(db.session.scalars(select(User.id).where(User.openid.like("bench-resident-%")).limit(6)))
        headers = [
            {
                "Authorization": "Bearer "
                + create_access_token(identity=str(u), additional_claims={"roles": ["resident"]})
            }
            for u in users
        ]
        engine = db.engine
        # The primary's autocommit engine (app/common/reads.py) runs one-statement writes: no BEGIN/COMMIT.
        reads = app.extensions.get("reads")
        autocommit = reads.primary if reads is not None else None
    counts = {"statements": 0, "transactions": 0, "pings": 0}
    listeners = [
        (engine, "before_cursor_execute", lambda *a, **k: counts.__setitem__("statements", counts["statements"] + 1)),
        (engine, "begin", lambda *a: counts.__setitem__("transactions", counts["transactions"] + 1)),
        (engine, "engine_connect", lambda *a: None),
    ]
    if autocommit is not None:
        # Its statements go to the driver directly (no SQLAlchemy execute event): counted where they are sent.
        from app.common import reads as read_path

        send = read_path._on_driver

        def counted(*args, **kwargs):
            counts["statements"] += 1
            return send(*args, **kwargs)

        read_path._on_driver = counted
    for target, name, fn in listeners:
        event.listen(target, name, fn)
    # The pings the pool really sends (every checkout with pool_pre_ping; only after idling with app/common/pool.py).
    ping = engine.dialect.do_ping

    def counted_ping(dbapi_connection):
        counts["pings"] += 1
        return ping(dbapi_connection)

    engine.dialect.do_ping = counted_ping
    client = app.test_client()
    body = {
        "kind": "missing_type",
        "business_type": "breakfast",
        "text": "小区附近没有早餐店，早上上班很不方便",
        "location": {"lng": CENTER[0], "lat": CENTER[1]},
        "coord": "wgs84",
    }
    out = {}
    for name, call in (
        (
            "submit",
            lambda i: client.post(
                "/api/v1/demands", json=body, headers={**headers[i], "Idempotency-Key": f"count-{time.time()}-{i}"}
            ),
        ),
        ("support", lambda i: client.post(f"/api/v1/demands/{need_id}/support", headers=headers[i])),
    ):
        call(0)  # first request of a process: caches, token
        for key in counts:
            counts[key] = 0
        n = 5
        for i in range(1, 1 + n):
            response = call(i)
            assert response.status_code == 201, response.get_data(as_text=True)
        # Every transaction costs BEGIN and COMMIT/ROLLBACK round trips; each ping one more.
        out[name] = {
            "statements": counts["statements"] / n,
            "transactions": counts["transactions"] / n,
            "pings": counts["pings"] / n,
            "round_trips": (counts["statements"] + 2 * counts["transactions"] + counts["pings"]) / n,
        }
    print("COUNTJSON " + json.dumps(out))


# --- main ----------------------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", help="git revision measured as 'before' (omit to measure --after alone)")
    parser.add_argument("--after", default="worktree", help="'worktree' (default) or a git revision")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured load run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (gthread)")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--residents", type=int, default=3000)
    parser.add_argument("--needs", type=int, default=20, help="needs the me-too load spreads over")
    parser.add_argument("--fake-wechat", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, metavar="NEED_ID", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _summary(results: list[dict], label: str, what: str) -> dict:
    runs = [r[what] for r in results if r["code"] == label]
    best = max(runs, key=lambda run: run["created_per_s"])
    return {
        "best_created_per_s": best["created_per_s"],
        "median_created_per_s": round(statistics.median(run["created_per_s"] for run in runs), 1),
        "best_run": best,
        # CPU per request over all runs (the best run alone is the one least disturbed by others' load)
        "mean_cpu_ms": {
            part: round(statistics.mean(run["cpu_ms_per_request"].get(part, 0) for run in runs), 2)
            for part in ("gunicorn", "postgres", "backends_started")
        },
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.fake_wechat:
        serve_fake_wechat(args.fake_wechat)
        return 0
    common.load_services_env()
    # The keys come from the environment (read when app.config is imported), as in the gunicorn processes:
    # tokens made here must verify there.
    os.environ.update(SECRET_KEY=SECRET, JWT_SECRET=JWT_SECRET)
    if args.count:
        _count_child(args.count)
        return 0
    if not shutil.which("wrk"):
        sys.exit("wrk is required (apt-get install wrk)")
    facts = common.machine_facts()
    versions = {}
    for label, code in (("before", args.before), ("after", args.after)):
        if code:
            snapshot, info = common.make_snapshot(code)
            shutil.copy2(common.REPO / "gunicorn.conf.py", snapshot / "gunicorn.conf.py")
            versions[label] = (snapshot, info)
    print(f"preparing schema {SCHEMA} in {common.BENCH_DB} …", file=sys.stderr, flush=True)
    data = prepare(args)
    wechat_port = common.free_port()
    wechat = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--fake-wechat", str(wechat_port)], start_new_session=True
    )
    wechat_base = f"http://127.0.0.1:{wechat_port}"
    results, counts = [], {}
    run_id = str(int(time.time()))
    try:
        time.sleep(0.5)
        for label, (snapshot, _) in versions.items():
            counts[label] = count_statements(snapshot, wechat_base, data["need_ids"][0])
            reset_supports(data["need_ids"])
        order = list(versions)
        for round_no in range(args.rounds):
            for label in order if round_no % 2 == 0 else order[::-1]:
                print(f"round {round_no + 1}: {label}", file=sys.stderr, flush=True)
                result = measure(
                    label, versions[label][0], data, (wechat_base, wechat.pid), args, f"{run_id}-{round_no}"
                )
                result["round"] = round_no + 1
                results.append(result)
                print(
                    json.dumps(
                        {k: result[k] for k in ("code", "round")}
                        | {
                            w: {k: result[w][k] for k in ("created_per_s", "p50_ms", "p99_ms", "status_other")}
                            for w in ("submit", "support")
                        }
                    ),
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        os.killpg(wechat.pid, signal.SIGTERM)
        wechat.wait(timeout=10)
        for snapshot, _ in versions.values():
            shutil.rmtree(snapshot, ignore_errors=True)
    facts["loadavg_end"] = os.getloadavg()
    summary = {
        label: {what: _summary(results, label, what) for what in ("submit", "support")} | {"per_request": counts[label]}
        for label in versions
    }
    out = {
        "facts": facts,
        "args": vars(args),
        "versions": {label: info for label, (_, info) in versions.items()},
        "summary": summary,
        "runs": results,
    }
    path = common.save_json(f"writes-{time.strftime('%Y%m%d-%H%M%S')}.json", out)
    print_tables(summary, results)
    print(f"\nraw: {path.relative_to(common.REPO)}")
    return 0


def print_tables(summary: dict, results: list[dict]) -> None:
    print(
        "\n| code | round | submissions/s (201) | p50 / p99 ms | non-201 "
        "| me-too/s (201) | p50 / p99 ms | non-201 | lost updates |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        s, m = r["submit"], r["support"]
        lost = m["lost_updates"]["needs_with_a_wrong_count"]
        print(
            f"| {r['code']} | {r['round']} | {s['created_per_s']} | {s['p50_ms']:.1f} / {s['p99_ms']:.1f} | "
            f"{s['status_other']} | {m['created_per_s']} | {m['p50_ms']:.1f} / {m['p99_ms']:.1f} | "
            f"{m['status_other']} | {lost} |"
        )
    print(
        "\n| code | what | best /s | median /s | CPU ms per request: gunicorn / PostgreSQL / "
        "WeChat stand-in / wrk / rest | statements | round trips | mean of runs: gunicorn / PostgreSQL CPU ms, "
        "backends started |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, parts in summary.items():
        for what in ("submit", "support"):
            best = parts[what]["best_run"]
            cpu, mean = best["cpu_ms_per_request"], parts[what]["mean_cpu_ms"]
            per = parts["per_request"][what]
            print(
                f"| {label} | {what} | {parts[what]['best_created_per_s']} | {parts[what]['median_created_per_s']} | "
                f"{cpu['gunicorn']} / {cpu['postgres']} / {cpu['wechat_standin']} / {cpu['wrk']} / "
                f"{cpu['rest_of_machine']} | {per['statements']:g} | {per['round_trips']:g} | "
                f"{mean['gunicorn']} / {mean['postgres']}, {mean['backends_started']:g} |"
            )


if __name__ == "__main__":
    sys.exit(main())
