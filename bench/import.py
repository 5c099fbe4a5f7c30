"""Bulk loads through the user-facing CLI: `flask outlets import` of an AMap-style POI export, and
`flask circles import` of a province's circles. Wall time, rows/s and the command's peak RSS.

    .venv/bin/python bench/import.py                       # 1,000,000 outlets, 3,000 circles
    .venv/bin/python bench/import.py --rows 100000 --circles 0
    .venv/bin/python bench/import.py --rebuild-indexes     # the first load with --rebuild-indexes

Database `circle_bench_import` on the private server (DATABASE_URL's), recreated and migrated per run; the
circles file is imported first (so the outlets have 3,000 circles to fall into), then the outlets file into
the empty outlets table, then the same outlets file again (every row matched, nothing changed). Files are
generated under bench/results/ (kept between runs: same rows, same seed).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS, ROOT, libpq_url, load_services_env  # noqa: E402

DB = "circle_bench_import"
# AMap typecodes the mapping table knows, with their type strings, weighted like a town's shops; 5 % are
# categories we do not count (a bank's office building, a car wash), reported per row.
CATEGORIES = [
    (30, "060200", "购物服务;便民商店/便利店;便利店"),
    (12, "060400", "购物服务;超级市场;超市"),
    (10, "050100", "餐饮服务;中餐厅;中餐厅"),
    (8, "050300", "餐饮服务;快餐厅;快餐厅"),
    (8, "071100", "生活服务;美容美发店;美容美发店"),
    (6, "090601", "医疗保健服务;医药保健销售店;药房"),
    (6, "060705", "购物服务;综合市场;蔬菜市场"),
    (5, "071200", "生活服务;维修站点;维修站点"),
    (5, "071500", "生活服务;洗衣店;洗衣店"),
    (5, "050800", "餐饮服务;糕饼店;糕饼店"),
    (5, "010500", "汽车服务;洗车场;洗车场"),
]
PREFIXES = ["好邻居", "物美", "永辉", "便民", "幸福", "阳光", "家家乐", "老王", "小李", "邻里", "惠民", "社区"]
ROADS = ["鼓楼大街", "新东路", "宾阳路", "滨河路", "长安街", "沿湖路", "檀州路", "果园西路", "新中街", "人民路"]
# A province-sized area (≈ 300 × 300 km) in GCJ-02, where the circles lie too.
WEST, SOUTH, SPAN = 115.5, 39.0, 3.0


def generate_outlets(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    weights = [w for w, *_ in CATEGORIES]
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "name", "type", "typecode", "address", "location", "tel", "pname", "cityname", "adname"])
        for i in range(rows):
            _, code, kind = rng.choices(CATEGORIES, weights)[0]
            lng, lat = WEST + rng.random() * SPAN, SOUTH + rng.random() * SPAN
            road = rng.choice(ROADS)
            out.writerow(
                [
                    f"B0{i:08X}",
                    f"{rng.choice(PREFIXES)}{kind.rsplit(';', 1)[1]}({road}{i % 997}号店)",
                    kind,
                    code,
                    f"{road}{rng.randint(1, 300)}号",
                    f"{lng:.6f},{lat:.6f}",
                    f"010-{rng.randint(60000000, 69999999)}" if rng.random() < 0.6 else "",
                    "北京市",
                    "北京市",
                    "密云区",
                ]
            )


def generate_circles(path: Path, count: int) -> None:
    """`count` square circles of ~1 km² on a grid over the same area, 25 cities of the province."""
    side = math.ceil(math.sqrt(count))
    step = SPAN / side
    half = 0.006
    features = []
    for i in range(count):
        x, y = WEST + (i % side + 0.5) * step, SOUTH + (i // side + 0.5) * step
        ring = [
            [x - half, y - half],
            [x + half, y - half],
            [x + half, y + half],
            [x - half, y + half],
            [x - half, y - half],
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {"name": f"生活圈{i:04d}", "external_id": f"C{i:04d}", "city": f"城市{i % 25:02d}"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))


def recreate_database(env: dict) -> None:
    import psycopg

    with psycopg.connect(libpq_url("postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    subprocess.run([str(ROOT / ".venv/bin/flask"), "db", "upgrade"], env=env, check=True, capture_output=True)


def timed(command: list[str], env: dict) -> dict:
    """Runs one CLI command; wall seconds and its peak RSS (this process's children, so one at a time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:]
    return {
        "command": " ".join(Path(c).name if c.startswith("/") else c for c in command),
        "exit": done.returncode,
        "wall_s": round(wall, 1),
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
        "peak_rss_mb": round(after.ru_maxrss / 1024),
        "summary": summary,
        "errors_reported": done.stderr.count("error: "),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--circles", type=int, default=3000)
    parser.add_argument("--skip-reimport", action="store_true")
    parser.add_argument(
        "--rebuild-indexes", action="store_true", help="the first load with --rebuild-indexes (the table is empty)"
    )
    parser.add_argument(
        "--reuse-circles", action="store_true", help="keep the database's circles, empty its outlets (no circles run)"
    )
    args = parser.parse_args()
    load_services_env()
    from sqlalchemy.engine import make_url

    env = dict(os.environ, FLASK_APP="wsgi.py", LOG_LEVEL="WARNING")
    env["DATABASE_URL"] = make_url(os.environ["DATABASE_URL"]).set(database=DB).render_as_string(hide_password=False)
    RESULTS.mkdir(parents=True, exist_ok=True)
    outlets_file = RESULTS / f"import-amap-{args.rows}.csv"
    if not outlets_file.exists():
        generate_outlets(outlets_file, args.rows)
    circles_file = RESULTS / f"import-circles-{args.circles}.geojson"
    if args.circles and not circles_file.exists():
        generate_circles(circles_file, args.circles)
    if args.reuse_circles:
        import psycopg

        with psycopg.connect(libpq_url(DB), autocommit=True) as conn:
            conn.execute("TRUNCATE outlets, outlet_versions CASCADE")
    else:
        recreate_database(env)
    flask = str(ROOT / ".venv/bin/flask")
    runs = {"load_before": os.getloadavg(), "cores": os.cpu_count()}
    if args.circles and not args.reuse_circles:
        runs["circles"] = timed([flask, "circles", "import", str(circles_file), "--coord", "gcj02"], env)
        print(json.dumps(runs["circles"], ensure_ascii=False))
    first_load = [
        flask,
        "outlets",
        "import",
        str(outlets_file),
        *(["--rebuild-indexes"] if args.rebuild_indexes else []),
    ]
    runs["outlets"] = timed(first_load, env)
    runs["outlets"]["rows_per_s"] = round(args.rows / runs["outlets"]["wall_s"])
    print(json.dumps(runs["outlets"], ensure_ascii=False))
    if not args.skip_reimport:
        runs["reimport"] = timed([flask, "outlets", "import", str(outlets_file)], env)
        runs["reimport"]["rows_per_s"] = round(args.rows / runs["reimport"]["wall_s"])
        print(json.dumps(runs["reimport"], ensure_ascii=False))
    runs["load_after"] = os.getloadavg()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"import-{stamp}.json").write_text(json.dumps(runs, ensure_ascii=False, indent=2))
    print(f"load average before {runs['load_before']}, after {runs['load_after']}")


if __name__ == "__main__":
    main()
