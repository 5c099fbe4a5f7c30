"""Builds CircleSnapshots for many circles at once from SQL aggregates (a handful of queries per batch,
not per circle), plus the other domains' read APIs, each asked once for the whole batch."""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from sqlalchemy import text

from app.common.clock import local_zone, now_local
from app.common.extensions import db
from app.demands.stats import CircleDemandStats, circle_demand_stats
from app.evaluation import providers, reach
from app.evaluation.presence import quality_types
from app.evaluation.profiles import ScoringProfile, radius_for
from app.evaluation.snapshot import Assessment, CircleSnapshot
from app.events.service import events_count
from app.outlets.models import HISTORY_COLUMNS
from app.surveys.results import CircleSurveyResults, circle_results
from app.taxonomy.registry import taxonomy
from app.usage.service import active_residents


@dataclass(frozen=True)
class CircleRow:
    id: int
    name: str
    city_id: int
    city_tier: str
    circle_type: str | None
    population: int | None


# Outlets near each circle: inside (membership is stored by the boundary triggers: distance 0), or outside
# within its type's radius of its boundary. Outside distances are planar in a local metric frame (degrees
# scaled by the WGS-84 radii of curvature at the circle's latitude): within 0.02% of the geodesic distance
# over a few kilometres (checked against ST_Distance on geography: 0.16 m at 1.5 km) and 5× cheaper.
# The outlets around the batch are read in one sweep (`p`: one index scan of the batch's extent, each
# outlet's coordinates taken once) and paired with the circles whose reach box holds them by a hash join
# on grid cells of reach.CELL_DEG degrees (`cells`: the cells each reach box covers), instead of one index
# probe per circle: neighbouring circles' reaches overlap, so per-circle probes fetched each outlet ≈ 6 times,
# from random heap pages (measured at 1M outlets: 240 circles 7-10 s before, 4-5 s with the sweep). Any
# box holding every point within :max_radius of the boundary gives the same rows: the distance decides.
# The batch's extent is densified before it becomes a geography: a geography edge is a great circle, which
# bows poleward off the parallel (≈ 1.5 km across 300 km at 40°N) and would leave out outlets near the
# southern edge; over 0.005° segments the bow is under 1 cm, well inside the 1% margin of the reach boxes.
# The sweep is unnested by type once per outlet (`p`: one row per outlet and counted type, with the type's
# radius and its number `k` in :codes), not once per outlet and circle after the pairing (each outlet is
# near ≈ 4 circles): the pairs then carry the radius their distance is checked against, and the groups are
# keyed by integers. The types are unnested in the select list (one ProjectSet node) rather than by a LATERAL
# function scan set up for each outlet: 480 circles, the statement's server CPU 1.47 → 1.36 s (11 pairs).
# The sweep holds the circles' own outlets too (inside a circle, so inside its reach box): paired with their
# own circle they count at distance 0, as the stored membership says, so they are not read a second time by
# circle_id.
# PostgreSQL cannot estimate `p` and `cells` (it assumes 1,000 outlets and 1,000 × 1,000 cells a circle):
# from ≈ 480 circles it chose a nested loop comparing every outlet with every circle (91M box checks) or
# merge joins sorting a million pairs. The only good plan is hash joins throughout, so build_snapshots runs
# this statement with nested loops and merge joins off (PRESENCE_PLAN); the grid-cell and type lookups
# are equalities, so hash joins always apply.
PRESENCE_SQL = (
    """
WITH c0 AS (SELECT id, b.pos, boundary, radians((ST_YMin(boundary) + ST_YMax(boundary)) / 2) AS phi
            FROM circles JOIN unnest(CAST(:ids AS int[])) WITH ORDINALITY AS b(id, pos) USING (id)),
"""
    + reach.CIRCLE_BOXES_SQL
    + """,
t AS (SELECT * FROM unnest(CAST(:codes AS text[]), CAST(:radii AS int[])) WITH ORDINALITY AS t(code, radius_m, k)),
p AS MATERIALIZED (
    SELECT s.id, s.circle_id, t.k, t.radius_m, x, y, floor(x / :cell)::int AS gx, floor(y / :cell)::int AS gy
    FROM (SELECT o.id, o.circle_id, unnest(o.types) AS code,
                 ST_X(o.location::geometry) AS x, ST_Y(o.location::geometry) AS y
          FROM area JOIN {outlets} o ON o.location && area.box
          WHERE o.status = 'approved' AND NOT o.mobile) s
    JOIN t ON t.code = s.code)
SELECT string_agg(int8send((c.pos << 40) | (p.k << 32) | p.id), ''::bytea) AS pairs
FROM p JOIN cells ON cells.gx = p.gx AND cells.gy = p.gy JOIN c ON c.id = cells.id
WHERE p.x BETWEEN c.x0 AND c.x1 AND p.y BETWEEN c.y0 AND c.y1
  AND (p.circle_id = c.id OR ST_Distance(c.local, ST_MakePoint(p.x * c.kx, p.y * c.ky)) <= p.radius_m)
"""
)
# Each (circle, type, outlet) comes back as one int8 key (the circle's position in :ids, the type's number,
# the outlet id) in one bytea, sorted and grouped by numpy (`_present`), not as (circle, type) groups of id
# arrays: the server hashed ≈ 615k ids for 480 circles into ≈ 26k groups of arrays and printed them as text,
# the driver parsed them back id by id.
# Measured on 480 circles (20 cities, 1M outlets), PostgreSQL's CPU for this statement: 2.8-3.2 s → 1.9 s.
PRESENCE_PLAN = {"enable_nestloop": "off", "enable_mergejoin": "off"}

