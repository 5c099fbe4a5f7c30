#!/usr/bin/env python
"""Benchmark of the live circle evaluation: recompute a whole city, then a province.

    .venv/bin/python bench/evaluation.py [--sizes city,province] [--repeat 5] [--reload] [--timeout 3600]

Sizes (synthetic, deterministic for a seed; circles are 1.4 × 1.4 km squares, 6 × 4 per city, two
communities each; 92% of outlets inside circles, the rest in a 600 m margin around each city):

  city       1 city, 24 circles, 10,000 outlets, 30,000 residents, 30,000 survey answers,
             30,000 needs, 40,000 ratings (100,000 feedback rows), 5 projects and 4 events per circle
  province   125 cities, 3,000 circles, 1,000,000 outlets, 300,000 residents and survey answers,
             300,000 needs, 300,000 ratings

Data lives in database circle_bench_eval, one schema per size, migrated with `flask db upgrade` and
loaded with COPY (the outlets' area trigger is disabled during the load: circle and community are
computed by the generator from the grid). It is reused while its marker matches.

Timed, with the cache bypassed (what a change anywhere costs): the city view (all circles' 有没有 and
好不好, KPIs, build progress) in-process and through the Flask test client (JSON included), one circle,
and the split between SQL facts, the other packages' read functions and scoring; then the cached city
view. For the province: every city recomputed once. Results: stdout and bench/results/evaluation-*.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench import common  # noqa: E402  (this tree's helpers, whichever code is timed)

db = common.app_db  # the measured app's (bench/common.py)

# --code-root: the application code to time (another worktree: the "before" side of an interleaved run).
_code_root = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--code-root=")), None)
if _code_root:
    sys.path.insert(0, _code_root)

DB = "circle_bench_eval"
VERSION = 1
SIDE_M, GRID = 1400, (6, 4)
SIZES = {
    "city": dict(cities=1, outlets=10_000, users=30_000, needs=30_000, ratings=40_000),
    "province": dict(cities=125, outlets=1_000_000, users=300_000, needs=300_000, ratings=300_000),
}
NULL = r"\N"


def connect(schema: str | None = None, database: str = DB):
    import psycopg

    options = {"options": f"-c search_path={schema},public"} if schema else {}
    return psycopg.connect(common.libpq_url(database), autocommit=True, **options)


def app_url(schema: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["DATABASE_URL"]).set(database=DB)
    return url.update_query_dict({"options": f"-c search_path={schema},public"}).render_as_string(hide_password=False)


def prepare(schema: str, size: dict, seed: int, reload: bool) -> float | None:
    """Creates, migrates and loads the schema unless it already holds this data; returns the load time. A
    schema kept from an earlier run gets this tree's newer migrations (an index added since changes plans)."""
    marker = json.dumps({"version": VERSION, "seed": seed, **size}, sort_keys=True)
    common.ensure_bench_database(DB)
    with connect() as conn:
        found = conn.execute(
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s", (schema,)
        ).fetchone()
        if found and found[0] == marker and not reload:
            _upgrade(schema)
            conn.execute(f"VACUUM (ANALYZE) {schema}.outlets")  # a migration may have rebuilt its indexes
            return None
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    _upgrade(schema)
    started = time.perf_counter()
    with connect(schema) as conn:
        load(conn, size, np.random.default_rng(seed))
        conn.execute(f"COMMENT ON SCHEMA {schema} IS {_quote(marker)}")
    return time.perf_counter() - started


def refresh_reach(schema: str) -> dict:
    """The stored outlet ↔ circle reach brought up to date, as the first nightly pass after a load would (the
    load writes outlets with their triggers off, and a fresh schema starts with none): the measured passes
    are then the steady ones. Returns what the refresh did, with its seconds."""
    with bench_app(schema):
        from app.evaluation import reach

        return reach.refresh()


