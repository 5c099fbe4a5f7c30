"""EXPLAIN ANALYZE of what nearby search sends for each keyword, filter and sort (the plans behind bench/README.md,
"Search variants"), on a bench dataset already loaded by bench/nearby.py (or bench/dataset.py).

    .venv/bin/python bench/search_plans.py 1000000 [--nodes]

Prints, per variant, the median and max execution time over 12 query points, and with --nodes the scan nodes.
"""

import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

db = common.app_db  # the measured app's (bench/common.py)

VARIANTS = {
    "plain": {},
    "types": {"types": ("breakfast",)},
    "q name": {"q": "好邻居"},
    "q service item": {"q": "配钥匙"},
    "q synonym": {"q": "早点"},
    "q type word": {"q": "超市"},
    "q relevance": {"q": "早点", "sort": "relevance"},
    "q rating": {"q": "早点", "sort": "rating"},
    "rating": {"sort": "rating"},
    "elderly_friendly": {"elderly_friendly": True},
}


def main():
    size = int(sys.argv[1])
    os.environ.update(DATABASE_URL=common.sqlalchemy_url(size), RATELIMIT_ENABLED="0")
    from sqlalchemy import event

    from app import create_app
    from app.outlets.search import NearbyQuery, search_nearby

    app = create_app()
    conn = common.connect(size, settings={"jit": "off"})
    points = [(116.8431 + i * 0.003, 40.3765 + i * 0.002) for i in range(12)]
    with app.app_context():
        for name, variant in VARIANTS.items():
            statements = []

            def capture(_conn, _cursor, statement, parameters, _context, _many, into=statements):
                into.append((statement, dict(parameters or {})))

            event.listen(db.engine, "before_cursor_execute", capture)
            search_nearby(NearbyQuery(lng=points[0][0], lat=points[0][1], radius=1000, **variant))
            event.remove(db.engine, "before_cursor_execute", capture)
            sql, params = next((s, p) for s, p in reversed(statements) if "outlets" in s)
            times, plan = [], []
            for lng, lat in points:
                plan = [r[0] for r in conn.execute("EXPLAIN ANALYZE " + sql, {**params, "lng": lng, "lat": lat})]
                times.append(float(plan[-1].split()[-2]))
            print(f"{name:18} median {sorted(times)[len(times) // 2]:8.2f} ms   max {max(times):8.2f} ms")
            if "--nodes" in sys.argv:
                for line in plan:
                    if re.search(r"Index|Bitmap|Seq Scan", line):
                        print("    " + line.strip()[:150])


if __name__ == "__main__":
    main()