# What the service items count inside each circle, from one read of the batch's approved outlets (`o`):
# the counts and id lists of the first row, the stores and breakfast outlets offering any add-on or breakfast
# kind (with their services: grouped code by code in Python, ≈ 90 a circle), and the candidates for smart
# terminals (their kinds are matched in Python: `_terminal_kinds`). Three statements each read the same
# ≈ 300 outlets a circle from the heap before (measured on 240 circles: 2.3 s of 11.5 s); grouping the
# services code by code in SQL (unnested, then 14k groups of two id lists for 480 circles) took 0.4 s of the
# statement's 0.9 s.
INSIDE_SQL = """
WITH o AS MATERIALIZED (
    SELECT id, circle_id, types, services, open_24h, chain, online, qr_payment, delivery,
           quality_brand IS NOT NULL AS quality_brand, owner_user_id IS NOT NULL AS onboarded,
           types && CAST(:quality AS varchar[]) AS quality_type,
           NOT types <@ CAST(:not_consumption AS varchar[]) AS consumption,
           types && CAST(:stores AS varchar[]) AS store,
           types && CAST(:breakfast AS varchar[]) AS breakfast,
           types && CAST(:retail AS varchar[]) AS retail,
           types && CAST(:terminal_types AS varchar[]) OR services && CAST(:terminal_services AS varchar[])
               AS terminal
    FROM {outlets} o
    WHERE circle_id = ANY(:ids) AND status = 'approved'),
counts AS (
    SELECT circle_id,
           count(*) AS total,
           count(*) FILTER (WHERE chain) AS chain,
           count(*) FILTER (WHERE online) AS online,
           count(*) FILTER (WHERE quality_brand) AS quality_brand,
           count(*) FILTER (WHERE onboarded) AS onboarded,
           count(*) FILTER (WHERE quality_type) AS quality_outlets,
           count(*) FILTER (WHERE consumption) AS consumption,
           count(*) FILTER (WHERE qr_payment AND consumption) AS qr,
           coalesce(array_agg(id) FILTER (WHERE store), '{}') AS stores,
           coalesce(array_agg(id) FILTER (WHERE store AND open_24h), '{}') AS stores_24h,
           coalesce(array_agg(id) FILTER (WHERE breakfast AND delivery), '{}') AS bf_delivery,
           coalesce(array_agg(id) FILTER (WHERE retail AND delivery), '{}') AS retail_delivery
    FROM o GROUP BY circle_id),
offers AS (
    SELECT circle_id, json_agg(json_build_array(id, services, store, breakfast)) AS offers
    FROM o
    WHERE (store OR breakfast) AND services && CAST(:codes AS varchar[])
    GROUP BY circle_id),
terminals AS (
    SELECT circle_id, json_agg(json_build_array(id, types, services, open_24h)) AS terminals
    FROM o
    WHERE terminal
    GROUP BY circle_id)
SELECT counts.*, offers.offers, terminals.terminals
FROM counts LEFT JOIN offers USING (circle_id) LEFT JOIN terminals USING (circle_id)
"""

