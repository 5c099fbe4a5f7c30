#!/usr/bin/env python
"""Benchmark of GET /api/v1/outlets/nearby against the raw index-assisted SQL on the same data.

    .venv/bin/python bench/nearby.py [--sizes 10000,100000,1000000] [--queries 1000] [--skip-gunicorn] [--reload]
    make bench                                   # the same with the defaults

For each size (outlets spread uniformly over a 17 × 17 km town, bench/dataset.py) and the same random
query points (fixed seed, WGS-84, radius 1000 m, page_size 20) it times:

  raw SQL      psycopg, prepared: SELECT id FROM outlets WHERE ST_DWithin(location, p, 1000)
               ORDER BY location <-> p LIMIT 20 (the reference: index KNN, nothing else)
  app SQL db   the exact statement app/outlets/search.py sends (captured from SQLAlchemy), run with
               psycopg, prepared: the database's share of a request
  app SQL      search_nearby() in a request context declared read-only (the read path: checkout, the query,
               rows → dicts)
  in-process   the whole request through the Flask test client (args parsing, search, present.item,
               response schema, JSON)
  gunicorn     live `gunicorn -w 2*cores wsgi:app` on loopback, load from wrk (bounded duration):
               one connection (latency) and --connections (throughput)

What-ifs (bench/whatif.py) rerun the in-process and gunicorn measurements with the changes the README
suggests applied by the bench itself (a patched search.text, jit=off in the session options), and a
breakdown times each piece of a request alone (session, search, present.item, schema dump, JSON).
Under load, CPU per request is split between gunicorn, PostgreSQL, wrk and the rest of the machine.

Data lives in database circle_bench, one schema per size (size_1000000 …), created with
`flask db upgrade` and loaded with COPY; it is reused while its row count and marker match.
Results: a table on stdout, JSON (and EXPLAIN ANALYZE text) under bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common, dataset  # noqa: E402
from bench.whatif import REWRITES, WHAT_IFS  # noqa: E402

db = common.app_db  # the measured app's (bench/common.py)

ENDPOINT = "/api/v1/outlets/nearby"
RADIUS = 1000
PAGE_SIZE = 20
# Main table: plain. Variants are reported separately (types filter, keyword).
VARIANTS = {
    "plain": {},
    "types": {"types": ("convenience_store",)},
    "q": {"q": "超市"},
}
RAW_SQL = """SELECT id FROM outlets
WHERE ST_DWithin(location, ST_SetSRID(ST_MakePoint(%(lng)s, %(lat)s), 4326)::geography, %(radius)s){extra}
ORDER BY location <-> ST_SetSRID(ST_MakePoint(%(lng)s, %(lat)s), 4326)::geography
LIMIT %(limit)s"""
RAW_EXTRA = {"plain": "", "types": "\n  AND types && %(types)s::varchar[]"}
# The slow reference shape from the issue: exact distance for every outlet within the radius, then sort.
RAW_ST_DISTANCE_SQL = """SELECT id FROM outlets
WHERE ST_DWithin(location, ST_SetSRID(ST_MakePoint(%(lng)s, %(lat)s), 4326)::geography, %(radius)s)
ORDER BY ST_Distance(location, ST_SetSRID(ST_MakePoint(%(lng)s, %(lat)s), 4326)::geography)
LIMIT %(limit)s"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated outlet counts")
    parser.add_argument("--queries", type=int, default=1000, help="timed queries per measurement")
    parser.add_argument(
        "--budget", type=float, default=60, help="max seconds per timed measurement (half for variants; ≥ 20 samples)"
    )
    parser.add_argument("--variant-queries", type=int, default=300, help="timed queries per variant (types, q)")
    parser.add_argument("--warmup", type=int, default=100, help="untimed queries before each measurement")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--reload", action="store_true", help="reload the data even when it matches")
    parser.add_argument("--skip-gunicorn", action="store_true")
    parser.add_argument("--skip-variants", action="store_true", help="only the plain query in-process")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections for the load run")
    parser.add_argument("--duration", type=int, default=15, help="seconds per load run")
    parser.add_argument("--load-runs", type=int, default=3, help="load runs per server; the best is reported")
    parser.add_argument("--load-tool", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--st-distance-queries",
        type=int,
        default=200,
        help="queries for the slow ORDER BY ST_Distance reference (0 to skip)",
    )
    parser.add_argument(
        "--code",
        default="worktree",
        help="code to measure: 'worktree' (a copy of the checkout taken at start) or a git "
        "revision such as HEAD; either way a private snapshot, immune to edits during the run",
    )
    parser.add_argument("--skip-what-if", action="store_true", help="skip the what-if runs (bench/whatif.py)")
    parser.add_argument("--inprocess", type=int, help=argparse.SUPPRESS)  # child mode: one size
    parser.add_argument("--what-if", choices=sorted(WHAT_IFS), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    return args


def nearby_params(lng: float, lat: float, variant: dict) -> dict:
    params = {"lat": lat, "lng": lng, "coord": "wgs84", "radius": RADIUS, "page_size": PAGE_SIZE}
    if variant.get("types"):
        params["types"] = ",".join(variant["types"])
    if variant.get("q"):
        params["q"] = variant["q"]
    return params


def nearby_path(lng: float, lat: float, variant: dict | None = None) -> str:
    return f"{ENDPOINT}?{urlencode(nearby_params(lng, lat, variant or {}))}"


# --- child: everything measured inside one Python process ------------------------------------------


BUDGET_S = {"value": None}  # seconds per timed measurement (child process), set from --budget


def timed(fn, points, warmup: int, budget_s: float | None = None) -> tuple[dict, list]:
    """Runs fn over points[:warmup] untimed, then times it over points[warmup:], in order.

    Slow shapes (the code as it is, at 1M) stop once the time budget is spent (at least 20 samples); the
    outputs then cover a prefix of the same points, so comparisons between methods stay aligned."""
    from time import monotonic, perf_counter_ns

    budget = budget_s if budget_s is not None else BUDGET_S["value"]
    start = monotonic()
    for point in points[:warmup]:
        fn(point)
        if budget and monotonic() - start > budget / 10:
            break
    samples, outputs = [], []
    start = monotonic()
    for point in points[warmup:]:
        t0 = perf_counter_ns()
        out = fn(point)
        samples.append(perf_counter_ns() - t0)
        outputs.append(out)
        if budget and len(samples) >= 20 and monotonic() - start > budget:
            break
    summary = common.summarize_ns(samples)
    if len(samples) < len(points) - warmup:
        summary["cut_by_budget_s"] = budget
    return summary, outputs


def timed_interleaved(fns: dict, points, warmup: int, budget_s: float | None = None) -> dict[str, tuple[dict, list]]:
    """Every method on each point in turn, their order rotating from point to point, so a cache state or a
    burst of other people's load falls on all of them alike. (Timing one method over all points, then the
    next, once printed a 2.9x ratio that was the raw SQL's cold cache; on a shared machine the load also
    moves between minutes.) Warm-up and budget as `timed`; the budget covers all methods together."""
    from time import monotonic, perf_counter_ns

    names = list(fns)
    budget = (budget_s if budget_s is not None else BUDGET_S["value"]) or 0
    start = monotonic()
    for point in points[:warmup]:
        for name in names:
            fns[name](point)
        if budget and monotonic() - start > budget * len(names) / 10:
            break
    samples: dict[str, list] = {n: [] for n in names}
    outputs: dict[str, list] = {n: [] for n in names}
    start = monotonic()
    timed_points = points[warmup:]
    for i, point in enumerate(timed_points):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            t0 = perf_counter_ns()
            out = fns[name](point)
            samples[name].append(perf_counter_ns() - t0)
            outputs[name].append(out)
        if budget and i + 1 >= 20 and monotonic() - start > budget * len(names):
            break
    result = {}
    for name in names:
        summary = common.summarize_ns(samples[name])
        summary["interleaved_with"] = [n for n in names if n != name]
        if len(samples[name]) < len(timed_points):
            summary["cut_by_budget_s"] = budget
        result[name] = (summary, outputs[name])
    return result


def same_prefix(*lists) -> bool:
    n = min(len(x) for x in lists)
    return all(x[:n] == lists[0][:n] for x in lists)


def run_inprocess(args) -> None:
    size, what_if = args.inprocess, args.what_if
    from bench import whatif

    # app.config reads the environment when first imported: set it before anything imports app.
    settings = dict(WHAT_IFS[what_if]["settings"]) if what_if else {}
    database_url = common.sqlalchemy_url(size, settings)
    os.environ["DATABASE_URL"] = database_url
    os.environ["RATELIMIT_ENABLED"] = "0"
    whatif.apply(what_if)  # patches app.outlets.search for a what-if
    from sqlalchemy import event, text

    from app import create_app
    from app.outlets.search import NearbyQuery, search_nearby

    app = create_app({"RATELIMIT_ENABLED": False, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():  # never measure another database by accident
        where = db.session.execute(text("SELECT current_database(), current_setting('search_path')")).one()
        if tuple(where) != (common.BENCH_DB, common.search_path(size)):
            sys.exit(f"the app is connected to {tuple(where)}, expected {(common.BENCH_DB, common.search_path(size))}")
    client = app.test_client()
    points = dataset.query_points(args.warmup + args.queries, args.seed)
    conn = common.connect(size, settings=settings)
    out: dict = {
        "size": size,
        "what_if": what_if,
        "settings": settings,
        "queries": args.queries,
        "warmup": args.warmup,
        "loadavg_start": os.getloadavg(),
    }
    plain_only = args.skip_variants or (what_if and not WHAT_IFS[what_if]["variants"])
    variants = {"plain": VARIANTS["plain"]} if plain_only else VARIANTS
    rewrites = {} if what_if else REWRITES

    def log(msg):
        print(f"  [{size}{' ' + what_if if what_if else ''}] {msg}", file=sys.stderr, flush=True)

    # The statements search_nearby sends, captured as psycopg receives them.
    captured: dict[str, tuple[str, dict]] = {}
    with app.app_context():
        statements = []

        def capture(_conn, _cursor, statement, parameters, _context, _many):
            statements.append((statement, dict(parameters or {})))

        event.listen(db.engine, "before_cursor_execute", capture)
        for name, variant in variants.items():
            statements.clear()
            search_nearby(
                NearbyQuery(lng=points[0][0], lat=points[0][1], radius=RADIUS, page_size=PAGE_SIZE, **variant)
            )
            captured[name] = next((s, p) for s, p in reversed(statements) if "outlets" in s)
        event.remove(db.engine, "before_cursor_execute", capture)
    out["app_sql_text"] = captured["plain"][0]
    if not what_if:
        from app.outlets import search as search_module

        out["what_if_applies"] = {n: whatif.applies(n, captured["plain"][0], search_module) for n in WHAT_IFS}

    def raw(sql: str, variant: dict):
        def run(point):
            params = {"lng": point[0], "lat": point[1], "radius": RADIUS, "limit": PAGE_SIZE}
            if variant.get("types"):
                params["types"] = list(variant["types"])
            return [r[0] for r in conn.execute(sql, params, prepare=True).fetchall()]

        return run

    # The app's statement on a connection set up as the app's read connections are (jit, plan_cache_mode),
    # when the code has a read path (app/common/reads.py).
    app_conn = common.connect(size, settings=settings)
    try:
        from app.common import reads as reads_module

        app_conn.execute(reads_module.READ_SESSION_SQL)
        out["app_sql_db_session"] = reads_module.READ_SESSION_SQL
    except ImportError:
        pass

    def app_sql_db(statement: str, params: dict):
        def run(point):
            return [
                r[0]
                for r in app_conn.execute(
                    statement, {**params, "lng": point[0], "lat": point[1]}, prepare=True
                ).fetchall()
            ]

        return run

    def app_sql(variant: dict):
        from flask import g

        def run(point):
            with app.test_request_context():
                g.read_path = True  # as in a view declared @read_only (app/common/reads.py), where there is one
                found, _ = search_nearby(
                    NearbyQuery(lng=point[0], lat=point[1], radius=RADIUS, page_size=PAGE_SIZE, **variant)
                )
                return [row["id"] for row in found.items]

        return run

    def in_process(variant: dict):
        def run(point):
            response = client.get(nearby_path(point[0], point[1], variant))
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code}: {response.get_data(as_text=True)[:300]}")
            return [item["id"] for item in response.get_json()["items"]]

        return run

    def in_process_repair(point):
        response = client.get(f"/api/v1/repair/nearby?lat={point[1]}&lng={point[0]}&coord=wgs84&radius={RADIUS}")
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code}: {response.get_data(as_text=True)[:300]}")
        return [item["id"] for item in response.get_json()["items"]]

    def in_process_detail(point):
        outlet_id = 1 + int(abs(point[0] * 1e7 + point[1] * 1e5)) % size  # a different outlet per point
        response = client.get(f"/api/v1/outlets/{outlet_id}?coord=wgs84")
        if response.status_code not in (200, 404):
            raise RuntimeError(f"{response.status_code}: {response.get_data(as_text=True)[:300]}")
        return outlet_id

    measurements: dict[str, dict] = {}
    all_points = points
    for name, variant in variants.items():
        m = measurements[name] = {}
        points = all_points if name == "plain" else all_points[: args.warmup + min(args.queries, args.variant_queries)]
        BUDGET_S["value"] = args.budget if name == "plain" else args.budget / 2
        # Raw SQL, the app's statement, search_nearby() and the whole request, interleaved point by point.
        fns = {}
        if name in RAW_EXTRA:
            fns["raw_sql"] = raw(RAW_SQL.format(extra=RAW_EXTRA[name]), variant)
        fns["app_sql_db"] = app_sql_db(*captured[name])
        fns["app_sql"] = app_sql(variant)
        fns["in_process"] = in_process(variant)
        if name == "plain":  # the other read-path routes, over the same points
            fns["in_process_repair"] = in_process_repair
            fns["in_process_detail"] = in_process_detail
        log(f"{name}: {', '.join(fns)} (interleaved)")
        timings = timed_interleaved(fns, points, args.warmup)
        for key, (summary, _) in timings.items():
            m[key] = summary
        raw_ids = timings["raw_sql"][1] if "raw_sql" in timings else None
        app_ids, sn_ids, ip_ids = (timings[k][1] for k in ("app_sql_db", "app_sql", "in_process"))
        for label, rewrite in rewrites.items():
            if rewrite(captured[name][0]) == captured[name][0]:
                continue  # a what-if rewrite that no longer changes the code's statement
            log(f"{name}: app SQL rewrite {label}")
            m[f"app_sql_db_{label}"], ids = timed(
                app_sql_db(rewrite(captured[name][0]), captured[name][1]), points, args.warmup
            )
            m[f"app_sql_db_{label}"]["same_rows_as_app"] = same_prefix(ids, app_ids)
        m["mean_results"] = round(sum(len(i) for i in ip_ids) / len(ip_ids), 1)
        m["app_ids_match_db_only"] = same_prefix([i[:PAGE_SIZE] for i in app_ids], sn_ids, ip_ids)
        if raw_ids is not None:
            # Raw orders by sphere distance, the app by ellipsoid: a boundary outlet may differ.
            overlaps = [
                len(set(a) & set(b)) / max(1, len(set(a) | set(b)))
                for a, b in zip(raw_ids, ip_ids)  # noqa: B905
            ]
            m["jaccard_app_vs_raw"] = round(sum(overlaps) / len(overlaps), 4)
    if args.st_distance_queries and not what_if:
        log("raw SQL ORDER BY ST_Distance (slow reference)")
        n = min(args.st_distance_queries, args.queries)
        measurements["plain"]["raw_sql_st_distance"], _ = timed(
            raw(RAW_ST_DISTANCE_SQL, {}), points[: min(args.warmup, 20) + n], min(args.warmup, 20)
        )
    points = all_points
    BUDGET_S["value"] = args.budget
    out["measurements"] = measurements
    log("breakdown")
    out["breakdown"] = breakdown(app, db, points, args.warmup)
    # psycopg prepares a statement after 5 runs on a connection, but its rollback() forgets them all
    # (DEALLOCATE ALL); the app's session ends every request with a rollback, so a request's query is
    # planned afresh every time. Evidence: server-side prepared statements left on the app's connection.
    for point in points[:10]:
        in_process({})(point)
    with app.app_context():
        dbapi = db.session.connection().connection.dbapi_connection
        out["app_connection"] = {
            "psycopg_prepare_threshold": dbapi.prepare_threshold,
            "prepared_statements_after_10_requests": db.session.execute(
                text("SELECT count(*) FROM pg_prepared_statements")
            ).scalar(),
            "jit": db.session.execute(text("SHOW jit")).scalar(),
        }
    if not what_if:
        log("EXPLAIN ANALYZE")
        out["explain"] = explain_all(conn, captured, points[0])
    out["loadavg_end"] = os.getloadavg()
    conn.close()
    app_conn.close()
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, default=str), encoding="utf-8")


