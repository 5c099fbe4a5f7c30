"""Synthetic outlets spread uniformly over a 17 × 17 km town, bulk-loaded with COPY.

At 1M outlets the density is ~3,460 per km², so about 11,000 outlets lie within 1 km of any point
inside the town: a stress density (real 15-minute circles have hundreds, not thousands).
Rows are deterministic for a given (size, seed); every NOT NULL column the app reads is filled the
way the app's own write path fills it (name_initials from service.name_initials, open_minutes from
hours.week_multirange), so the serialisation path does real work (hours_text, photos, rating).
"""

from __future__ import annotations

import csv
import json
import time
from functools import cache

import numpy as np

from bench.common import ROOT, connect, schema_for

CENTER = (116.8431, 40.3765)  # 密云 (the tests' town), WGS-84
HALF_DEG_LNG = 0.100091  # 8.5 km east/west at this latitude (pyproj Geod.fwd)
HALF_DEG_LAT = 0.076547  # 8.5 km north/south
DATASET_VERSION = 1  # bump when the generator changes: the data is reloaded

PREFIXES = [
    "好邻居",
    "物美",
    "永辉",
    "便民",
    "幸福",
    "阳光",
    "家家乐",
    "老王",
    "小李",
    "邻里",
    "惠民",
    "社区",
    "金太阳",
    "福满多",
    "万家",
    "益民",
    "兴隆",
    "长城",
    "鼓楼",
    "云水",
    "檀州",
    "清河",
    "果园",
    "新农",
]
ROADS = [
    "鼓楼大街",
    "新东路",
    "宾阳路",
    "滨河路",
    "长安街",
    "沿湖路",
    "檀州路",
    "果园西路",
    "新中街",
    "西大桥路",
    "冶山路",
    "季庄路",
    "阳光街",
    "花园路",
    "建设路",
    "人民路",
    "光明街",
    "学府路",
    "兴盛南路",
    "康宁路",
]
BRANDS = ["物美", "永辉", "好邻居", "便利蜂", "7-Eleven", "罗森", "京东便利店", "美宜佳", "全家", "多点"]
# (weight, import-syntax hours) — parsed by app.outlets.hours like an import would.
HOURS_TEMPLATES = [
    (10, "24h"),
    (40, "07:00-21:00"),
    (20, "08:30-22:00"),
    (15, "mon-fri 09:00-18:00; sat,sun 10:00-17:00"),
    (10, "07:00-11:00,17:00-02:00"),
    (5, ""),  # hours not registered
]
COLUMNS = (
    "name",
    "name_initials",
    "types",
    "location",
    "address",
    "phone",
    "hours",
    "open_24h",
    "closed_on_holidays",
    "open_minutes",
    "photos",
    "avg_spend",
    "chain",
    "brand",
    "online",
    "online_platforms",
    "quality_brand",
    "delivery",
    "accepts_cash",
    "elderly_friendly",
    "qr_payment",
    "services",
    "description",
    "status",
    "rating_avg",
    "rating_count",
    "synthetic",
)
NULL = r"\N"


def marker(size: int, seed: int) -> str:
    from bench.common import migrations_digest

    return f"bench nearby dataset v{DATASET_VERSION} size={size} seed={seed} migrations={migrations_digest()}"