# Without parallel workers: the batch's outlets are read by circle_id from the index, and two workers'
# start-up and gathering cost more CPU than they save (480 circles, the server's CPU for the statement:
# 0.73-0.89 s with them, 0.60-0.62 s without, interleaved; with the flags computed once per outlet in `o`
# rather than in each FILTER: 0.75-1.13 s before).
INSIDE_PLAN = {"max_parallel_workers_per_gather": "0"}

POPULATION_SQL = """
SELECT c.id, coalesce(c.population, (SELECT sum(m.population) FROM communities m WHERE m.circle_id = c.id))
FROM circles c WHERE c.id = ANY(:ids)
"""

ASSESSMENTS_SQL = """
SELECT DISTINCT ON (circle_id, item) id, circle_id, item, value, note, assessed_on, user_id
FROM evaluation_assessments
WHERE circle_id = ANY(:ids) AND assessed_on <= :at
ORDER BY circle_id, item, assessed_on DESC, id DESC
"""


def presence_radii(profile: ScoringProfile, standards) -> dict[str, int]:
    """Basic types within their own walking radius (city standards first); quality types within 15 min."""
    radii = {t.code: radius_for(standards, t.code) for t in taxonomy().business_types if t.tier == "basic"}
    radii.update({code: int(profile.presence["quality_radius_m"]) for code in quality_types()})
    return radii


# An evaluation of a past date reads the outlets as they were at the end of that day (outlet_versions,
# kept by a trigger on every write): outlets opened later are not counted, closed ones still are as
# they were. Today's evaluation reads the outlets themselves.
OUTLETS_AS_OF = """(SELECT outlet_id AS id, {columns} FROM outlet_versions
                    WHERE valid_from < :as_of_end AND (valid_to IS NULL OR valid_to >= :as_of_end))"""


def outlets_relation(at: date) -> tuple[str, dict]:
    """The outlets table, or the versions valid at the end of local day `at` when `at` is in the past."""
    if at >= now_local().date():
        return "outlets", {}
    end = datetime.combine(at + timedelta(days=1), time(0), local_zone())
    return OUTLETS_AS_OF.format(columns=", ".join(HISTORY_COLUMNS)), {"as_of_end": end}


def _rows(sql: str, *, outlets=("outlets", {}), **params):
    relation, extra = outlets
    return db.session.execute(text(sql.replace("{outlets}", relation)), {**params, **extra}).all()


@contextmanager
def _planner(settings: dict[str, str]):
    """Planner settings for the statements run inside, then the transaction's own again (both local to the
    transaction: an error inside aborts it, and the settings go with it)."""
    before = {}
    for name, value in settings.items():
        before[name] = db.session.execute(
            text("SELECT current_setting(:name), set_config(:name, :value, true)"), {"name": name, "value": value}
        ).scalar()
    yield
    for name, value in before.items():
        db.session.execute(text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value})


@dataclass(frozen=True)
class _TerminalRules:
    """The smart terminal kinds (in the profile's order) by outlet type and by service: an outlet's kinds are
    found from its few types and services by lookups, not by testing every kind against it (≈ 21k
    candidates for 480 circles)."""

    codes: list[str]
    by_type: dict[str, list[tuple[int, bool]]]  # type → (kind's position, the kind needs 24 h opening)
    by_service: dict[str, list[int]]  # service → kinds' positions


def _terminal_rules(terminals) -> _TerminalRules:
    by_type, by_service = {}, {}
    for i, kind in enumerate(terminals):
        for code in dict.fromkeys(kind["types"]):
            by_type.setdefault(code, []).append((i, bool(kind.get("open_24h"))))
        for code in dict.fromkeys(kind.get("services", ())):
            by_service.setdefault(code, []).append(i)
    return _TerminalRules([k["code"] for k in terminals], by_type, by_service)


def _terminal_kinds(outlet_types, outlet_services, open_24h, rules: _TerminalRules) -> list[str]:
    """The kinds an outlet counts as, in the profile's order: one of a kind's types (open 24 h if the kind
    asks for it) or one of its services."""
    found = set()
    for code in outlet_types:
        found.update(i for i, needs_24h in rules.by_type.get(code, ()) if open_24h or not needs_24h)
    for code in outlet_services or ():
        found.update(rules.by_service.get(code, ()))
    return [rules.codes[i] for i in sorted(found)]