def _upgrade(schema: str):
    env = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": app_url(schema), "RATELIMIT_ENABLED": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"flask db upgrade failed:\n{done.stderr[-3000:]}")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy(conn, table: str, columns: str, rows):
    with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        batch = []
        for row in rows:
            batch.append("\t".join(NULL if v is None else str(v) for v in row))
            if len(batch) >= 20_000:
                copy.write("\n".join(batch) + "\n")
                batch = []
        if batch:
            copy.write("\n".join(batch) + "\n")


def _square(lng, lat, dlng, dlat) -> str:
    ring = f"{lng} {lat},{lng + dlng} {lat},{lng + dlng} {lat + dlat},{lng} {lat + dlat},{lng} {lat}"
    return f"SRID=4326;MULTIPOLYGON((({ring})))"


def grid(n_cities: int):
    """Per circle: (id, city, lng0, lat0, dlng, dlat) of its square."""
    dlat = SIDE_M / 111_320
    for city in range(n_cities):
        lng0, lat0 = 116.0 + (city % 12) * 0.14, 39.5 + (city // 12) * 0.11
        dlng = SIDE_M / (111_320 * np.cos(np.radians(lat0)))
        for j in range(GRID[1]):
            for i in range(GRID[0]):
                yield (city * 24 + j * GRID[0] + i + 1, city + 1, lng0 + i * dlng, lat0 + j * dlat, dlng, dlat)


def load(conn, size: dict, rng):
    from app.demo.catalog import TYPE_WEIGHTS
    from app.evaluation.profiles import get_profile

    year = date.today().year
    cells = list(grid(size["cities"]))
    n_circles = len(cells)
    _copy(
        conn,
        "cities",
        "id, code, name, tier, standards_profile, scoring_profile",
        [(c, f"bench-{c}", f"基准市{c}", "tier2", "miyun", "mofcom-2023") for c in range(1, size["cities"] + 1)],
    )
    _copy(
        conn,
        "circles",
        "id, city_id, name, circle_type, population, planned_year, boundary, profile, synthetic",
        [
            (
                cid,
                city,
                f"生活圈{cid}",
                ("old_town", "commercial", "new_residential", "urban_rural")[cid % 4],
                None,
                2023 + cid % 3,
                _square(x, y, dx, dy),
                "{}",
                "t",
            )
            for cid, city, x, y, dx, dy in cells
        ],
    )
    pops = rng.integers(6000, 12000, 2 * n_circles)
    _copy(
        conn,
        "communities",
        "id, circle_id, name, population, share_60_plus, share_80_plus, boundary, synthetic",
        [
            (
                2 * (cid - 1) + h + 1,
                cid,
                f"社区{cid}-{h}",
                pops[2 * (cid - 1) + h],
                round(rng.uniform(0.1, 0.35), 3),
                round(rng.uniform(0.02, 0.14), 3),
                _square(x + h * dx / 2, y, dx / 2, dy),
                "t",
            )
            for cid, city, x, y, dx, dy in cells
            for h in (0, 1)
        ],
    )
    conn.execute(
        "UPDATE circles c SET population = (SELECT sum(population) FROM communities m WHERE m.circle_id = c.id)"
    )

    codes = list(TYPE_WEIGHTS)
    weights = np.array([TYPE_WEIGHTS[c] for c in codes]) / sum(TYPE_WEIGHTS.values())
    store = get_profile("mofcom-2023").service["store_breakfast"]
    add_ons, breakfast = list(store["add_ons"]), list(store["breakfast_items"])
    n = size["outlets"]
    inside = rng.random(n) < 0.92
    cell = rng.integers(0, n_circles, n)
    u, v = rng.random(n), rng.random(n)
    t1, t2 = rng.choice(len(codes), n, p=weights), rng.choice(len(codes), n, p=weights)

    def outlets():
        for k in range(n):
            cid, city, x, y, dx, dy = cells[cell[k]]
            if inside[k]:
                lng, lat, circle, community = x + u[k] * dx, y + v[k] * dy, cid, 2 * (cid - 1) + (u[k] >= 0.5) + 1
            else:  # 40-550 m west of the city's grid (its west column's edge): in no circle
                _, _, x, y, dx, dy = cells[(city - 1) * 24 + (cell[k] % GRID[1]) * GRID[0]]
                lng, lat, circle, community = x - (0.0005 + u[k] * 0.006), y + v[k] * dy, None, None
            types = [codes[t1[k]]] + ([codes[t2[k]]] if t2[k] % 4 == 0 and t2[k] != t1[k] else [])
            services = []
            if "convenience_store" in types:
                services = [a for a in add_ons if rng.random() < 0.35]
            if "breakfast" in types:
                services += [b for b in breakfast if rng.random() < 0.4]
            yield (
                k + 1,
                f"网点{k + 1}",
                "wd",
                "{" + ",".join(types) + "}",
                f"SRID=4326;POINT({lng:.7f} {lat:.7f})",
                "",
                "{}",
                "t" if rng.random() < 0.1 else "f",
                "f",
                "[]",
                "t" if rng.random() < 0.3 else "f",
                "t" if rng.random() < 0.3 else "f",
                "{}",
                "t" if rng.random() < 0.25 else "f",
                "t",
                "f",
                "t" if rng.random() < 0.93 else "f",
                "{" + ",".join(services) + "}",
                "approved",
                0,
                "t",
                "time_honored" if rng.random() < 0.12 else None,
                circle,
                community,
            )

    # The area (membership is generated) and the reach's notes (the reach is built from scratch after the
    # load, by refresh_reach) are left to other means, as the bulk importer does.
    conn.execute("ALTER TABLE outlets DISABLE TRIGGER outlets_assign_area, DISABLE TRIGGER outlets_reach_note")
    _copy(
        conn,
        "outlets",
        "id, name, name_initials, types, location, address, hours, open_24h, closed_on_holidays, "
        "photos, chain, online, online_platforms, delivery, accepts_cash, elderly_friendly, qr_payment, services, "
        "status, rating_count, synthetic, quality_brand, circle_id, community_id",
        outlets(),
    )
    conn.execute("ALTER TABLE outlets ENABLE TRIGGER outlets_assign_area, ENABLE TRIGGER outlets_reach_note")
    conn.execute("TRUNCATE outlet_reach_dirty_outlets, outlet_reach_dirty_circles")
    conn.execute("UPDATE outlet_reach_state SET radius_m = NULL")

    users = size["users"]
    home = rng.integers(1, n_circles + 1, users)
    _copy(
        conn,
        "users",
        "id, openid, roles, home_circle_id, disabled",
        [(k + 1, f"bench-{k + 1}", "{resident}", home[k], "f") for k in range(users)],
    )
    _copy(
        conn,
        "survey_periods",
        "id, circle_id, title, starts_on, ends_on",
        [(cid, cid, f"{year} 年满意度调查", f"{year}-01-01", f"{year}-12-31") for cid in range(1, n_circles + 1)],
    )
    scores = rng.choice([2, 3, 4, 5, 5, 5], (users, 2))
    _copy(
        conn,
        "survey_responses",
        "period_id, circle_id, user_id, type_satisfaction, service_satisfaction",
        [(home[k], home[k], k + 1, scores[k, 0], scores[k, 1]) for k in range(users)],
    )
    basic = get_profile("mofcom-2023").presence["basic_types"]
    statuses = ["submitted", "accepted", "in_progress", "done", "rejected"]
    need_circle = rng.integers(1, n_circles + 1, size["needs"])
    _copy(
        conn,
        "demands",
        "kind, business_type, text, address, location, circle_id, user_id, source, status, "
        "priority, moderation, support_count, photo_ids",
        [
            (
                "missing_type",
                basic[k % len(basic)],
                "缺少网点",
                "",
                f"SRID=4326;POINT({cells[c - 1][2]:.6f} {cells[c - 1][3]:.6f})",
                c,
                1 + k % users,
                "app",
                statuses[k % 5],
                "normal",
                "visible",
                k % 7,
                "{}",
            )
            for k, c in enumerate(need_circle)
        ],
    )
    _copy(
        conn,
        "projects",
        "circle_id, title, address, urgency, status, progress",
        [
            (cid, f"项目{cid}-{p}", "", "normal", ("planned", "in_progress", "done")[p % 3], (0, 50, 100)[p % 3])
            for cid in range(1, n_circles + 1)
            for p in range(5)
        ],
    )
    _copy(
        conn,
        "events",
        "circle_id, title, theme, location, address, starts_on, ends_on, organiser",
        [
            (
                cid,
                f"邻里节{e}",
                "neighbourhood",
                f"SRID=4326;POINT({cells[cid - 1][2]:.6f} {cells[cid - 1][3]:.6f})",
                "",
                f"{year}-0{e + 1}-10",
                f"{year}-0{e + 1}-11",
                "社区",
            )
            for cid in range(1, n_circles + 1)
            for e in range(4)
        ],
    )
    pairs = np.unique(
        np.stack([rng.integers(1, n + 1, size["ratings"] * 2), rng.integers(1, users + 1, size["ratings"] * 2)], 1),
        axis=0,
    )
    pairs = pairs[rng.permutation(len(pairs))[: size["ratings"]]]
    _copy(
        conn,
        "ratings",
        "outlet_id, user_id, stars, text, tags, photo_ids, status",
        [(o, w, 1 + (o + w) % 5, "", "{}", "{}", "visible") for o, w in pairs],
    )
    for table in ("cities", "circles", "communities", "outlets", "users", "survey_periods"):
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    # VACUUM too: the visibility map autovacuum would keep in production, without which an index-only scan
    # (the outlets' circle index covers their ids) reads the heap anyway.
    conn.execute("VACUUM (ANALYZE)")


def timed(fn, repeat: int) -> dict:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - started)
    return common.summarize_ns(samples)