def breakdown(app, db, points, warmup: int) -> dict:
    """Where a plain request's time goes, piece by piece (same points; p50/p99 of each piece alone)."""
    from sqlalchemy import text

    from app.outlets import present
    from app.outlets.schemas import NearbyPageSchema, NearbyQuerySchema
    from app.outlets.search import NearbyQuery, search_nearby

    parts: dict[str, dict] = {}
    query = lambda p: NearbyQuery(lng=p[0], lat=p[1], radius=RADIUS, page_size=PAGE_SIZE)  # noqa: E731

    def session_only(_point):
        with app.app_context():  # checkout (+ pre-ping), BEGIN, SELECT 1, ROLLBACK, checkin
            db.session.execute(text("SELECT 1")).scalar()

    parts["app_context_session_select1"], _ = timed(session_only, points, warmup)
    with app.app_context():
        # One long-lived session: no checkout/rollback between calls, so psycopg's automatic prepare
        # (5th run) survives and PostgreSQL may switch to its generic plan: what a request could cost.
        parts["search_nearby_one_session"], pages = timed(lambda p: search_nearby(query(p))[0].items, points, warmup)
        db.session.rollback()
    points = points[: warmup + len(pages)]  # the pieces below reuse those pages (a prefix if cut by the budget)
    schema = NearbyQuerySchema()
    parts["args_load"], _ = timed(
        lambda p: schema.load({k: str(v) for k, v in nearby_params(p[0], p[1], {}).items()}), points, warmup
    )
    rows_by_point = dict(zip(points[warmup:], pages, strict=True))
    rows_by_point.update({p: rows_by_point[points[warmup]] for p in points[:warmup]})
    bodies = {}
    with app.test_request_context():
        parts["present_items"], items = timed(
            lambda p: [present.item(r, "wgs84") for r in rows_by_point[p]], points, warmup
        )
        for p, its in zip(points[warmup:], items, strict=True):
            bodies[p] = {
                "items": its,
                "page": 1,
                "page_size": PAGE_SIZE,
                "has_more": True,
                "radius": RADIUS,
                "coord": "wgs84",
            }
        bodies.update({p: bodies[points[warmup]] for p in points[:warmup]})
        page_schema = NearbyPageSchema()
        parts["response_schema_dump"], dumped = timed(lambda p: page_schema.dump(bodies[p]), points, warmup)
        dumped_by_point = dict(zip(points[warmup:], dumped, strict=True))
        dumped_by_point.update({p: dumped[0] for p in points[:warmup]})
        parts["json_encode"], _ = timed(lambda p: app.json.dumps(dumped_by_point[p]), points, warmup)
    return parts