def _add_offers(s: CircleSnapshot, offers, add_ons, breakfast_items):
    """Store add-ons and breakfast kinds code by code: the stores offering each add-on, the breakfast outlets
    offering each kind (an outlet listed once for each time its services name the code)."""
    for outlet_id, services, store, breakfast in offers:
        for code in services:
            if store and code in add_ons:
                s.store_add_ons.setdefault(code, []).append(outlet_id)
            if breakfast and code in breakfast_items:
                s.breakfast_items.setdefault(code, []).append(outlet_id)
    for found in (s.store_add_ons, s.breakfast_items):
        for ids in found.values():
            ids.sort()


def _present(pairs: bytes | None, circle_ids: list[int], codes: list[str]):
    """(circle id, type code, its outlet ids ascending, each once) from PRESENCE_SQL's keys, by circle and
    type. An outlet is listed once for a type its `types` name twice. A key is the circle's position in
    `circle_ids` (from 1), the type's number in `codes` (from 1, 8 bits) and the outlet id (int4, so ≥ 0 and
    < 2³²): one sort orders and groups them (np.unique took 15×)."""
    if not pairs:
        return
    assert len(codes) < 256 and len(circle_ids) < 1 << 23, "PRESENCE_SQL's keys hold 8 bits of type"
    keys = np.frombuffer(pairs, dtype=">i8").astype(np.int64)
    keys.sort()
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]]
    groups = keys >> 32
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    outlet_ids = (keys & 0xFFFFFFFF).tolist()
    ends = [*starts[1:].tolist(), len(outlet_ids)]
    for group, start, end in zip(groups[starts].tolist(), starts.tolist(), ends, strict=True):
        yield circle_ids[(group >> 8) - 1], codes[(group & 0xFF) - 1], outlet_ids[start:end]


def _presence_pairs(ids: list[int], codes: list[str], radii: dict[str, int], outlets) -> bytes | None:
    """PRESENCE_SQL's keys: from the stored reach when it is up to date (today's evaluation), else by geometry."""
    if outlets[0] == "outlets":
        usable, pairs = reach.presence_pairs(ids, codes, [radii[c] for c in codes])
        if usable:
            return pairs
    with _planner(PRESENCE_PLAN):
        presence = _rows(
            PRESENCE_SQL,
            outlets=outlets,
            ids=ids,
            cell=reach.CELL_DEG,
            codes=codes,
            radii=[radii[c] for c in codes],
            max_radius=max(radii.values()),
        )
    return presence[0].pairs


def build_snapshots(
    circles: list[CircleRow], profile: ScoringProfile, standards, at: date
) -> dict[int, CircleSnapshot]:
    """Snapshots of circles sharing one profile and standards (one city), as of `at`."""
    ids = [c.id for c in circles]
    cfg = profile.service
    snaps = {
        c.id: CircleSnapshot(
            circle_id=c.id,
            name=c.name,
            city_id=c.city_id,
            city_tier=c.city_tier,
            circle_type=c.circle_type,
            population=c.population,
            year=at.year,
            at=at,
        )
        for c in circles
    }
    if not ids:
        return snaps
    # psycopg prepares a statement after 5 runs, and PostgreSQL then may switch to a generic plan that
    # ignores how few circles `ids` holds (measured: 3-5× slower); and with a million outlets the cost
    # estimates trigger JIT compilation that takes longer (0.5 s) than the queries. Both for this
    # transaction only.
    db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    db.session.execute(text("SET LOCAL jit = off"))
    # A province's presence pairs (millions) are grouped in memory rather than sorted on disk.
    db.session.execute(text("SET LOCAL work_mem = '64MB'"))
    radii = presence_radii(profile, standards)
    codes = sorted(radii)
    outlets = outlets_relation(at)
    for circle_id, code, outlet_ids in _present(_presence_pairs(ids, codes, radii, outlets), ids, codes):
        snaps[circle_id].present[code] = outlet_ids

    store = cfg["store_breakfast"]
    smart = cfg["smart"]
    terminals = smart["terminals"]
    rules = _terminal_rules(terminals)
    with _planner(INSIDE_PLAN):
        inside = _rows(
            INSIDE_SQL,
            outlets=outlets,
            ids=ids,
            quality=quality_types(),
            not_consumption=smart["qr_exclude_types"],
            stores=store["store_types"],
            breakfast=store["breakfast_types"],
            retail=store["retail_types"],
            codes=sorted(set(store["add_ons"]) | set(store["breakfast_items"])),
            terminal_types=sorted({t for k in terminals for t in k["types"]}),
            terminal_services=sorted({t for k in terminals for t in k.get("services", ())}),
        )
    for row in inside:
        s = snaps[row.circle_id]
        s.outlets_total, s.chain_count, s.online_count = row.total, row.chain, row.online
        s.quality_brand_count, s.quality_outlet_count = row.quality_brand, row.quality_outlets
        s.onboarded_outlets = row.onboarded
        s.consumption_places, s.qr_payment_places = row.consumption, row.qr
        s.stores, s.stores_24h = sorted(row.stores), sorted(row.stores_24h)
        s.breakfast_delivery, s.retail_delivery = sorted(row.bf_delivery), sorted(row.retail_delivery)
        _add_offers(s, row.offers or (), store["add_ons"], store["breakfast_items"])
        for outlet_id, outlet_types, outlet_services, open_24h in row.terminals or ():
            for kind in _terminal_kinds(outlet_types, outlet_services, open_24h, rules):
                s.terminals.setdefault(kind, []).append(outlet_id)

    for circle_id, population in _rows(POPULATION_SQL, ids=ids):
        snaps[circle_id].population = None if population is None else int(population)
    # Residents who used the platform in the circle this year (searched, filed, rated), not home settings.
    for circle_id, used in active_residents(ids, date(at.year, 1, 1), at).items():
        snaps[circle_id].resident_users = used["residents"]
        snaps[circle_id].resident_usage = used
    for row in _rows(ASSESSMENTS_SQL, ids=ids, at=at):
        snaps[row.circle_id].assessments[row.item] = Assessment(
            row.item, row.value, row.note, row.assessed_on, row.user_id, row.id
        )
    _add_providers(snaps, radii, profile, outlets)
    _add_domain_facts(snaps, at)
    return snaps