@contextmanager
def bench_app(schema: str, flush_redis: bool = False):
    """The app on a bench schema with the bench's own Redis database (12), in its app context, and the bench's
    admin (made on first use): `with bench_app(schema) as (app, admin): …`."""
    import redis as redis_lib
    from sqlalchemy import select

    from app import create_app
    from app.auth.models import User
    from app.common.tx import atomic

    redis_url = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/12"
    if flush_redis:
        redis_lib.Redis.from_url(redis_url).flushdb()  # no entry of an earlier run survives
    app = create_app({"SQLALCHEMY_DATABASE_URI": app_url(schema), "REDIS_URL": redis_url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "bench-admin"))
        if admin is None:
            admin = User(username="bench-admin", roles=["admin"])
            with atomic():  # the one place that commits (app/common/tx.py)
                db.session.add(admin)
        yield app, admin


def measure(schema: str, size: dict, repeat: int) -> dict:
    from flask_jwt_extended import create_access_token
    from sqlalchemy import select

    from app.circles.models import Circle, City
    from app.evaluation import facts, reports, service

    out = {}
    with bench_app(schema) as (app, admin):
        cities = list(db.session.scalars(select(City).order_by(City.id)))
        first = cities[0]
        circles = list(db.session.scalars(select(Circle).where(Circle.city_id == first.id)))
        reports.city_evaluation(admin, first.id, use_cache=False)  # warm-up: imports, plans, pool
        out["city_view_cold"] = timed(lambda: reports.city_evaluation(admin, first.id, use_cache=False), repeat)
        out["city_view_cached"] = timed(lambda: reports.city_evaluation(admin, first.id), repeat)
        out["one_circle_cold"] = timed(lambda: service.evaluate_circle(circles[0].id, use_cache=False), repeat)
        split = {"facts_sql": 0.0, "domain_reads": 0.0}
        build, inputs = facts.build_snapshots, facts._add_domain_facts

        def inputs_timed(*args):
            started = time.perf_counter()
            inputs(*args)
            split["domain_reads"] += time.perf_counter() - started

        def build_timed(*args):
            started = time.perf_counter()
            result = build(*args)
            split["facts_sql"] += time.perf_counter() - started
            return result

        facts._add_domain_facts, service.build_snapshots = inputs_timed, build_timed
        started = time.perf_counter()
        service.evaluate_circles(circles, use_cache=False)
        total = time.perf_counter() - started
        facts._add_domain_facts, service.build_snapshots = inputs, build
        out["city_split_ms"] = {
            "total": round(total * 1000, 1),
            "facts_sql_without_inputs": round((split["facts_sql"] - split["domain_reads"]) * 1000, 1),
            "domain_reads": round(split["domain_reads"] * 1000, 1),
            "scoring_and_json": round((total - split["facts_sql"]) * 1000, 1),
        }
        with app.test_request_context():
            token = create_access_token(identity=str(admin.id))
        client = app.test_client()
        url = f"/api/v1/cities/{first.id}/evaluation?fresh=1"
        out["city_view_http_cold"] = timed(
            lambda: client.get(url, headers={"Authorization": f"Bearer {token}"}).get_json(), repeat
        )
        if len(cities) > 1:
            per_city = []
            started = time.perf_counter()
            for city in cities:
                t = time.perf_counter_ns()
                reports.city_evaluation(admin, city.id, use_cache=False)
                per_city.append(time.perf_counter_ns() - t)
                db.session.remove()
            out["province_all_cities_s"] = round(time.perf_counter() - started, 2)
            out["province_per_city"] = common.summarize_ns(per_city)
    return out


