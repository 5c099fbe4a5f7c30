"""The outlet ↔ circle reach: for every circle, type by type, the approved fixed outlets inside it (distance 0)
or within the largest walking radius of its boundary (reach_m(), with their distance), stored in
`outlet_reach` so that presence (facts.build_snapshots) is an integer read filtered by each type's radius
instead of pairing every outlet with every circle by geometry on each run (≈ 11 of the province pass's 21
PostgreSQL CPU-seconds in session 6).

Kept correct by a refresh, not by the writers: row triggers (migration 0025) note the outlets a write
created, moved, retyped, closed or deleted (or whose circle changed) and the circles created, reshaped or
deleted; a bulk outlet import (`app.outlets_bulk = on`) clears the state's radius instead, so the next
refresh builds the whole table again. `refresh()` recomputes what is noted, set-based, in its own
transaction; the nightly pass calls it first. Presence uses the table only in a statement that also sees
nothing noted and a radius covering the batch's (REACH_PRESENCE_SQL's `ok`): any write since the last
refresh sends that evaluation back to the geometry statement (facts.PRESENCE_SQL), which gives the same
answer. Past dates always use the geometry over the outlets' versions.

The pairs are those of facts.PRESENCE_SQL at radius reach_m() (the same boxes, grid cells and planar
distance), with the outlet's own circle at distance 0, so a type's rows within its radius are exactly the
geometry statement's.
"""

import time

from sqlalchemy import text

from app.common import bulk_indexes
from app.common.extensions import db
from app.common.tx import atomic
from app.evaluation.invalidation import reach_m

# ≈ 500 m grid cells (facts.PRESENCE_SQL, PAIRS_SQL): a reach box (a 1.4 km circle plus 1 km around)
# covers ≈ 70 cells. Smaller cells fit the boxes closer, so fewer outlets are paired only to fail the box
# check: 480 circles, the statement's server CPU 2.36 → 2.09 s (mean of six interleaved pairs) against
# 0.01°; 0.003° gave no more.
CELL_DEG = 0.005

# The frame of each circle `c0` (id, pos, boundary, phi: the latitude of its middle) and its reach box: a local
# metric frame (`k`), the box widened by :max_radius (`c`), the grid cells the box covers (`cells`), the
# batch's extent as a geography (`area`); shared by facts.PRESENCE_SQL and PAIRS_SQL.
CIRCLE_BOXES_SQL = """
k AS (SELECT id, pos, boundary,
             pi() / 180 * 6378137 * cos(phi) / sqrt(1 - 0.00669437999014 * sin(phi) ^ 2) AS kx,
             111132.954 - 559.822 * cos(2 * phi) + 1.175 * cos(4 * phi) AS ky
      FROM c0),
c AS MATERIALIZED (
    SELECT id, pos, kx, ky, ST_SetSRID(ST_Scale(boundary, kx, ky), 0) AS local,
           ST_XMin(boundary) - :max_radius * 1.01 / kx AS x0, ST_XMax(boundary) + :max_radius * 1.01 / kx AS x1,
           ST_YMin(boundary) - :max_radius * 1.01 / ky AS y0, ST_YMax(boundary) + :max_radius * 1.01 / ky AS y1
    FROM k),
cells AS MATERIALIZED (
    SELECT c.id, gx, gy FROM c,
         generate_series(floor(x0 / :cell)::int, floor(x1 / :cell)::int) AS gx,
         generate_series(floor(y0 / :cell)::int, floor(y1 / :cell)::int) AS gy),
area AS (SELECT CAST(ST_Segmentize(ST_MakeEnvelope(min(x0), min(y0), max(x1), max(y1), 4326), :cell) AS geography)
                 AS box FROM c)"""

# Circles {which} and the approved fixed outlets of {sweep} (those in the circles' area, or given ones)
# paired by grid cells, box and distance (see facts.PRESENCE_SQL for the geometry); one row per (circle,
# distinct type of the outlet, outlet).
PAIRS_SQL = (
    """
WITH c0 AS (SELECT id, 0 AS pos, boundary, radians((ST_YMin(boundary) + ST_YMax(boundary)) / 2) AS phi
            FROM circles WHERE {which}),
"""
    + CIRCLE_BOXES_SQL
    + """,
p AS MATERIALIZED (
    SELECT o.id, o.circle_id, o.types, ST_X(o.location::geometry) AS x, ST_Y(o.location::geometry) AS y,
           floor(ST_X(o.location::geometry) / :cell)::int AS gx, floor(ST_Y(o.location::geometry) / :cell)::int AS gy
    FROM {sweep} o.status = 'approved' AND NOT o.mobile),
d AS (
    SELECT c.id AS circle_id, p.id AS outlet_id, p.types,
           CASE WHEN p.circle_id = c.id THEN 0
                ELSE ST_Distance(c.local, ST_MakePoint(p.x * c.kx, p.y * c.ky)) END AS distance_m
    FROM p JOIN cells ON cells.gx = p.gx AND cells.gy = p.gy JOIN c ON c.id = cells.id
    WHERE p.x BETWEEN c.x0 AND c.x1 AND p.y BETWEEN c.y0 AND c.y1)
INSERT INTO outlet_reach (circle_id, code, outlet_id, distance_m)
SELECT d.circle_id, u.code, d.outlet_id, d.distance_m
FROM d CROSS JOIN LATERAL unnest(d.types) WITH ORDINALITY AS u(code, i)
WHERE d.distance_m <= :radius AND array_position(d.types, u.code) = u.i
"""
)
AREA_SWEEP = "area JOIN outlets o ON o.location && area.box WHERE"
# Hash joins throughout, as for facts.PRESENCE_SQL (the planner cannot estimate `p` and `cells`).
PAIRS_PLAN = "SET LOCAL enable_nestloop = off; SET LOCAL enable_mergejoin = off; SET LOCAL jit = off"