def business_types() -> list[tuple[str, str]]:
    """(code, short Chinese name) from the taxonomy CSV (the registry validates the same codes)."""
    with open(ROOT / "app" / "taxonomy" / "data" / "business_types.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    for row in rows:
        short = row["name_zh"]
        for sep in ("/", "(", "、"):
            short = short.split(sep)[0]
        out.append((row["code"], short))
    return out


def _hours_templates():
    from app.outlets.hours import parse_hours_text, week_ranges

    templates = []
    for weight, text in HOURS_TEMPLATES:
        hours, open_24h = parse_hours_text(text)
        ranges = week_ranges(hours, open_24h)
        multirange = "{" + ",".join(f"[{a},{b})" for a, b in ranges) + "}"
        templates.append(
            (weight, json.dumps(hours, ensure_ascii=False, separators=(",", ":")), "t" if open_24h else "f", multirange)
        )
    return templates


@cache
def _initials(name: str) -> str:
    from app.outlets.service import name_initials

    return name_initials(name)


def _array(values) -> str:
    return "{" + ",".join(values) + "}"


def generate_lines(size: int, seed: int, chunk: int = 50_000):
    """COPY text-format lines, in chunks; row i (1-based) becomes outlet id i after TRUNCATE … RESTART IDENTITY."""
    rng = np.random.default_rng(seed)
    types = business_types()
    hours = _hours_templates()
    hour_weights = np.array([t[0] for t in hours], dtype=float)
    hour_weights /= hour_weights.sum()
    lng = CENTER[0] + rng.uniform(-HALF_DEG_LNG, HALF_DEG_LNG, size)
    lat = CENTER[1] + rng.uniform(-HALF_DEG_LAT, HALF_DEG_LAT, size)
    t1 = rng.integers(0, len(types), size)
    t2 = rng.integers(0, len(types), size)
    two_types = rng.random(size) < 0.3
    prefix = rng.integers(0, len(PREFIXES), size)
    road = rng.integers(0, len(ROADS), size)
    number = rng.integers(1, 400, size)
    hours_idx = rng.choice(len(hours), size, p=hour_weights)
    holidays = rng.random(size) < 0.05
    photo = rng.random(size) < 0.3
    avg_spend = rng.uniform(5, 200, size)
    has_spend = rng.random(size) < 0.5
    chain = rng.random(size) < 0.2
    brand = rng.integers(0, len(BRANDS), size)
    online = rng.random(size) < 0.3
    delivery = rng.random(size) < 0.25
    elderly = rng.random(size) < 0.2
    rated = rng.random(size) < 0.6
    rating = rng.uniform(3.0, 5.0, size)
    rating_count = rng.integers(1, 500, size)
    phone = rng.integers(60_000_000, 70_000_000, size)

    lines = []
    for i in range(size):
        code, short = types[t1[i]]
        codes = [code]
        if two_types[i] and t2[i] != t1[i]:
            codes.append(types[t2[i]][0])
        name = f"{PREFIXES[prefix[i]]}{short}（{ROADS[road[i]]}店）"
        _, hours_json, open_24h, multirange = hours[hours_idx[i]]
        row = (
            name,
            _initials(name),
            _array(codes),
            f"SRID=4326;POINT({lng[i]:.7f} {lat[i]:.7f})",
            f"北京市密云区{ROADS[road[i]]}{number[i]}号",
            f"010-{phone[i]}",
            hours_json,
            open_24h,
            "t" if holidays[i] else "f",
            multirange,
            f'["https://img.example.cn/outlets/{i + 1}.jpg"]' if photo[i] else "[]",
            f"{avg_spend[i]:.2f}" if has_spend[i] else NULL,
            "t" if chain[i] else "f",
            BRANDS[brand[i]] if chain[i] else NULL,
            "t" if online[i] else "f",
            "{meituan}" if online[i] else "{}",
            NULL,
            "t" if delivery[i] else "f",
            "t",
            "t" if elderly[i] else "f",
            "t",
            "{}",
            NULL,
            "approved",
            f"{rating[i]:.2f}" if rated[i] else NULL,
            str(int(rating_count[i])) if rated[i] else "0",
            "t",
        )
        lines.append("\t".join(row))
        if len(lines) >= chunk:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def loaded_count(size: int, seed: int) -> int | None:
    """Rows in the size's outlets table when it holds exactly this dataset, else None."""
    schema = schema_for(size)
    with connect(size) as conn:
        comment = conn.execute(
            "SELECT obj_description(to_regclass(%s), 'pg_class')", (f"{schema}.outlets",)
        ).fetchone()[0]
        if comment != marker(size, seed):
            return None
        count = conn.execute("SELECT count(*) FROM outlets").fetchone()[0]
    return count if count == size else None


def load(size: int, seed: int, log=print) -> dict:
    """TRUNCATE + COPY (FREEZE) with secondary indexes dropped and rebuilt afterwards, then VACUUM ANALYZE."""
    schema = schema_for(size)
    timings = {}
    started = time.perf_counter()
    with connect(size, autocommit=False) as conn:
        areas = conn.execute("SELECT (SELECT count(*) FROM circles) + (SELECT count(*) FROM communities)").fetchone()[0]
        conn.execute("TRUNCATE outlets RESTART IDENTITY CASCADE")
        # Secondary indexes (not those backing constraints) are rebuilt after the load: much faster.
        indexes = conn.execute(
            """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
               JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
               JOIN pg_namespace n ON n.oid = t.relnamespace
               WHERE n.nspname = %s AND t.relname = 'outlets'
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""",
            (schema,),
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{schema}"."{name}"')
        # The area trigger only looks circles/communities up; with none in the bench schema it would set
        # NULLs anyway, so it is disabled for the load (kept when areas exist, so ids stay true).
        disable_trigger = areas == 0
        if disable_trigger:
            conn.execute("ALTER TABLE outlets DISABLE TRIGGER outlets_assign_area")
        t0 = time.perf_counter()
        with conn.cursor().copy(f"COPY outlets ({', '.join(COLUMNS)}) FROM STDIN WITH (FREEZE)") as copy:
            for block in generate_lines(size, seed):
                copy.write(block)
        timings["copy_s"] = round(time.perf_counter() - t0, 1)
        if disable_trigger:
            conn.execute("ALTER TABLE outlets ENABLE TRIGGER outlets_assign_area")
        conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
        t0 = time.perf_counter()
        for name, ddl in indexes:
            t1 = time.perf_counter()
            conn.execute(ddl)
            timings[f"index_{name}_s"] = round(time.perf_counter() - t1, 1)
        timings["indexes_s"] = round(time.perf_counter() - t0, 1)
        conn.execute(f"COMMENT ON TABLE outlets IS '{marker(size, seed)}'")
        conn.commit()
    with connect(size) as conn:
        t0 = time.perf_counter()
        conn.execute("VACUUM (ANALYZE) outlets")
        timings["vacuum_analyze_s"] = round(time.perf_counter() - t0, 1)
        sample = conn.execute("SELECT name, name_initials FROM outlets ORDER BY id LIMIT 50").fetchall()
    from app.outlets.service import name_initials

    bad = [(n, i) for n, i in sample if name_initials(n) != i]
    if bad:
        raise RuntimeError(f"name_initials mismatch: {bad[:3]}")
    timings["total_s"] = round(time.perf_counter() - started, 1)
    return timings


def query_points(n: int, seed: int) -> list[tuple[float, float]]:
    """Query points uniform inside the town (WGS-84), fixed seed."""
    rng = np.random.default_rng(seed + 1)
    lng = CENTER[0] + rng.uniform(-HALF_DEG_LNG, HALF_DEG_LNG, n)
    lat = CENTER[1] + rng.uniform(-HALF_DEG_LAT, HALF_DEG_LAT, n)
    return [(round(float(a), 7), round(float(b), 7)) for a, b in zip(lng, lat, strict=True)]