def province_run(mode: str, n_cities: int | None) -> dict:
    """One province recomputation in this process, the cache bypassed: `per-city` asks every city's view
    in turn (what a city-by-city refresh costs, and the only way before set-based facts); `set-based`
    is the nightly refresh (whole cities in chunks of ≤ 500 circles, one batch of facts each)."""
    from sqlalchemy import func, select

    from app.circles.models import Circle, City
    from app.evaluation import reports

    with bench_app("province", flush_redis=True) as (_, admin), connect() as conn:
        ids = list(db.session.scalars(select(City.id).order_by(City.id).limit(n_cities)))
        circles = db.session.scalar(select(func.count()).select_from(Circle).where(Circle.city_id.in_(ids)))
        postgres_ms, own_s = common.postgres_cpu_ms(conn), _own_cpu_s()
        started, done = time.perf_counter(), None
        if mode == "per-city":
            for city_id in ids:
                reports.city_evaluation(admin, city_id, use_cache=False)
                db.session.remove()
        elif mode == "reach-build":
            from sqlalchemy import text

            from app.common.tx import atomic
            from app.evaluation import reach

            with atomic():  # what a bulk outlet import leaves: the next refresh builds from scratch
                db.session.execute(text("UPDATE outlet_reach_state SET radius_m = NULL"))
            done = reach.refresh()  # the whole province, whatever --cities says
        else:
            from app.evaluation import nightly

            done = nightly.refresh_all(city_ids=ids)
        seconds = time.perf_counter() - started
        own_s = _own_cpu_s() - own_s
        postgres_ms = None if postgres_ms is None else common.postgres_cpu_ms(conn) - postgres_ms
        digest = cache_digest() if mode != "reach-build" else None
    rss_mb = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) // 1024
    return {
        "mode": mode,
        "reach": (done or {}).get("reach") if mode == "set-based" else done if mode == "reach-build" else None,
        # The whole province's results as cached (every circle's and city's entry, `computed_at` left out):
        # equal digests, equal results (compare the before and after sides of an interleaved run).
        "cache": digest,
        "cities": len(ids),
        "circles": circles,
        "seconds": round(seconds, 1),
        "peak_rss_mb": rss_mb,
        # CPU rather than seconds compares runs on a shared machine: this process (with any it started) and
        # the whole PostgreSQL server (its other clients too, if it has any).
        "own_cpu_s": round(own_s, 1),
        "postgres_cpu_s": None if postgres_ms is None else round(postgres_ms / 1000, 1),
    }


