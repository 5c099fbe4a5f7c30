"""The census import's database half: the file's rows are copied into a staging table, then validated, matched
and loaded with a handful of set-based statements, all in the caller's transaction (nothing half-written).

    stream ──stage_row──▶ COPY stg (chunks; coordinates → WGS-84 per chunk, vectorised)
    stg ──SQL──▶ bad rows (required name, text lengths, known types, coordinates in range, duplicate ids)
    stg ⋈ circles, communities ──one spatial join each──▶ membership
    stg ⋈ outlets (external_id) ──▶ UPDATE changed outlets │ INSERT new ones (+ their first versions)

Membership and the first version of a new outlet are what the row triggers `outlets_assign_area` and
`outlets_keep_history` do one row at a time; inside the load `app.outlets_bulk` is on, which those triggers skip
(migration 0019), and the statements here do the same work for the whole file. Updates still go through
`outlets_keep_history` (a change closes the current version and opens one, dated by `app.outlets_as_of`).
The circles whose outlets changed are marked stale for the evaluation cache in the same transaction.
"""

import json
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import text

from app.common import bulk_indexes, geo
from app.common.covering import lowest_covering
from app.common.extensions import db
from app.common.tx import write_use_case
from app.outlets import signals
from app.outlets.hours import MINUTES_PER_WEEK, week_multirange
from app.outlets.rows import FLAGS, STAGE_COLUMNS, TEXT_LIMITS, RowError, row_reason, stage_row
from app.taxonomy.registry import taxonomy

CHUNK_ROWS = 20_000  # rows prepared, converted and copied at a time: bounds the importer's memory
# A first load of at least this many rows into an empty outlets table builds the secondary indexes after the rows
# without being asked (rebuild_indexes): at 1M rows ≈ 7 s less of PostgreSQL's CPU for outlets alone (30.6 instead
# of 37.7 s, bench/README.md "session 7"); at 100,000 rows building after only broke even (session 4).
REBUILD_FROM_ROWS = 200_000
FULL_WEEK = f"{{[0,{MINUTES_PER_WEEK})}}"
_MR = "int4multirange"

_STAGE_TYPES = {
    "row_no": "integer PRIMARY KEY",
    "types": "text[]",
    "raw_lng": "float8",
    "raw_lat": "float8",
    "hours": "jsonb",
    "open_minutes": "int4multirange",
    "avg_spend": "numeric(10,2)",
    "services": "text[]",
    "problems": "jsonb",
}
_BOOLEANS = set(FLAGS)


def _stage_ddl() -> str:
    columns = [f"{c} {_STAGE_TYPES.get(c, 'boolean' if c in _BOOLEANS else 'text')}" for c in STAGE_COLUMNS]
    columns += ["lng float8", "lat float8"]
    columns.append("geom geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lng, lat), 4326)) STORED")
    return f"CREATE TEMP TABLE outlet_import_stg ({', '.join(columns)})"


_TEMP_TABLES = ("outlet_import_stg", "outlet_import_bad", "outlet_import_match", "outlet_import_circle")


@write_use_case
def load(rows, result, *, default_coord: str, geojson: bool, tick=None, on_error=None, rebuild_indexes=False):
    """Loads (number, values) rows into outlets; fills `result`. A dry run rolls everything back.

    `rebuild_indexes`: for a first load into an empty (or nearly empty) table, the secondary indexes of
    outlets and outlet_versions are dropped before the insert and built again after it, in this transaction
    (see bulk_indexes.built_after); readers of outlets wait until the import commits. A load of
    REBUILD_FROM_ROWS rows or more into an empty table does so by itself (nobody reads an empty table for
    anything it holds).
    """
    session = db.session
    outer = session.begin_nested()  # a dry run undoes everything; an exception leaves nothing
    try:
        raw = session.connection().connection.dbapi_connection
        _execute(session, "SET LOCAL work_mem = '256MB'")
        # One transaction the operator re-runs if the server crashes before it is on disk: its commit need
        # not wait for the WAL flush (nothing is half-written either way).
        _execute(session, "SET LOCAL synchronous_commit = off")
        for table in _TEMP_TABLES:
            _execute(session, f"DROP TABLE IF EXISTS pg_temp.{table}")
        _execute(session, _stage_ddl())
        _copy(raw, rows, result, default_coord, tick)
        _validate(session, result, geojson, on_error)
        _membership(session)
        _upsert(session, result, rebuild_indexes)
        for table in _TEMP_TABLES:
            _execute(session, f"DROP TABLE IF EXISTS pg_temp.{table}")
    except BaseException:
        outer.rollback()
        raise
    if result.dry_run:
        outer.rollback()
    else:
        outer.commit()


