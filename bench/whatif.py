"""What-ifs: changes to the nearby search applied by the benchmark only (never shipped code).

Each rewrites the SQL that app/outlets/search.py hands to sqlalchemy.text (patched at run time) and/or
replaces its statement runner; a what-if that changes nothing in the code being measured is skipped.

  cte_fix            `WITH p AS (…)` → `WITH p AS NOT MATERIALIZED (…)` (code before e4d77c0), so the
                     KNN step can use the GiST ordering
  cte_fix_jit_off    the same, plus `jit=off` for the app's database sessions (libpq options)
  cte_fix_box        the same, and the KNN step bounded by the index box `o.location && _ST_Expand(p, r)`
                     instead of the exact ST_DWithin (same rows, see README): PostGIS estimates ST_DWithin
                     on geography ~100x too low, the box's estimate is right
  box_no_set_local   for the code since e4d77c0 (point inline, SET LOCAL enable_bitmapscan/jit around the
                     query): the box bound instead of the two SET LOCAL round trips
"""

from __future__ import annotations

import re

_POINT = r"(?:p\.g|CAST\(ST_SetSRID\(ST_MakePoint\((?::lng|%\(lng\)s), (?::lat|%\(lat\)s)\), 4326\) AS geography\))"
_KNN_DWITHIN = re.compile(rf"ST_DWithin\(o\.location, ({_POINT}), (:r_search|%\(r_search\)s), false\)")


def _not_materialized(sql: str) -> str:
    return sql.replace("WITH p AS (", "WITH p AS NOT MATERIALIZED (", 1)


def _box(sql: str) -> str:
    # Only the KNN step uses r_search; the final step's ST_DWithin (cutoff.d) stays exact.
    return _KNN_DWITHIN.sub(r"o.location && _ST_Expand(\1, \2)", sql)


REWRITES = {
    "p_not_materialized": _not_materialized,
    "p_not_materialized_box": lambda sql: _box(_not_materialized(sql)),
}

WHAT_IFS = {
    "cte_fix": {"rewrite": "p_not_materialized", "settings": {}, "variants": False, "requires": "WITH p AS ("},
    "cte_fix_jit_off": {
        "rewrite": "p_not_materialized",
        "settings": {"jit": "off"},
        "variants": False,
        "requires": "WITH p AS (",
    },
    "cte_fix_box": {
        "rewrite": "p_not_materialized_box",
        "settings": {},
        "variants": True,
        "gunicorn": True,
        "requires": "WITH p AS (",
    },
    "box_no_set_local": {
        "rewrite": "p_not_materialized_box",
        "settings": {},
        "plain_runner": True,
        "variants": True,
        "gunicorn": True,
    },
}


def applies(name: str, captured_sql: str, search_module) -> bool:
    """Whether the what-if changes anything for the code being measured."""
    spec = WHAT_IFS[name]
    if spec.get("plain_runner") and not hasattr(search_module, "_rows"):
        return False
    if spec.get("requires") and spec["requires"] not in captured_sql:
        return False
    return REWRITES[spec["rewrite"]](captured_sql) != captured_sql


def apply(name: str | None) -> dict:
    """Patches the search module for the named what-if; returns its session settings."""
    if not name:
        return {}
    spec = WHAT_IFS[name]
    rewrite = REWRITES[spec["rewrite"]]
    import sqlalchemy

    from app.outlets import search

    search.text = lambda sql: sqlalchemy.text(rewrite(sql))
    if spec.get("plain_runner") and hasattr(search, "_rows"):

        def _rows(sql: str, params: dict) -> list[dict]:  # the statement alone, no SET LOCAL around it
            return [dict(row) for row in search.db.session.execute(search.text(sql), params).mappings()]

        search._rows = _rows
    return dict(spec["settings"])