def _add_providers(snaps: dict[int, CircleSnapshot], radii: dict[str, int], profile: ScoringProfile, outlets):
    online = profile.presence.get("online_same_day_types", [])
    remote = providers.remote_providers(list(snaps), radii, online, outlets)
    repair_types = profile.service["market_repair"]["repair_types"]
    repair_outlets = {}
    for circle_id, s in snaps.items():
        s.remote = remote[circle_id]
        ids = {i for code in repair_types for i in s.present.get(code, [])}
        ids |= {r["outlet_id"] for code in repair_types for r in s.remote.get(code, [])}
        repair_outlets[circle_id] = sorted(ids)
    for circle_id, kinds in providers.repair_kinds(repair_outlets, outlets).items():
        snaps[circle_id].repair_kinds = kinds


# Who "satisfied" counts (shown with the evidence of item 1): everyone attached to a need may answer.
SATISFIED_RULE = "已办结、且提交人与支持者（含被合并需求的提交人）回答“已解决”多于“未解决”的需求数"


def demand_facts(stats: CircleDemandStats) -> dict:
    """Item 1's evidence: the needs and projects of the year."""
    return {
        "needs": stats.needs,
        "accepted": stats.accepted,
        "linked": stats.linked,
        "projects": stats.projects,
        "projects_done": stats.projects_done,
        "satisfied": stats.satisfied,
        "satisfied_rule": SATISFIED_RULE,
    }


def survey_facts(results: CircleSurveyResults) -> dict:
    """Items 2 and 3: the current period's sample and satisfied shares, and where the answers came from
    (location-checked / staff-confirmed / paper / phone)."""
    return {
        "period": results.period,
        "responses": results.responses,
        "population": results.population,
        "type_satisfied_share": results.type_satisfied_share,
        "service_satisfied_share": results.service_satisfied_share,
        "answers_by_kind": results.answers_by_kind,
    }


def _add_domain_facts(snaps: dict[int, CircleSnapshot], at: date):
    """Needs and projects, surveys and events of every circle of the batch: one read per domain."""
    ids = list(snaps)
    demands = circle_demand_stats(ids, at.year)
    surveys = circle_results(ids, at)
    events = events_count(ids, at.year)
    for circle_id, s in snaps.items():
        s.demand = demand_facts(demands[circle_id])
        s.survey = survey_facts(surveys[circle_id])
        s.events = events[circle_id]
        s.inputs = {
            "demands": "ok",
            "surveys": "ok",
            "events": "ok",
            "repair": "no_data" if s.repair_kinds is None else "ok",
        }