def _execute(session, sql, params=None):
    return session.execute(text(sql), params or {})


# 1. copy ---------------------------------------------------------------------------------------------------


def _copy(raw, rows, result, default_coord, tick):
    columns = (*STAGE_COLUMNS, "lng", "lat")
    coord_at = STAGE_COLUMNS.index("coord")
    with raw.cursor() as cursor, cursor.copy(f"COPY outlet_import_stg ({', '.join(columns)}) FROM STDIN") as copy:
        chunk = []
        for number, values in rows:
            row, warning = stage_row(number, values, default_coord)
            if warning:
                result.warnings.append(warning)
            chunk.append(row)
            if len(chunk) >= CHUNK_ROWS:
                _write_chunk(copy, chunk, coord_at)
                result.rows += len(chunk)
                chunk = []
                if tick:
                    tick()
        if chunk:
            _write_chunk(copy, chunk, coord_at)
            result.rows += len(chunk)
        if tick:
            tick()
    with raw.cursor() as cursor:
        # The spatial join looks the staged points up by this index; the planner needs the table's size.
        cursor.execute("CREATE INDEX ON outlet_import_stg USING gist (geom)")
        cursor.execute("ANALYZE outlet_import_stg")


def _write_chunk(copy, chunk, coord_at):
    """Converts the chunk's coordinates to WGS-84 (numpy, one call per datum) and writes its rows."""
    lng_at, lat_at = STAGE_COLUMNS.index("raw_lng"), STAGE_COLUMNS.index("raw_lat")
    raw_lng = np.array([r[lng_at] if r[lng_at] is not None else np.nan for r in chunk], dtype=float)
    raw_lat = np.array([r[lat_at] if r[lat_at] is not None else np.nan for r in chunk], dtype=float)
    in_range = (np.abs(raw_lng) <= 180) & (np.abs(raw_lat) <= 90)  # NaN compares False
    wgs_lng, wgs_lat = np.full(len(chunk), np.nan), np.full(len(chunk), np.nan)
    coords = np.array([r[coord_at] for r in chunk], dtype=object)
    for coord in set(coords):
        if coord not in ("wgs84", "gcj02", "bd09"):
            continue  # reported by stage_row
        mask = in_range & (coords == coord)
        wgs_lng[mask], wgs_lat[mask] = geo.to_wgs84_many(raw_lng[mask], raw_lat[mask], coord)
    known = ~np.isnan(wgs_lng)
    for row, lng, lat, ok in zip(chunk, wgs_lng.tolist(), wgs_lat.tolist(), known.tolist(), strict=True):
        copy.write_row((*row, lng, lat) if ok else (*row, None, None))


# 2. validate -----------------------------------------------------------------------------------------------

_TOO_LONG = " || ".join(
    f"CASE WHEN char_length(s.{key}) > {limit} THEN ARRAY['{key}'] ELSE '{{}}'::text[] END"
    for key, limit in TEXT_LIMITS.items()
)
BAD_ROWS = f"""
WITH dup AS (
    SELECT external_id, min(row_no) AS first_row FROM outlet_import_stg
    WHERE external_id IS NOT NULL GROUP BY external_id HAVING count(*) > 1
), checked AS (
    SELECT s.row_no, s.external_id, s.name, s.types, s.problems,
           NULLIF(dup.first_row, s.row_no) AS duplicate_of,
           {_TOO_LONG} AS too_long,
           (cardinality(s.types) = 0 OR NOT s.types <@ CAST(:known AS text[])) AS types_bad,
           s.problems ? 'geometry' IS NOT TRUE
               AND (s.raw_lng IS NULL OR s.raw_lng NOT BETWEEN -180 AND 180) AS lng_bad,
           s.problems ? 'geometry' IS NOT TRUE
               AND (s.raw_lat IS NULL OR s.raw_lat NOT BETWEEN -90 AND 90) AS lat_bad
    FROM outlet_import_stg s LEFT JOIN dup ON dup.external_id = s.external_id
)
SELECT * FROM checked
WHERE problems IS NOT NULL OR duplicate_of IS NOT NULL OR name IS NULL OR cardinality(too_long) > 0
   OR types_bad OR lng_bad OR lat_bad
"""