# The reach answers for a batch needing radii up to :max_radius: built for them, nothing noted since.
UP_TO_DATE = """
    SELECT 1 FROM outlet_reach_state
    WHERE radius_m >= :max_radius
      AND NOT EXISTS (SELECT FROM outlet_reach_dirty_outlets) AND NOT EXISTS (SELECT FROM outlet_reach_dirty_circles)"""
USABLE_SQL = f"SELECT EXISTS ({UP_TO_DATE})"
# Presence of a batch from the reach, with `usable` false (and no pairs) when anything is noted since the
# last refresh or the table was built for a smaller radius than the batch needs: one statement, so the check
# and the read see the same snapshot. The keys are facts.PRESENCE_SQL's (the circle's position in :ids, the
# type's number in :codes, the outlet id).
REACH_PRESENCE_SQL = (
    """
WITH ok AS MATERIALIZED ("""
    + UP_TO_DATE
    + """),
t AS (SELECT * FROM unnest(CAST(:codes AS text[]), CAST(:radii AS int[])) WITH ORDINALITY AS t(code, radius_m, k))
SELECT EXISTS (SELECT FROM ok) AS usable,
       (SELECT string_agg(int8send((b.pos << 40) | (t.k << 32) | r.outlet_id), ''::bytea)
        FROM unnest(CAST(:ids AS int[])) WITH ORDINALITY AS b(id, pos)
        JOIN outlet_reach r ON r.circle_id = b.id
        JOIN t ON t.code = r.code
        WHERE r.distance_m <= t.radius_m AND EXISTS (SELECT FROM ok)) AS pairs
"""
)


def presence_pairs(ids: list[int], codes: list[str], radii: list[int]) -> tuple[bool, bytes | None]:
    """(usable, packed keys) of today's presence for circles `ids` from the reach; usable False: use the
    geometry."""
    params = {"ids": ids, "codes": codes, "radii": radii, "max_radius": max(radii)}
    # First without naming outlet_reach: a build from scratch holds it locked until it commits (TRUNCATE),
    # and meanwhile the state shows no radius (a bulk import cleared it), so the batch goes to the geometry
    # at once instead of waiting for the build.
    if not db.session.execute(text(USABLE_SQL), params).scalar():
        return False, None
    row = db.session.execute(text(REACH_PRESENCE_SQL), params).one()
    return row.usable, row.pairs


def _pairs(session, *, which: str = "TRUE", sweep: str = AREA_SWEEP, order: str = "", **params) -> int:
    sql = PAIRS_SQL.format(which=which, sweep=sweep) + order
    return session.execute(
        text(sql), {"radius": reach_m(), "max_radius": reach_m(), "cell": CELL_DEG, **params}
    ).rowcount


# Past this many noted outlets (a circles import that moved a district's outlets, a demo load) the whole
# table is built again, sorted, rather than the outlets paired one array at a time.
REBUILD_OVER = 100_000


def refresh() -> dict:
    """Brings the reach up to date (one transaction): from scratch when the state has no radius (or another
    than reach_m()), otherwise the noted outlets against every circle and the noted circles against every
    outlet. Returns what it did."""
    started = time.perf_counter()
    with atomic():
        done = _refresh(db.session)
    return {**done, "seconds": round(time.perf_counter() - started, 2)}


def _refresh(session) -> dict:
    # The state row's lock orders refreshes (and a bulk import's reset waits for the one running).
    radius = session.execute(text("SELECT radius_m FROM outlet_reach_state WHERE id = 1 FOR UPDATE")).scalar()
    session.execute(text(PAIRS_PLAN))
    session.execute(text("SET LOCAL work_mem = '256MB'"))
    # Notes made after these deletes stay for the next refresh (their writes may be missed by this one).
    outlets = session.execute(text("DELETE FROM outlet_reach_dirty_outlets RETURNING outlet_id")).scalars().all()
    circles = session.execute(text("DELETE FROM outlet_reach_dirty_circles RETURNING circle_id")).scalars().all()
    if radius != reach_m() or len(outlets) > REBUILD_OVER:
        session.execute(text("TRUNCATE outlet_reach"))
        # Built after the rows, which are sorted by circle so each circle's rows share a few pages (presence reads
        # them by circle: 12k buffers a 480-circle batch instead of 768k).
        with bulk_indexes.built_after(session, ("outlet_reach",), primary_keys=True):
            rows = _pairs(session, order="ORDER BY 1, 2, 3")
        session.execute(text("UPDATE outlet_reach_state SET radius_m = :r, built_at = now()"), {"r": reach_m()})
        session.execute(text("ANALYZE outlet_reach"))
        return {"rebuilt": True, "rows": rows}
    if not outlets and not circles:
        return {"rebuilt": False, "outlets": 0, "circles": 0, "rows": 0}
    session.execute(
        text("DELETE FROM outlet_reach WHERE outlet_id = ANY(:outlets) OR circle_id = ANY(:circles)"),
        {"outlets": outlets, "circles": circles},
    )
    rows = 0
    if circles:
        rows += _pairs(session, which="id = ANY(:circles)", circles=circles)
    if outlets:
        # Pairs with a noted circle were just written by the statement above.
        rows += _pairs(
            session,
            which="NOT (id = ANY(:circles))",
            sweep="outlets o WHERE o.id = ANY(:outlets) AND",
            circles=circles,
            outlets=outlets,
        )
    session.execute(text("UPDATE outlet_reach_state SET built_at = now()"))
    return {"rebuilt": False, "outlets": len(outlets), "circles": len(circles), "rows": rows}
