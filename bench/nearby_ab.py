#!/usr/bin/env python
"""Before/after of the read path's routes, interleaved: two versions of the code measured in one run.

    .venv/bin/python bench/nearby_ab.py --before <git rev> [--after worktree|<git rev>] [--size 1000000]
        [--rounds 10] [--requests 200] [--routes nearby,repair,detail] [--gunicorn] [--duration 10]

On a shared machine absolute figures move from minute to minute; a ratio of samples taken moments apart does
not. Each side runs in a process of its own, from a private snapshot of its code (`common.make_snapshot`,
app/ + migrations/ + wsgi.py + gunicorn.conf.py), against the same bench schema (`bench/nearby.py` loads it).

In-process: for each route, batches of `--batch` requests (the same query points for both sides) alternate
between before, after and, for nearby, the raw SQL of bench/nearby.py (the order rotating each batch). Reported
per side: CPU ms per request (the child's process time, all batches), p50/p99 of the request's wall time, and
for nearby the p50 ratio to the raw SQL of the same run; then after/before.

`--gunicorn`: both servers run at once (`gunicorn -w <workers> wsgi:app`, each snapshot's gunicorn.conf.py, as
deployed, plus `--server-args-before/--server-args-after`); wrk runs of `--duration` s with `--connections`
alternate between them (before, after, after, before, …), each with the CPU its workers and their PostgreSQL
backends spent per request (/proc).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common, dataset  # noqa: E402

ROUTES = ("nearby", "repair", "detail")


def route_path(route: str, point, size: int) -> str:
    lng, lat = point
    if route == "nearby":
        return f"/api/v1/outlets/nearby?lat={lat}&lng={lng}&coord=wgs84&radius=1000&page_size=20"
    if route == "repair":
        return f"/api/v1/repair/nearby?lat={lat}&lng={lng}&coord=wgs84&radius=1000"
    outlet_id = 1 + int(abs(lng * 1e7 + lat * 1e5)) % size  # as bench/nearby.py: a different outlet per point
    return f"/api/v1/outlets/{outlet_id}?coord=wgs84"


# --- child: one side, requests through the Flask test client ------------------------------------------------


def child(size: int, points_n: int, seed: int) -> None:
    database_url = common.sqlalchemy_url(size)
    os.environ["DATABASE_URL"] = database_url
    os.environ["RATELIMIT_ENABLED"] = "0"
    from app import create_app

    app = create_app({"RATELIMIT_ENABLED": False, "SQLALCHEMY_DATABASE_URI": database_url})
    client = app.test_client()
    points = dataset.query_points(points_n, seed)
    out = sys.stdout
    sys.stdout = sys.stderr  # the protocol owns stdout
    print(json.dumps({"ready": True}), file=out, flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        walls = []
        cpu0 = time.process_time()
        for i in range(command["start"], command["start"] + command["n"]):
            path = route_path(command["route"], points[i % len(points)], size)
            t0 = time.perf_counter_ns()
            response = client.get(path)
            walls.append(time.perf_counter_ns() - t0)
            if response.status_code not in (200, 404):
                raise RuntimeError(f"{path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        print(json.dumps({"cpu_s": time.process_time() - cpu0, "walls_ns": walls}), file=out, flush=True)


class Side:
    def __init__(self, name: str, snap: Path, info: dict, args):
        self.name, self.snap, self.info = name, snap, info
        env = {**os.environ, "BENCH_REPO": str(common.REPO), "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO")}
        cmd = [sys.executable, str(snap / "bench" / "nearby_ab.py"), "--child", "--size", str(args.size)]
        cmd += ["--points", str(args.points), "--seed", str(args.seed)]
        self.stderr = open(common.RESULTS / f"nearby-ab-{name}.log", "w")  # noqa: SIM115 (closed in close())
        self.proc = subprocess.Popen(
            cmd, cwd=snap, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, text=True
        )
        ready = self.proc.stdout.readline()
        if not ready:
            raise RuntimeError(f"{name} child failed: see bench/results/nearby-ab-{name}.log")

    def run(self, route: str, start: int, n: int) -> dict:
        self.proc.stdin.write(json.dumps({"route": route, "start": start, "n": n}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name} child died: see bench/results/nearby-ab-{self.name}.log")
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.stderr.close()


def raw_sql_runner(size: int, points):
    from bench.nearby import PAGE_SIZE, RADIUS, RAW_SQL

    conn = common.connect(size)
    sql = RAW_SQL.format(extra="")

    def run(start: int, n: int) -> dict:
        walls = []
        for i in range(start, start + n):
            lng, lat = points[i % len(points)]
            t0 = time.perf_counter_ns()
            conn.execute(sql, {"lng": lng, "lat": lat, "radius": RADIUS, "limit": PAGE_SIZE}, prepare=True).fetchall()
            walls.append(time.perf_counter_ns() - t0)
        return {"cpu_s": 0.0, "walls_ns": walls}

    return run, conn


def in_process(sides: dict[str, Side], args, points) -> dict:
    results = {}
    raw, conn = raw_sql_runner(args.size, points)
    for route in args.routes:
        runners = {name: (lambda s, n, side=side, route=route: side.run(route, s, n)) for name, side in sides.items()}
        if route == "nearby":
            runners["raw_sql"] = raw
        names = list(runners)
        for name in names:  # warm-up: caches, prepared statements, pools
            runners[name](0, args.warmup)
        walls = {n: [] for n in names}
        cpu = {n: 0.0 for n in names}
        batch_ratios = []
        start = args.warmup
        for b in range(args.rounds * args.requests // args.batch):
            order = names[b % len(names) :] + names[: b % len(names)]
            got = {}
            for name in order:
                got[name] = runners[name](start, args.batch)
                walls[name] += got[name]["walls_ns"]
                cpu[name] += got[name]["cpu_s"]
            batch_ratios.append(
                statistics.median(got["after"]["walls_ns"]) / statistics.median(got["before"]["walls_ns"])
            )
            start += args.batch
        r = {}
        for name in names:
            summary = common.summarize_ns(walls[name])
            summary["cpu_ms_per_request"] = round(cpu[name] * 1000 / len(walls[name]), 3)
            r[name] = summary
        if "raw_sql" in r:
            for name in sides:
                r[name]["p50_ratio_to_raw_sql"] = round(r[name]["p50_ms"] / r["raw_sql"]["p50_ms"], 2)
        r["after_over_before"] = {
            "p50": round(r["after"]["p50_ms"] / r["before"]["p50_ms"], 3),
            "cpu_per_request": round(r["after"]["cpu_ms_per_request"] / r["before"]["cpu_ms_per_request"], 3),
            "median_of_batch_p50_ratios": round(statistics.median(batch_ratios), 3),
        }
        results[route] = r
        print(f"  {route}: {json.dumps(r)}", file=sys.stderr, flush=True)
    conn.close()
    return results


def gunicorn_ab(snaps: dict[str, Path], args, points) -> dict:
    from bench.nearby import WRK_SCRIPT, check_server_data, cpu_accounting, nearby_path, run_wrk

    gunicorn = Path(sys.executable).with_name("gunicorn")
    script = common.RESULTS / f"nearby-ab-wrk-{args.size}.lua"
    script.write_text(WRK_SCRIPT % ",".join(json.dumps(nearby_path(*p)) for p in points), encoding="utf-8")
    servers, logs = {}, []
    try:
        for name, snap in snaps.items():
            port = common.free_port()
            env = {
                **os.environ,
                "DATABASE_URL": common.sqlalchemy_url(args.size),
                "RATELIMIT_ENABLED": "0",
                "FLASK_APP": "wsgi.py",
            }
            env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # each server its own (gunicorn.conf.py makes one)
            extra = (args.server_args_before if name == "before" else args.server_args_after).split()
            cmd = [str(gunicorn), "-w", str(args.workers), "-b", f"127.0.0.1:{port}", *extra, "wsgi:app"]
            log = open(common.RESULTS / f"nearby-ab-gunicorn-{name}.log", "w")  # noqa: SIM115
            logs.append(log)
            proc = subprocess.Popen(
                cmd, cwd=snap, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
            servers[name] = (proc, f"http://127.0.0.1:{port}", " ".join(["gunicorn", *cmd[1:]]))
        for _proc, base, _ in servers.values():
            common.wait_http(base + nearby_path(*points[0]), timeout_s=300)
            check_server_data(base + nearby_path(*points[0]), args.size, points[0])
            run_wrk(base, script, 2, args.connections, 3)  # warm every worker
        runs = {name: [] for name in servers}
        names = list(servers)
        for r in range(args.load_rounds):
            order = names if r % 2 == 0 else names[::-1]
            for name in order:
                proc, base, _ = servers[name]
                with cpu_accounting(proc.pid) as cpu:
                    run = run_wrk(base, script, 2, args.connections, args.duration)
                run["cpu_ms_per_request"] = cpu.per_request(run["requests"])
                run["loadavg"] = os.getloadavg()[0]
                runs[name].append(run)
                print(
                    f"  gunicorn {name} round {r + 1}: {run['req_per_s']:.0f} req/s, p50 {run['p50_ms']:.1f} ms, "
                    f"CPU/request {run['cpu_ms_per_request']}",
                    file=sys.stderr,
                    flush=True,
                )
        ratios = [a["req_per_s"] / b["req_per_s"] for a, b in zip(runs["after"], runs["before"], strict=True)]
        # The workers' CPU only: PostgreSQL backends that close during a run (a pool's overflow) take their
        # CPU time with them, so the backends' share can even come out negative.
        cpu_ratio = [
            a["cpu_ms_per_request"]["gunicorn"] / b["cpu_ms_per_request"]["gunicorn"]
            for a, b in zip(runs["after"], runs["before"], strict=True)
        ]
        return {
            "commands": {name: server[2] for name, server in servers.items()},
            "wrk": runs["before"][0]["command"],
            "runs": runs,
            "req_per_s_after_over_before": [round(x, 3) for x in ratios],
            "median_req_per_s_ratio": round(statistics.median(ratios), 3),
            "median_cpu_per_request_ratio": round(statistics.median(cpu_ratio), 3),
        }
    finally:
        for proc, _, _ in servers.values():
            common.stop_group(proc)
        for log in logs:
            log.close()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", help="git revision of the code before")
    parser.add_argument("--after", default="worktree", help="'worktree' (default) or a git revision")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--routes", default="nearby,repair,detail")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--requests", type=int, default=100, help="requests per round and route")
    parser.add_argument("--batch", type=int, default=10, help="requests in a row before the other side's turn")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--skip-in-process", action="store_true")
    parser.add_argument("--gunicorn", action="store_true", help="also req/s through gunicorn, alternating")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--load-rounds", type=int, default=4)
    parser.add_argument("--server-args-before", default="", help="more gunicorn options, e.g. '-k sync'")
    parser.add_argument("--server-args-after", default="")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--points", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.routes = [r for r in args.routes.split(",") if r]
    if not args.child and not args.before:
        parser.error("--before is required")
    if any(r not in ROUTES for r in args.routes):
        parser.error(f"routes: {', '.join(ROUTES)}")
    args.points = args.points or args.warmup + args.rounds * args.requests
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    common.load_services_env()
    if args.child:
        child(args.size, args.points, args.seed)
        return 0
    # The data bench/nearby.py loaded, whichever migrations were current then (brought to head here: both sides
    # read it; bench/nearby.py itself reloads when the migrations changed).
    if not dataset.loaded_count(args.size, args.seed):
        with common.connect(args.size) as conn:
            count = conn.execute("SELECT count(*) FROM outlets").fetchone()[0]
        if count != args.size:
            sys.exit(f"no bench data for {args.size}: run bench/nearby.py --sizes {args.size} first")
        common.ensure_schema(args.size)
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    points = dataset.query_points(args.points, args.seed)
    snaps = {}
    result = {"benchmark": "read path before/after", "facts": common.machine_facts(), "settings": vars(args)}
    try:
        for name, code in (("before", args.before), ("after", args.after)):
            snaps[name], info = common.make_snapshot(code)
            result[f"code_{name}"] = info
        if not args.skip_in_process:
            sides = {name: Side(name, snap, result[f"code_{name}"], args) for name, snap in snaps.items()}
            try:
                result["in_process"] = in_process(sides, args, points)
            finally:
                for side in sides.values():
                    side.close()
        if args.gunicorn:
            result["gunicorn"] = gunicorn_ab(snaps, args, points)
    finally:
        for snap in snaps.values():
            shutil.rmtree(snap, ignore_errors=True)
    result["facts"]["loadavg_end"] = os.getloadavg()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    path = common.save_json(f"nearby-ab-{stamp}.json", result)
    print(f"\nbefore {args.before} → after {args.after}, {args.size:,} outlets (ratios after/before; < 1 is faster)")
    for route, r in result.get("in_process", {}).items():
        line = (
            f"  {route:7} in-process CPU/request {r['before']['cpu_ms_per_request']:.2f} → "
            f"{r['after']['cpu_ms_per_request']:.2f} ms (×{r['after_over_before']['cpu_per_request']}), p50 "
            f"{r['before']['p50_ms']:.2f} → {r['after']['p50_ms']:.2f} ms (×{r['after_over_before']['p50']})"
        )
        if "raw_sql" in r:
            line += (
                f"; raw SQL p50 {r['raw_sql']['p50_ms']:.2f} ms: {r['before']['p50_ratio_to_raw_sql']}× → "
                f"{r['after']['p50_ratio_to_raw_sql']}×"
            )
        print(line)
    g = result.get("gunicorn")
    if g:
        for name in ("before", "after"):
            rps = ", ".join(f"{run['req_per_s']:.0f}" for run in g["runs"][name])
            print(f"  gunicorn {name}: {rps} req/s ({g['commands'][name]})")
        print(
            f"  gunicorn req/s after/before per pair {g['req_per_s_after_over_before']} → median ×"
            f"{g['median_req_per_s_ratio']}; the workers' CPU per request "
            f"×{g['median_cpu_per_request_ratio']}"
        )
    print(f"JSON: {path.relative_to(common.REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