def _validate(session, result, geojson, on_error):
    """Finds every bad row in one statement, keeps their numbers and reports them in file order."""
    known = sorted(taxonomy().type_codes)
    _execute(
        session,
        f"CREATE TEMP TABLE outlet_import_bad AS SELECT * FROM ({BAD_ROWS}) bad ORDER BY row_no",
        {"known": known},
    )
    _execute(session, "ALTER TABLE outlet_import_bad ADD PRIMARY KEY (row_no)")
    result.failed = _execute(session, "SELECT count(*) FROM outlet_import_bad").scalar_one()
    if not result.failed:
        return
    report = on_error or result.errors.append
    # Streamed from the server (a file of a million bad rows is reported without holding them).
    rows = session.execute(
        text("SELECT * FROM outlet_import_bad ORDER BY row_no").execution_options(yield_per=5000)
    ).mappings()
    for bad in rows:
        bad = dict(bad)
        if isinstance(bad["problems"], str):
            bad["problems"] = json.loads(bad["problems"])
        report(RowError(bad["row_no"], row_reason(bad, geojson=geojson), bad["external_id"], bad["name"], geojson))


# 3. membership ---------------------------------------------------------------------------------------------

# The same rule as the trigger outlets_assign_area, as one join per kind of area (see lowest_covering).
MEMBERSHIP = f"""
CREATE TEMP TABLE outlet_import_circle AS
SELECT s.row_no, c.circle_id, m.community_id
FROM outlet_import_stg s
LEFT JOIN ({lowest_covering("circles", "outlet_import_stg", "row_no", area_id="circle_id")}) c USING (row_no)
LEFT JOIN ({
    lowest_covering(
        "communities", "outlet_import_stg", "row_no", area_id="community_id", where="a.boundary IS NOT NULL"
    )
}) m USING (row_no)
WHERE NOT EXISTS (SELECT 1 FROM outlet_import_bad b WHERE b.row_no = s.row_no)
"""


def _membership(session):
    _execute(session, MEMBERSHIP)
    _execute(session, "ALTER TABLE outlet_import_circle ADD PRIMARY KEY (row_no)")


# 4. upsert -------------------------------------------------------------------------------------------------

