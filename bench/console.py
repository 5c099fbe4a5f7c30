#!/usr/bin/env python
"""The console's budgets: first-load JavaScript (compressed) and the needs board with 10,000 needs in a circle.

    .venv/bin/python bench/console.py [--needs 10000] [--requests 60] [--reload]

1. First load: the JavaScript a browser fetches to show the console's first page (the entry chunk and its static
   imports, plus the sign-in page or the overview with the layout: the route chunks Vite splits off), gzip -9 each,
   from console/dist/.vite/manifest.json (run `make console` first). Budget: ≤ 1 MB.
2. Needs board: schema `console_needs` of database circle_bench (migrated with `flask db upgrade`), one circle with
   N needs spread over statuses, types, communities, support counts and a year of dates (COPY-free INSERT …
   generate_series). Timed through the Flask test client as a staff member of that circle, the board's calls
   (page 1 and a deep page, each sort, the filters the page offers), timeline off as the page asks.
   Budget: p50 < 300 ms per call.
Results: stdout and bench/results/console-*.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402

db = common.app_db  # the measured app's (bench/common.py)

SCHEMA = "console_needs"
MARK = "console-needs-v1"
JS_BUDGET = 1_000_000
BOARD_BUDGET_MS = 300


def first_load() -> dict:
    dist = ROOT / "console" / "dist"
    manifest_path = dist / ".vite" / "manifest.json"
    if not manifest_path.exists():
        sys.exit("console/dist/.vite/manifest.json missing: run `make console` first")
    manifest = json.loads(manifest_path.read_text())

    def closure(key: str, seen: set[str]) -> set[str]:
        chunk = manifest[key]
        if chunk["file"] not in seen:
            seen.add(chunk["file"])
            for imported in chunk.get("imports", []):
                closure(imported, seen)
        return seen

    entry = next(k for k, c in manifest.items() if c.get("isEntry"))
    pages = {
        "sign-in page": ["src/views/LoginView.vue"],
        "overview (after sign-in)": ["src/layouts/MainLayout.vue", "src/views/OverviewView.vue"],
        "needs board": ["src/layouts/MainLayout.vue", "src/views/NeedsView.vue"],
    }
    out = {}
    for name, routes in pages.items():
        files: set[str] = closure(entry, set())
        for route in routes:
            closure(route, files)
        js = sorted(f for f in files if f.endswith(".js"))
        sizes = {f: len(gzip.compress((dist / f).read_bytes(), 9)) for f in js}
        total = sum(sizes.values())
        out[name] = {"gzip_bytes": total, "files": sizes, "within_budget": total <= JS_BUDGET}
    return out


def _app_url() -> str:
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["DATABASE_URL"]).set(database=common.BENCH_DB)
    return url.update_query_dict({"options": f"-c search_path={SCHEMA},public"}).render_as_string(hide_password=False)


def prepare(needs: int, reload: bool) -> None:
    common.ensure_bench_database()
    with common.connect() as conn:
        marker = conn.execute(
            "SELECT obj_description(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = 'demands'",
            (SCHEMA,),
        ).fetchone()
        wanted = f"{MARK}:{needs}:{common.migrations_digest()}"
        if marker and marker[0] == wanted and not reload:
            return
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {SCHEMA}")
    env = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": _app_url(), "RATELIMIT_ENABLED": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"flask db upgrade failed:\n{done.stderr}")
    started = time.perf_counter()
    with common.connect() as conn:
        conn.execute(f"SET search_path = {SCHEMA}, public")
        city = conn.execute(
            "INSERT INTO cities (name, code, tier, scoring_profile, created_at, updated_at) "
            "VALUES ('基准市', 'bench-city', 'other', 'mofcom-2023', now(), now()) RETURNING id"
        ).fetchone()[0]
        square = "ST_Multi(ST_MakeEnvelope(116.83, 40.37, 116.86, 40.39, 4326))"
        circle = conn.execute(
            f"INSERT INTO circles (city_id, name, boundary, profile, synthetic, created_at, updated_at) "
            f"VALUES (%s, '基准生活圈', {square}, '{{}}', true, now(), now()) RETURNING id",
            (city,),
        ).fetchone()[0]
        communities = [
            conn.execute(
                "INSERT INTO communities (circle_id, name, boundary, synthetic, created_at, updated_at) VALUES "
                f"(%s, %s, ST_Multi(ST_MakeEnvelope({116.83 + i * 0.0075}, 40.37, {116.8375 + i * 0.0075}, 40.39, "
                "4326)), true, now(), now()) RETURNING id",
                (circle, f"社区{i + 1}"),
            ).fetchone()[0]
            for i in range(4)
        ]
        conn.execute(
            """
            INSERT INTO demands (kind, business_type, text, address, location, circle_id, community_id, status,
                                 priority, moderation, source, support_count, photo_ids, created_at, updated_at)
            SELECT 'missing_type',
                   (ARRAY['breakfast','pharmacy','wet_market','barber','laundry','repair'])[1 + g %% 6],
                   '小区附近缺少便民网点，希望增加 ' || g,
                   '基准路 ' || g || ' 号',
                   ST_SetSRID(ST_MakePoint(116.83 + random() * 0.03, 40.37 + random() * 0.02), 4326)::geography,
                   %(circle)s,
                   (%(communities)s::int[])[1 + g %% 4],
                   (ARRAY['submitted','accepted','in_progress','done','rejected','submitted','accepted'])[1 + g %% 7],
                   (ARRAY['urgent','high','normal','normal','low'])[1 + g %% 5],
                   'visible', 'app', (g * 7919) %% 60, '{}',
                   now() - (g %% 365) * interval '1 day' - (g %% 1440) * interval '1 minute', now()
            FROM generate_series(1, %(n)s) AS g
            """,
            {"circle": circle, "communities": communities, "n": needs},
        )
        conn.execute("ANALYZE demands")
        conn.execute(f"COMMENT ON TABLE demands IS '{wanted}'")
    print(f"loaded {needs} needs in {time.perf_counter() - started:.1f} s")


def board(requests: int) -> dict:
    os.environ["DATABASE_URL"] = _app_url()
    os.environ["RATELIMIT_ENABLED"] = "0"
    from flask_jwt_extended import create_access_token
    from sqlalchemy import select

    from app import create_app
    from app.auth.models import User
    from app.circles.models import Circle
    from app.common.tx import atomic

    app = create_app()
    with app.app_context():
        circle = db.session.scalar(select(Circle))
        staff = db.session.scalar(select(User).where(User.username == "bench_staff"))
        if staff is None:
            staff = User(username="bench_staff", roles=["staff"])
            staff.circles = [circle]
            with atomic():  # the one place that commits (app/common/tx.py)
                db.session.add(staff)
        headers = {"Authorization": f"Bearer {create_access_token(identity=str(staff.id))}"}
        community = circle.communities[0].id if circle.communities else None
        circle_id = circle.id
    open_statuses = "submitted,accepted,in_progress,reopened"
    base = f"/api/v1/staff/demands?circle_id={circle_id}&timeline=false&page_size=20"
    calls = {
        "open, by priority (the default view)": f"{base}&status={open_statuses}",
        "open, by support": f"{base}&status={open_statuses}&sort=supports",
        "all, newest": f"{base}&sort=newest",
        "all, oldest, page 200": f"{base}&sort=oldest&page=200",
        "community + type + dates": f"{base}&community_id={community}&business_type=breakfast"
        "&since=2026-01-01&until=2026-12-31",
        "support ≥ 30": f"{base}&min_support=30&sort=supports",
        "keyword": f"{base}&q=希望增加 77",
        "50 a page": f"{base}&status={open_statuses}&page_size=50".replace("&page_size=20", ""),
    }
    client = app.test_client()
    results = {}
    for name, url in calls.items():
        for _ in range(5):  # warm-up
            assert client.get(url, headers=headers).status_code == 200
        samples = []
        for _ in range(requests):
            started = time.perf_counter_ns()
            response = client.get(url, headers=headers)
            samples.append(time.perf_counter_ns() - started)
            assert response.status_code == 200, response.get_json()
        summary = common.summarize_ns(samples)
        summary["total"] = response.get_json()["total"]
        summary["within_budget"] = summary["p50_ms"] < BOARD_BUDGET_MS
        results[name] = summary
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--needs", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    common.load_services_env()

    js = first_load()
    print("first load, JavaScript gzip -9 (budget 1 MB):")
    for name, figures in js.items():
        flag = "ok" if figures["within_budget"] else "OVER BUDGET"
        print(f"  {name:28} {figures['gzip_bytes'] / 1024:8.1f} KiB  {flag}")

    prepare(args.needs, args.reload)
    results = board(args.requests)
    print(f"needs board, {args.needs} needs in one circle, Flask test client (budget p50 < {BOARD_BUDGET_MS} ms):")
    for name, s in results.items():
        flag = "ok" if s["within_budget"] else "OVER BUDGET"
        print(
            f"  {name:40} p50 {s['p50_ms']:7.1f}  p90 {s['p90_ms']:7.1f}  max {s['max_ms']:7.1f} ms  "
            f"({s['total']} rows)  {flag}"
        )
    path = common.save_json(
        f"console-{time.strftime('%Y%m%d-%H%M%S')}.json",
        {"machine": common.machine_facts(), "first_load": js, "needs_board": results},
    )
    print(f"saved {path}")


if __name__ == "__main__":
    main()