def _positional(statement: str, params: dict) -> tuple[str, list]:
    """%(name)s placeholders → $n for PREPARE, with the values in order."""
    import re

    names: list[str] = []

    def sub(match):
        name = match[1]
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    positional = re.sub(r"%\((\w+)\)s", sub, statement).replace("%%", "%")  # sent without parameters
    return positional, [params[n] for n in names]


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "ARRAY[" + ",".join(_literal(v) for v in value) + "]::varchar[]"
    return "'" + str(value).replace("'", "''") + "'"


def explain_all(conn, captured: dict[str, tuple[str, dict]], point) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the raw and app statements (custom and generic plans), as is and rewritten."""
    raw_params = {"lng": point[0], "lat": point[1], "radius": RADIUS, "limit": PAGE_SIZE}
    plans = {}

    def explain(sql, values):
        for _ in range(3):  # warm; the last run is kept
            lines = [r[0] for r in conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, values).fetchall()]
        return "\n".join(lines)

    def explain_generic(sql, values):
        positional, ordered = _positional(sql, values)
        conn.execute("SET plan_cache_mode = force_generic_plan")
        try:
            conn.execute(f"PREPARE bench_generic AS {positional}")
            execute = "EXECUTE bench_generic(" + ", ".join(_literal(v) for v in ordered) + ")"
            for _ in range(3):
                lines = [r[0] for r in conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + execute).fetchall()]
            conn.execute("DEALLOCATE bench_generic")
            return "\n".join(lines)
        finally:
            conn.execute("RESET plan_cache_mode")

    plans["raw_sql"] = explain(RAW_SQL.format(extra=""), raw_params)
    # Custom plan: what the app gets today (a fresh plan per request, see app_connection). Generic plan:
    # what a statement prepared for good (psycopg, 5th run on a connection) would settle on.
    for name in ("plain", "q"):
        if name not in captured:
            continue
        statement, params = captured[name]
        params = {**params, "lng": point[0], "lat": point[1]}
        prefix = "app_sql" if name == "plain" else f"app_sql_{name}"
        plans[f"{prefix}_custom_plan"] = explain(statement, params)
        plans[f"{prefix}_generic_plan"] = explain_generic(statement, params)
        for label, rewrite in REWRITES.items():
            plans[f"{prefix}_{label}_custom_plan"] = explain(rewrite(statement), params)
            plans[f"{prefix}_{label}_generic_plan"] = explain_generic(rewrite(statement), params)
    return plans


# --- parent: data, child process, gunicorn, table ---------------------------------------------------


def prepare_data(size: int, args) -> dict:
    """Reuses the size's schema when it holds this dataset under these migrations; else rebuilds it."""
    if not args.reload and dataset.loaded_count(size, args.seed) == size:
        print(f"[{size}] data present (reused)", file=sys.stderr, flush=True)
        return {"reused": True, "marker": dataset.marker(size, args.seed)}
    common.drop_schema(size)  # fresh schema: `flask db upgrade` builds exactly what the migrations say
    common.ensure_schema(size)
    print(f"[{size}] loading {size:,} outlets with COPY …", file=sys.stderr, flush=True)
    timings = dataset.load(size, args.seed)
    print(f"[{size}] loaded: {timings}", file=sys.stderr, flush=True)
    return {"reused": False, "marker": dataset.marker(size, args.seed), **timings}