HISTORY = (
    "name, types, location, address, status, circle_id, community_id, chain, brand, online, delivery, open_24h, "
    "quality_brand, qr_payment, services, owner_user_id, mobile, on_site_service, service_radius_m, "
    "service_circle_ids"
)
_FLAG_DEFAULTS = {
    "chain": "false",
    "online": "false",
    "delivery": "false",
    "qr_payment": "false",
    "elderly_friendly": "false",
    "accepts_cash": "true",
    "face_to_face": "true",  # someone serves there unless the census says not (vending machines, unstaffed shops)
    "closed_on_holidays": "false",
}
# Column → value of a new outlet (s: the staged row, a: its areas).
INSERT_VALUES = {
    "external_id": "s.external_id",
    "name": "s.name",
    "name_initials": "s.name_initials",
    "types": "CAST(s.types AS varchar[])",
    "location": "s.geom::geography",
    "address": "COALESCE(s.address, '')",
    "phone": "s.phone",
    "brand": "s.brand",
    "hours": "COALESCE(s.hours, '{}')",
    "open_24h": "COALESCE(s.open_24h, false)",
    "open_minutes": f"COALESCE(s.open_minutes, CAST(CASE WHEN s.open_24h THEN '{FULL_WEEK}' ELSE '{{}}' END AS {_MR}))",
    **{flag: f"COALESCE(s.{flag}, {default})" for flag, default in _FLAG_DEFAULTS.items()},
    "quality_brand": "s.quality_brand",
    "avg_spend": "s.avg_spend",
    "services": "COALESCE(CAST(s.services AS varchar[]), '{}')",
    "photos": "'[]'",
    "online_platforms": "'{}'",
    "status": "'approved'",
    "rating_count": "0",
    "synthetic": "false",
    "circle_id": "a.circle_id",
    "community_id": "a.community_id",
}
# Column → value of a matched outlet (o: as it is): an empty cell leaves what was there; staff's suspensions
# and closures stand; new hours bring their minutes, a changed 24h flag alone is settled in Python after.
UPDATE_VALUES = {
    **{c: f"COALESCE(s.{c}, o.{c})" for c in ("name", "name_initials", "address", "phone", "brand", "hours")},
    **{c: f"COALESCE(CAST(s.{c} AS varchar[]), o.{c})" for c in ("types", "services")},
    **{c: f"COALESCE(s.{c}, o.{c})" for c in ("quality_brand", "avg_spend")},
    "location": "s.geom::geography",
    "open_24h": "COALESCE(s.open_24h, o.open_24h)",
    "open_minutes": f"""CASE WHEN s.hours IS NOT NULL THEN s.open_minutes
                             WHEN s.open_24h IS NULL OR s.open_24h = o.open_24h THEN o.open_minutes
                             WHEN s.open_24h THEN '{FULL_WEEK}'::int4multirange END""",
    **{flag: f"COALESCE(s.{flag}, o.{flag})" for flag in _FLAG_DEFAULTS},
    "status": "CASE WHEN o.status IN ('suspended', 'closed') THEN o.status ELSE 'approved' END",
    "circle_id": "a.circle_id",
    "community_id": "a.community_id",
}
_GOOD = "NOT EXISTS (SELECT 1 FROM outlet_import_bad b WHERE b.row_no = s.row_no)"


def _upsert(session, result, rebuild_indexes=False):
    _execute(
        session,
        f"""CREATE TEMP TABLE outlet_import_match AS
            SELECT s.row_no, o.id AS outlet_id, o.circle_id AS old_circle_id
            FROM outlet_import_stg s JOIN outlets o ON o.external_id = s.external_id WHERE {_GOOD}""",
    )
    _execute(session, "ALTER TABLE outlet_import_match ADD PRIMARY KEY (row_no)")
    with session.begin_nested() as writes:  # released at the block's end, unless undone below
        # Local to the transaction (and undone with the savepoint if the load fails), off again right after.
        _execute(session, "SELECT set_config('app.outlets_bulk', 'on', true)")
        result.updated, updated = _update(session)
        if rebuild_indexes or _first_large_load(session, result):
            with bulk_indexes.built_after(session, ("outlets", "outlet_versions")):
                created = _insert(session)
        else:
            created = _insert(session)
        result.created = created.count
        _execute(session, "SELECT set_config('app.outlets_bulk', '', true)")
        # outlet_import_circle holds every good row once (membership's LEFT JOINs): no join with the staged rows
        # (a hash join of the whole file, ≈ 2 s at 1M rows).
        outside = "SELECT count(*) FROM outlet_import_circle WHERE circle_id IS NULL"
        result.outside = _execute(session, outside).scalar_one()
        if not (updated.count or created.count):
            # Nothing written (the same file again): undone to before the writes, so what the bulk statements'
            # triggers noted goes too (outlets_reach_bulk: the stored reach must be built again from scratch), and
            # no circle is marked stale (every circle's cached evaluation would be computed again).
            writes.rollback()
            return
    _settle_open_minutes(session)
    _announce(updated, created)


def _first_large_load(session, result) -> bool:
    """A file of REBUILD_FROM_ROWS good rows or more into an outlets table that holds none."""
    if result.rows - result.failed < REBUILD_FROM_ROWS:
        return False
    return not _execute(session, "SELECT EXISTS (SELECT FROM outlets)").scalar_one()


# The outlets an import wrote are named to the listeners of outlets_changed (the evaluation marks the circles within
# walking reach of each stale) up to this many; past it, every circle is stale (a first load, a new census).
NAMED_OUTLETS_MAX = 20_000


@dataclass
class _Written:
    """What one of the import's writes did: how many outlets, the first NAMED_OUTLETS_MAX + 1 of their ids (more
    than that: too many to name), and the circles they stood in before (updates)."""

    count: int
    ids: list[int]
    left_circles: list[int] = field(default_factory=list)


