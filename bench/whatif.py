"""What-ifs: the changes bench/README.md suggests, applied by the benchmark only (never shipped code).

  cte_fix          app/outlets/search.py's `WITH p AS (…)` becomes `WITH p AS NOT MATERIALIZED (…)`
                   (patched into search.text at run time), so the KNN step can use the GiST ordering
  cte_fix_jit_off  the same, plus `jit=off` for the app's database sessions (libpq options)
  cte_fix_box      the suggested change: NOT MATERIALIZED, and the KNN step bounded by the index box
                   `o.location && _ST_Expand(p.g, :r_search)` instead of the exact ST_DWithin (same rows,
                   see README), whose row estimate PostGIS gets ~100x too low

When search.py already carries a change, its rewrite is a no-op and the what-if measures the real code.
"""

from __future__ import annotations

import re

_KNN_DWITHIN = re.compile(r"ST_DWithin\(o\.location, p\.g, (:r_search|%\(r_search\)s), false\)")


def _not_materialized(sql: str) -> str:
    return sql.replace("WITH p AS (", "WITH p AS NOT MATERIALIZED (", 1)


def _box(sql: str) -> str:
    # Only the KNN step uses r_search; the final step's ST_DWithin (cutoff.d) stays exact.
    return _KNN_DWITHIN.sub(r"o.location && _ST_Expand(p.g, \1)", sql)


REWRITES = {
    "p_not_materialized": _not_materialized,
    "p_not_materialized_box": lambda sql: _box(_not_materialized(sql)),
}

WHAT_IFS = {
    "cte_fix": {"rewrite": "p_not_materialized", "settings": {}, "variants": False},
    "cte_fix_jit_off": {"rewrite": "p_not_materialized", "settings": {"jit": "off"}, "variants": False},
    "cte_fix_box": {"rewrite": "p_not_materialized_box", "settings": {}, "variants": True, "gunicorn": True},
}


def apply(name: str | None) -> dict:
    """Patches the search module for the named what-if; returns its session settings."""
    if not name:
        return {}
    spec = WHAT_IFS[name]
    rewrite = REWRITES[spec["rewrite"]]
    import sqlalchemy

    from app.outlets import search

    search.text = lambda sql: sqlalchemy.text(rewrite(sql))
    return dict(spec["settings"])