def measure_in_child(size: int, args, what_if: str | None = None) -> dict:
    """One fresh process per size (and what-if): create_app once, with DATABASE_URL set before import."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out_path = f.name
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--inprocess",
        str(size),
        "--out",
        out_path,
        "--queries",
        str(args.queries),
        "--warmup",
        str(args.warmup),
        "--seed",
        str(args.seed),
        "--st-distance-queries",
        str(args.st_distance_queries),
        "--variant-queries",
        str(args.variant_queries),
        "--budget",
        str(args.budget),
    ]
    if args.skip_variants:
        cmd.append("--skip-variants")
    if what_if:
        cmd += ["--what-if", what_if]
    try:
        subprocess.run(cmd, cwd=ROOT, check=True)
        return json.loads(Path(out_path).read_text(encoding="utf-8"))
    finally:
        Path(out_path).unlink(missing_ok=True)


WRK_SCRIPT = (
    """-- generated by bench/nearby.py: cycles through the benchmark's query points
local paths = {%s}
"""
    + common.WRK_THREADS
    + """function init(args)
  counter = (tid or 0) * 997
end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
function done(summary, latency, requests)
  io.write(string.format('BENCHJSON {"requests":%%d,"duration_us":%%d,"bytes":%%d,"errors_connect":%%d,' ..
    '"errors_read":%%d,"errors_write":%%d,"errors_status":%%d,"errors_timeout":%%d,"p50_us":%%d,"p90_us":%%d,' ..
    '"p99_us":%%d,"max_us":%%d,"mean_us":%%.1f}\\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""
)


def run_wrk(base: str, script: Path, threads: int, connections: int, duration: int) -> dict:
    command, raw, _ = common.wrk(base, script, threads, connections, duration)
    errors = sum(v for k, v in raw.items() if k.startswith("errors_"))
    return {
        "tool": "wrk",
        "command": command,
        "connections": connections,
        "requests": raw["requests"],
        "errors": errors,
        "errors_detail": {k: v for k, v in raw.items() if k.startswith("errors_")},
        "req_per_s": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "mean_ms": round(raw["mean_us"] / 1000, 3),
    }


def run_python_load(base: str, paths: list[str], connections: int, duration: int) -> dict:
    """Bounded closed-loop load: `connections` threads, each one request at a time, for `duration` s."""
    import http.client
    from urllib.parse import urlsplit

    host = urlsplit(base)
    deadline = time.monotonic() + duration
    samples: list[int] = []
    errors = [0]
    lock = threading.Lock()

    def worker(offset):
        i, local = offset, []
        while time.monotonic() < deadline:
            i += 1
            t0 = time.perf_counter_ns()
            try:
                c = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
                c.request("GET", paths[i % len(paths)])
                resp = c.getresponse()
                resp.read()
                c.close()
                ok = resp.status == 200
            except OSError:
                ok = False
            if ok:
                local.append(time.perf_counter_ns() - t0)
            else:
                with lock:
                    errors[0] += 1
        with lock:
            samples.extend(local)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n * 997,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    summary = common.summarize_ns(samples)
    return {
        "tool": "python",
        "command": f"bench/nearby.py python load: {connections} threads × {duration}s, "
        f"one request at a time, new connection per request",
        "connections": connections,
        "requests": len(samples),
        "errors": errors[0],
        "req_per_s": round(len(samples) / elapsed, 1),
        **summary,
    }


class cpu_accounting(common.CpuAccounting):
    """CPU spent during a load run by the gunicorn workers, their PostgreSQL backends, the load generator
    (wrk: a waited child of this process; the Python generator: this process) and everything else."""

    def parts(self) -> dict:
        import resource

        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        me = resource.getrusage(resource.RUSAGE_SELF)
        return {"load_generator": (children.ru_utime + children.ru_stime + me.ru_utime + me.ru_stime) * 1000}


def check_server_data(url: str, size: int, point) -> None:
    """The server answers from the size's data: its page matches the raw SQL's (up to a boundary outlet)."""
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as resp:
        got = {item["id"] for item in json.load(resp)["items"]}
    with common.connect(size) as conn:
        params = {"lng": point[0], "lat": point[1], "radius": RADIUS, "limit": PAGE_SIZE}
        want = {r[0] for r in conn.execute(RAW_SQL.format(extra=""), params).fetchall()}
    if len(got & want) < 0.8 * max(len(want), 1):
        raise RuntimeError(
            f"{url} does not answer from {common.schema_for(size)}: {sorted(got)[:5]} vs {sorted(want)[:5]}"
        )


def run_gunicorn(size: int, args, what_if: str | None = None) -> dict:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        gunicorn = shutil.which("gunicorn")
    tool = args.load_tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
    port = common.free_port()
    base = f"http://127.0.0.1:{port}"
    settings = WHAT_IFS[what_if]["settings"] if what_if else {}
    env = {
        **os.environ,
        "DATABASE_URL": common.sqlalchemy_url(size, settings),
        "RATELIMIT_ENABLED": "0",
        "FLASK_APP": "wsgi.py",
    }
    if what_if:
        env["BENCH_WHAT_IF"] = what_if
    module = "bench.whatif_wsgi:app" if what_if else "wsgi:app"
    cmd = [str(gunicorn), "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning", module]
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    log_path = common.RESULTS / f"gunicorn-{size}{'-' + what_if if what_if else ''}.log"
    points = dataset.query_points(args.warmup + args.queries, args.seed)
    paths = [nearby_path(lng, lat) for lng, lat in points]
    result = {"command": " ".join(["gunicorn", *cmd[1:]]), "workers": args.workers, "what_if": what_if}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            common.wait_http(base + paths[0], timeout_s=300)  # 4 workers importing the app on a loaded machine
            check_server_data(base + paths[0], size, points[0])
            print(
                f"[{size}] gunicorn {module} up on {base} ({args.workers} workers); load with {tool}",
                file=sys.stderr,
                flush=True,
            )
            if tool == "wrk":
                # Kept next to the results so the recorded wrk command can be rerun as is.
                script = common.RESULTS / f"nearby-wrk-{size}.lua"
                script.write_text(WRK_SCRIPT % ",".join(json.dumps(p) for p in paths), encoding="utf-8")
                run_wrk(base, script, 2, args.connections, 3)  # warm every worker (connections, caches)
                result["latency_c1"] = run_wrk(base, script, 1, 1, max(5, args.duration // 2))
                result["load_runs"] = []
                for _ in range(args.load_runs):
                    with cpu_accounting(proc.pid) as cpu:
                        run = run_wrk(base, script, 2, args.connections, args.duration)
                    run["cpu_ms_per_request"] = cpu.per_request(run["requests"])
                    result["load_runs"].append(run)
                result["wrk_script"] = (
                    str(script.relative_to(common.REPO)) + " (generated: cycles GET over the query-point URLs)"
                )
            else:
                run_python_load(base, paths, args.connections, 3)
                result["latency_c1"] = run_python_load(base, paths, 1, max(5, args.duration // 2))
                result["load_runs"] = []
                for _ in range(args.load_runs):
                    with cpu_accounting(proc.pid) as cpu:
                        run = run_python_load(base, paths, args.connections, args.duration)
                    run["cpu_ms_per_request"] = cpu.per_request(run["requests"])
                    result["load_runs"].append(run)
            # The machine is shared: the run with the most requests/s is the one least disturbed by others.
            result["load"] = max(result["load_runs"], key=lambda run: run["req_per_s"])
        finally:
            common.stop_group(proc)  # the session we started: master and its workers
    return result


def fmt_pair(m: dict | None) -> str:
    if not m:
        return "—"
    cut = f" (n={m['n']})" if m.get("cut_by_budget_s") else ""  # stopped by --budget: fewer queries
    return f"{m['p50_ms']:.2f} / {m['p99_ms']:.2f}{cut}"


def _main_rows(results: dict, what_if: str | None = None) -> list[tuple]:
    rows = []
    for size, r in results["sizes"].items():
        base = r["measurements"]["plain"]
        run = r["what_if"].get(what_if) if what_if else r
        if not run:
            continue
        m = run["measurements"]["plain"]
        g = (r.get("gunicorn_what_if", {}).get(what_if) if what_if else r.get("gunicorn")) or {}
        load = g.get("load")
        ratio = m["in_process"]["p50_ms"] / base["raw_sql"]["p50_ms"]  # against the raw SQL of the same run
        rows.append(
            (
                f"{int(size):,}",
                fmt_pair(base["raw_sql"]),
                fmt_pair(m["app_sql"]),
                fmt_pair(m["in_process"]),
                f"{ratio:.1f}x",
                fmt_pair(load),
                f"{load['req_per_s']:.0f}" if load else "—",
            )
        )
    return rows


MAIN_HEAD = (
    "size",
    "raw SQL p50/p99",
    "app SQL p50/p99",
    "in-process app p50/p99",
    "ratio p50 app/raw",
    "gunicorn p50/p99",
    "req/s",
)


def print_tables(results: dict) -> None:
    print_table(
        MAIN_HEAD,
        _main_rows(results),
        "Plain query, code as it is: radius 1000 m, page_size 20, coord=wgs84 (ms; gunicorn under load)",
    )

    head = (
        "size",
        "app SQL db-only",
        *(f"db-only {k}" for k in REWRITES),
        "ST_Distance order",
        "gunicorn c=1 p50/p99",
        "c=1 req/s",
    )
    rows = []
    for size, r in results["sizes"].items():
        m = r["measurements"]["plain"]
        g = r.get("gunicorn", {}).get("latency_c1")
        rows.append(
            (
                f"{int(size):,}",
                fmt_pair(m["app_sql_db"]),
                *(fmt_pair(m.get(f"app_sql_db_{k}")) for k in REWRITES),
                fmt_pair(m.get("raw_sql_st_distance")),
                fmt_pair(g),
                f"{g['req_per_s']:.0f}" if g else "—",
            )
        )
    print_table(head, rows, "SQL detail (psycopg, prepared) and HTTP latency with one connection (ms)")

    for what_if in WHAT_IFS:
        rows = _main_rows(results, what_if)
        if rows:
            print_table(
                MAIN_HEAD,
                rows,
                f"What-if {what_if} (bench/whatif.py, not the shipped code; ratio against the raw SQL of the same run)",
            )

    head = (
        "size",
        "code",
        "in-process",
        "search_nearby",
        "same, one session",
        "session+SELECT 1",
        "args load",
        "present.item ×20",
        "schema dump",
        "JSON",
    )
    rows = []
    for size, r in results["sizes"].items():
        for code, run in [("as is", r), *r["what_if"].items()]:
            b = run.get("breakdown")
            if b:
                rows.append(
                    (
                        f"{int(size):,}",
                        code,
                        f"{run['measurements']['plain']['in_process']['p50_ms']:.2f}",
                        f"{run['measurements']['plain']['app_sql']['p50_ms']:.2f}",
                        *(
                            f"{b[k]['p50_ms']:.2f}"
                            for k in (
                                "search_nearby_one_session",
                                "app_context_session_select1",
                                "args_load",
                                "present_items",
                                "response_schema_dump",
                                "json_encode",
                            )
                        ),
                    )
                )
    print_table(head, rows, "Where a plain request's time goes (p50 ms of each piece timed alone)")

    head = ("size", "code", "raw SQL", "nearby in-process", "repair nearby in-process", "outlet detail in-process")
    rows = []
    for size, r in results["sizes"].items():
        for code, run in [("as is", r), *r["what_if"].items()]:
            m = run["measurements"]["plain"]
            if "in_process_repair" in m:
                rows.append(
                    (
                        f"{int(size):,}",
                        code,
                        *(
                            fmt_pair(m.get(k))
                            for k in ("raw_sql", "in_process", "in_process_repair", "in_process_detail")
                        ),
                    )
                )
    if rows:
        print_table(head, rows, "The read path's routes, interleaved over the same points (p50 / p99 ms)")

    head = ("size", "code", "variant", "raw SQL", "app SQL db-only", "app SQL", "in-process app", "mean items")
    rows = []
    for size, r in results["sizes"].items():
        for code, run in [("as is", r), *r["what_if"].items()]:
            for name, m in run["measurements"].items():
                if name == "plain":
                    continue
                rows.append(
                    (
                        f"{int(size):,}",
                        code,
                        f"{name} {VARIANTS[name]}",
                        fmt_pair(m.get("raw_sql")),
                        fmt_pair(m["app_sql_db"]),
                        fmt_pair(m["app_sql"]),
                        fmt_pair(m["in_process"]),
                        str(m["mean_results"]),
                    )
                )
    if rows:
        print_table(head, rows, "Variants (p50 / p99 ms)")


def print_table(head, rows, title) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"  # noqa: E731
    print(f"\n{title}")
    print(line(head))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))


def check_targets(results: dict, what_if: str | None = None) -> list[str]:
    size = max(results["sizes"], key=int)
    top = results["sizes"][size]
    r = top["what_if"].get(what_if) if what_if else top
    if not r:
        return []
    m = r["measurements"]["plain"]
    ratio = m["in_process"]["p50_ms"] / top["measurements"]["plain"]["raw_sql"]["p50_ms"]
    g = top.get("gunicorn_what_if", {}).get(what_if) if what_if else top.get("gunicorn")
    lines = [
        f"targets at {int(size):,} outlets ({'what-if ' + what_if if what_if else 'code as it is'}; issue 13):",
        f"  in-process app p50 ≤ 5x raw SQL p50 (interleaved): {ratio:.1f}x → {'met' if ratio <= 5 else 'MISSED'}",
    ]
    plain = m["in_process"]["p50_ms"]
    for name in ("types", "q"):
        if name in r["measurements"]:
            v = r["measurements"][name]["in_process"]["p50_ms"] / plain
            lines.append(f"  {name}= variant p50 ≤ 3x the plain query's: {v:.1f}x → {'met' if v <= 3 else 'MISSED'}")
    if g:
        c1 = g["latency_c1"]["p99_ms"]
        lines.append(f"  p99 ≤ 10 ms (gunicorn, 1 connection): {c1:.2f} ms → {'met' if c1 <= 10 else 'MISSED'}")
        rps = g["load"]["req_per_s"]
        lines.append(
            f"  ≥ 800 req/s (gunicorn -w {g['workers']}, {g['load']['connections']} connections): "
            f"{rps:.0f} → {'met' if rps >= 800 else 'MISSED'}"
        )
    if int(size) != 1_000_000:
        lines.append("  (targets are defined at 1,000,000 outlets)")
    return lines


def main(argv=None) -> int:
    args = parse_args(argv)
    common.load_services_env()
    if args.inprocess:
        run_inprocess(args)
        return 0
    if not os.environ.get("BENCH_REPO"):  # first call: rerun from a private snapshot of the code
        snap, info = common.make_snapshot(args.code)
        env = {**os.environ, "BENCH_REPO": str(ROOT), "BENCH_CODE": json.dumps(info)}
        try:
            return subprocess.call(
                [sys.executable, str(snap / "bench" / "nearby.py"), *(argv or sys.argv[1:])], cwd=snap, env=env
            )
        finally:
            shutil.rmtree(snap, ignore_errors=True)
    common.ensure_bench_database()
    results = {
        "benchmark": "outlets nearby",
        "facts": common.machine_facts(),
        "code": json.loads(os.environ.get("BENCH_CODE", "{}")),
        "settings": {k: v for k, v in vars(args).items() if k not in ("inprocess", "out")},
        "sizes": {},
    }
    results["settings"].update(
        radius=RADIUS,
        page_size=PAGE_SIZE,
        coord="wgs84",
        variants=VARIANTS,
        raw_sql=RAW_SQL.format(extra=""),
        town="17 × 17 km around (116.8431, 40.3765)",
    )
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    for size in args.sizes:
        data = prepare_data(size, args)
        print(
            f"[{size}] measuring in-process ({args.queries} queries, {args.warmup} warm-up) …",
            file=sys.stderr,
            flush=True,
        )
        r = measure_in_child(size, args)
        r["data"] = data
        r["what_if"], r["gunicorn_what_if"] = {}, {}
        if not args.skip_gunicorn:
            r["gunicorn"] = run_gunicorn(size, args)
        if not args.skip_what_if:
            for what_if in WHAT_IFS:
                if not r.get("what_if_applies", {}).get(what_if, True):
                    continue  # changes nothing in the code measured
                print(f"[{size}] what-if {what_if} …", file=sys.stderr, flush=True)
                r["what_if"][what_if] = measure_in_child(size, args, what_if)
            if not args.skip_gunicorn:
                for what_if, spec in WHAT_IFS.items():
                    if spec.get("gunicorn") and what_if in r["what_if"]:
                        r["gunicorn_what_if"][what_if] = run_gunicorn(size, args, what_if)
        r["loadavg_after"] = os.getloadavg()
        results["sizes"][str(size)] = r
        explain_path = common.RESULTS / f"nearby-explain-{size}-{stamp}.txt"
        common.RESULTS.mkdir(parents=True, exist_ok=True)
        explain_path.write_text("\n\n".join(f"== {k}\n{v}" for k, v in r["explain"].items()), encoding="utf-8")
        common.save_json(f"nearby-{stamp}.json", results)  # after every size, so a long run keeps its figures
    results["facts"]["loadavg_end"] = os.getloadavg()
    path = common.save_json(f"nearby-{stamp}.json", results)
    f = results["facts"]
    print(
        f"\n{f['date_utc']} · {f['cpu']} × {f['cores']} cores · {f['memory_gib']} GiB · "
        f"PostgreSQL {f.get('postgresql')} "
        f"+ PostGIS {f.get('postgis')} · Python {f['python']} · gunicorn {f['gunicorn']}"
    )
    print_tables(results)
    for size, r in results["sizes"].items():
        for g in [r.get("gunicorn"), *r.get("gunicorn_what_if", {}).values()]:
            if g:
                print(
                    f"\n[{int(size):,}] server: {g['command']}\n[{int(size):,}] load:   {g['load']['command']}"
                    f"\n[{int(size):,}] c=1:    {g['latency_c1']['command']}  "
                    f"(errors: load {g['load']['errors']}, c=1 {g['latency_c1']['errors']})"
                )
                runs = ", ".join(f"{run['req_per_s']:.0f}" for run in g.get("load_runs", []))
                print(f"[{int(size):,}] load runs (req/s): {runs}; the best is reported")
                cpu = g["load"].get("cpu_ms_per_request")
                if cpu:
                    print(
                        f"[{int(size):,}] CPU ms per request under load: gunicorn {cpu['gunicorn']:.2f}, postgres "
                        f"{cpu['postgres']:.2f}, load generator {cpu['load_generator']:.2f}, rest of the machine "
                        f"{cpu['other']:.2f} (all: {cpu['machine']:.2f} on {os.cpu_count()} cores)"
                    )
    for what_if in (None, *WHAT_IFS):
        lines = check_targets(results, what_if)
        if lines:
            print("\n" + "\n".join(lines))
    print(f"\nJSON: {path.relative_to(common.REPO)}; EXPLAIN ANALYZE: bench/results/nearby-explain-<size>-{stamp}.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