# The written outlets' ids, one more than may be named at most (so the array stays small when there are many).
_FIRST_IDS = "SELECT array_agg(id) FROM (SELECT id FROM {rows} LIMIT :named + 1) first"


def _update(session) -> tuple[int, _Written]:
    """(rows matched to an outlet: the report's "updated"; the outlets written)."""
    changed = " OR ".join(
        "o.location::geometry IS DISTINCT FROM s.geom" if c == "location" else f"o.{c} IS DISTINCT FROM ({v})"
        for c, v in UPDATE_VALUES.items()
    )
    assignments = ", ".join(f"{c} = {v}" for c, v in UPDATE_VALUES.items())
    # Only outlets that change are written (a re-run of the same file writes nothing); each still passes the
    # history trigger, which dates the change.
    row = _execute(
        session,
        f"""WITH written AS (
                UPDATE outlets o SET {assignments}, updated_at = now()
                FROM outlet_import_stg s
                JOIN outlet_import_match m USING (row_no)
                JOIN outlet_import_circle a USING (row_no)
                WHERE o.id = m.outlet_id AND ({changed})
                RETURNING o.id, m.old_circle_id
            )
            SELECT (SELECT count(*) FROM written) AS n, ({_FIRST_IDS.format(rows="written")}) AS ids,
                   (SELECT array_agg(DISTINCT old_circle_id) FROM written) AS left_circles""",
        {"named": NAMED_OUTLETS_MAX},
    ).one()
    matched = _execute(session, "SELECT count(*) FROM outlet_import_match").scalar_one()
    return matched, _Written(row.n, row.ids or [], [c for c in row.left_circles or () if c is not None])


def _insert(session) -> _Written:
    columns = ", ".join(INSERT_VALUES)
    values = ", ".join(INSERT_VALUES.values())
    # In file order: ids follow the rows as the operator sees them.
    row = session.execute(
        text(
            f"""WITH created AS (
                    INSERT INTO outlets ({columns})
                    SELECT {values}
                    FROM outlet_import_stg s JOIN outlet_import_circle a USING (row_no)
                    WHERE NOT EXISTS (SELECT 1 FROM outlet_import_match m WHERE m.row_no = s.row_no)
                    ORDER BY s.row_no
                    RETURNING id, created_at, {HISTORY}
                ), versions AS (
                    INSERT INTO outlet_versions (outlet_id, valid_from, {HISTORY})
                    SELECT id,
                           COALESCE(NULLIF(current_setting('app.outlets_as_of', true), '')::timestamptz, created_at),
                           {HISTORY}
                    FROM created
                )
                SELECT (SELECT count(*) FROM created) AS n, ({_FIRST_IDS.format(rows="created")}) AS ids"""
        ),
        {"named": NAMED_OUTLETS_MAX},
    ).one()
    return _Written(row.n, row.ids or [])


def _settle_open_minutes(session):
    """Outlets whose file row only turned 24h off: their minutes come from the hours they keep."""
    rows = _execute(
        session,
        """SELECT o.id, o.hours FROM outlets o JOIN outlet_import_match m ON m.outlet_id = o.id
           WHERE o.open_minutes IS NULL""",
    ).all()
    for outlet_id, hours in rows:
        ranges = week_multirange(hours or {}, False)
        literal = "{" + ",".join(f"[{r.lower},{r.upper})" for r in ranges) + "}"
        _execute(
            session,
            "UPDATE outlets SET open_minutes = CAST(:m AS int4multirange) WHERE id = :id",
            {"m": literal, "id": outlet_id},
        )


def _announce(updated: _Written, created: _Written):
    """Whoever caches results about outlets hears which were written and which circles they left (the evaluation
    marks the circles within walking reach of them stale, in this transaction): every outlet, past
    NAMED_OUTLETS_MAX of them."""
    ids = updated.ids + created.ids
    if len(ids) > NAMED_OUTLETS_MAX:
        signals.outlets_changed.send(__name__, every_circle=True)
    else:
        signals.outlets_changed.send(__name__, circle_ids=updated.left_circles, outlet_ids=ids)