def cache_digest() -> dict:
    """{"entries", "sha256"} of the bench's Redis database: every hash's fields and values, each value parsed
    and `computed_at` (wherever it appears) left out, in a canonical order."""
    import hashlib

    import redis as redis_lib

    client = redis_lib.Redis.from_url(os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/12")
    digest, entries = hashlib.sha256(), 0

    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k != "computed_at"}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    for key in sorted(client.scan_iter(count=1000)):
        if client.type(key) != b"hash":
            continue
        for field, value in sorted(client.hgetall(key).items()):
            entries += 1
            digest.update(key + b"\0" + field + b"\0")
            digest.update(json.dumps(clean(json.loads(value)), sort_keys=True, ensure_ascii=False).encode())
    return {"entries": entries, "sha256": digest.hexdigest()[:16]}


def _own_cpu_s() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def interleaved(before_root: str, rounds: int, n_cities: int | None, before_mode: str = "per-city") -> list[dict]:
    """Before (another worktree, city by city or its own nightly pass) and after (this tree, set-based)
    alternately, one process each, so both see the same machine load and cache state."""
    runs = []
    for r in range(rounds):
        for side, root, mode in (("before", before_root, before_mode), ("after", str(ROOT), "set-based")):
            command = [sys.executable, __file__, f"--code-root={root}", "--province-run", mode]
            if n_cities:
                command += ["--cities", str(n_cities)]
            done = subprocess.run(command, capture_output=True, text=True, cwd=root)
            if done.returncode:
                sys.exit(f"{side} run failed:\n{done.stderr[-3000:]}")
            run = {
                "round": r + 1,
                "side": side,
                "load_avg_1m": os.getloadavg()[0],
                **json.loads(done.stdout.splitlines()[-1]),
            }
            print(json.dumps(run, ensure_ascii=False), flush=True)
            runs.append(run)
    return runs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="city,province")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--timeout", type=int, default=3600, help="hard limit for the whole run, seconds")
    parser.add_argument(
        "--interleave", metavar="BEFORE_TREE", help="province before (that worktree) / after, alternately"
    )
    parser.add_argument(
        "--before-mode",
        choices=("per-city", "set-based"),
        default="per-city",
        help="how the BEFORE_TREE side recomputes: city by city, or its nightly pass (set-based)",
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cities", type=int, help="the province's first N cities only")
    parser.add_argument("--prepare", action="store_true", help="load (or migrate) the sizes' data, measure nothing")
    parser.add_argument(
        "--province-run",
        choices=("per-city", "set-based", "reach-build"),
        help="one province run in this process: city by city, the nightly pass (set-based), or the stored reach "
        "built from scratch (what the first pass after a bulk outlet import adds)",
    )
    parser.add_argument("--code-root", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    common.load_services_env()
    signal.alarm(args.timeout)
    if args.province_run:
        print(json.dumps(province_run(args.province_run, args.cities)))
        return
    if args.interleave:
        runs = interleaved(args.interleave, args.rounds, args.cities, args.before_mode)
        path = common.save_json(
            f"evaluation-province-{time.strftime('%Y%m%d-%H%M%S')}.json",
            {"facts": common.machine_facts(), "runs": runs},
        )
        print(f"saved {path}")
        return
    report = {"facts": common.machine_facts(), "sizes": {}}
    for name in args.sizes.split(","):
        size = SIZES[name]
        loaded = prepare(name, size, args.seed, args.reload)
        reach = refresh_reach(name)
        if args.prepare:
            print(
                json.dumps({name: {"load_s": None if loaded is None else round(loaded, 1), "reach": reach}}), flush=True
            )
            continue
        result = {"size": size, "load_s": None if loaded is None else round(loaded, 1), "reach": reach}
        result.update(measure(name, size, args.repeat if name == "city" else 1))
        report["sizes"][name] = result
        print(json.dumps({name: result}, ensure_ascii=False, indent=1), flush=True)
    if args.prepare:
        return
    path = common.save_json(f"evaluation-{time.strftime('%Y%m%d-%H%M%S')}.json", report)
    print(f"saved {path}")
    cold = report["sizes"].get("city", {}).get("city_view_cold")
    if cold:
        verdict = "met" if cold["p50_ms"] < 2000 else "MISSED"
        print(f"city of 24 circles recomputed in {cold['p50_ms']:.0f} ms (median): target < 2 s {verdict}")


if __name__ == "__main__":
    main()
