"""Nearby search: one index-ordered query per page, with exact ellipsoidal distances.

What is found: approved outlets at their location and mobile stalls at their place now or next
(stalls.py); a keyword matches names, addresses, pinyin initials, and what its words mean (types, repair
service items, add-on services: app/taxonomy/words.py); filters for open now, elderly-friendly, delivery
and 24 hours; sorted by distance, rating, or relevance then distance.

The GiST index orders candidates by spherical distance (`<->`), which is fast but differs from the
WGS-84 ellipsoid by up to ~0.5%. So the first step takes the k nearest by sphere, and the second
re-reads every outlet whose spherical distance could still make it one of the k nearest on the
ellipsoid (ratio bound below) and orders those by the exact ellipsoidal distance.
"""

import re
from dataclasses import dataclass

from app.common import clock, reads
from app.common.geo import POINT_SQL
from app.common.paging import Page, window
from app.outlets import stalls
from app.outlets.hours import is_public_holiday, minute_of_week
from app.outlets.models import INITIALS_LEXEME_LETTERS, SEARCH_LEXEMES
from app.taxonomy import words

# Over a short path, ellipsoid/sphere distance ratios lie within [0.9944, 1.0044] (meridional and
# prime-vertical radii of curvature vs the 6371008.8 m mean sphere). A spherical cut-off of k-th
# spherical distance × 1.0044/0.9944 ≈ 1.0101 keeps every outlet that may rank ≤ k on the ellipsoid.
SPHERE_TO_ELLIPSOID_SLACK = 1.011
RADIUS_SLACK = 1.006  # spherical search radius covering an ellipsoidal radius
AUTO_EXTEND_STEPS = (1000, 2000, 3000)

# An item's columns; {place} is where it is found (the outlet, or a stall's place now), {open_now} whether open.
# The hours as text: they only make `hours_text`, remembered by that text (present.item), so never decoded.
_ITEM_COLUMNS = """
    o.id, o.name, o.types, {place_address} AS address, o.phone, CAST(o.hours AS text) AS hours_json, o.open_24h,
    o.closed_on_holidays,
    o.photos, o.chain, o.brand, o.online, o.delivery, o.rating_avg, o.rating_count, o.synthetic, o.circle_id,
    o.community_id, o.status, o.mobile, ST_X({place}::geometry) AS lng, ST_Y({place}::geometry) AS lat,
    {open_now} AS open_now, {relevance} AS relevance, ST_Distance({place}, {point}, true) AS distance_m
"""
# Open at :minute by the outlet's weekly hours, unless it closes on today's public holiday.
OPEN_NOW = """(COALESCE(o.open_minutes @> CAST(:minute AS integer), false)
    AND NOT (CAST(:holiday AS boolean) AND o.closed_on_holidays))"""
# Self-service kinds nobody serves face to face, whatever their flag says (elderly_friendly filter).
SELF_SERVICE_TYPES = ("vending_machine", "smart_store", "water_dispenser")
SORTS = ("distance", "rating", "relevance")
# Tests on the spatial index's second column (models.SEARCH_LEXEMES), so the distance walk skips inside the index
# what cannot match instead of reading every outlet from the heap: any of the asked types (TYPES_MATCH); what any
# outlet a keyword finds must have (KEYWORD_MAY_MATCH, _keyword_lexemes).
LEXEMES = SEARCH_LEXEMES.format(o="o.")
TYPES_MATCH = f"{LEXEMES} @@ CAST(:types_query AS tsquery)"
KEYWORD_MAY_MATCH = f"{LEXEMES} @@ CAST(:q_lexemes AS tsquery)"
# Characters lowercased alike by Python and PostgreSQL: for these the keyword's own characters are looked for.
_PLAIN_CHARACTERS = re.compile(r"[\x21-\x7e\u3400-\u4dbf\u4e00-\u9fff\s]+")
# A keyword the pinyin initials may start with (`name_initials LIKE 'kw%'`).
_INITIALS_KEYWORD = re.compile(r"[A-Za-z]{2,}")


def _lexeme(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def types_query(types: tuple[str, ...]) -> str:
    """Type codes → the tsquery text matching any of them as a type (weight A: not an add-on service of that
    code), each quoted whole (no parsing, no stemming)."""
    return " | ".join(_lexeme(code) + ":A" for code in types)


def _keyword_lexemes(keyword: str, meaning) -> str | None:
    """What every outlet the keyword finds has among its SEARCH_LEXEMES, as tsquery text; None when unknown.

    The name or address holding the keyword (ILIKE) holds all its characters. So does a name that is
    word-similar to it (`<%`, pg_trgm's threshold 0.6) when it is one word of at most three characters: it has
    n + 1 trigrams and a name missing one of its characters shares at most n - 1 < 0.6 (n + 1) of them. Longer or
    several words: at least one character. Initials starting with it (LIKE, letters only) start with its first
    letters, which the index holds as one lexeme ("^xy"). Or a type or add-on service it means (words.py);
    repair service items are another table (the walk's second arm)."""
    folded = keyword.lower()
    if not _PLAIN_CHARACTERS.fullmatch(folded):
        return None  # lower() may differ between Python and the database: no test inside the index
    characters = sorted({c for c in folded if not c.isspace()})
    single_short_word = len(folded) <= 3 and folded.isalnum()  # alphanumeric: no space, one word
    joined = (" & " if single_short_word else " | ").join(_lexeme(c) for c in characters)
    alternatives = [f"({joined})"] if characters else []
    if _INITIALS_KEYWORD.fullmatch(keyword):
        alternatives.append(_lexeme("^" + folded[:INITIALS_LEXEME_LETTERS]))
    alternatives += [_lexeme(code) for code in sorted(meaning.types)]
    alternatives += [_lexeme(code) for code in sorted(meaning.add_ons)]
    return " | ".join(alternatives) or None


def _column_names(columns: str) -> tuple[str, ...]:
    """The output names of a select list: the last word of each top-level item."""
    names, depth, start = [], 0, 0
    for i, char in enumerate(columns + ","):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            names.append(re.findall(r"\w+", columns[start:i])[-1])
            start = i + 1
    return tuple(names)


_ITEM_NAMES = _column_names(_ITEM_COLUMNS)


def _wide_margin(k: int) -> int:
    """How many more than k the walk reads: the outlets between the k-th spherical distance and that times
    SPHERE_TO_ELLIPSOID_SLACK are ≈ 2.2 % of k where outlets spread evenly; a few over that almost always."""
    return k // 20 + 4


@dataclass(frozen=True)
class NearbyQuery:
    lng: float  # WGS-84
    lat: float
    radius: int = 1000
    types: tuple[str, ...] = ()
    q: str | None = None
    open_now: bool = False
    elderly_friendly: bool = False
    delivery: bool = False
    open_24h: bool = False
    sort: str = "distance"
    page: int = 1
    page_size: int = 20
    auto_extend: bool = False


@dataclass(frozen=True)
class _Where:
    common: str  # every candidate: status, types, keyword, attributes
    fixed: str  # outlets found at their own location (not mobile stalls), with open_now by their hours
    stall_now: str  # stalls: open_now means present at the place shown
    relevance: str  # 0 the name says it, 1 its types or services mean it, 2 another match; 0 without q
    # The distance walk's arms: each one ordered walk of the spatial index under that extra condition, the page
    # from all of them (a keyword: what may match inside the index, and the ids with the repair items it means).
    walks: tuple[str, ...] = ("true",)


def _keyword(query: NearbyQuery, params: dict) -> tuple[str, str, tuple[str, ...]]:
    """The keyword's predicate and relevance: name/address/pinyin initials, trigram similarity of the
    name, and what the words in it mean (types, repair service items, add-on services, words.py)."""
    keyword = query.q.strip()
    meaning = words.meaning_of(keyword)
    params["q"] = keyword
    params["q_like"] = "%" + re.sub(r"([%_\\])", r"\\\1", keyword) + "%"
    named = ["o.name ILIKE :q_like"]
    if _INITIALS_KEYWORD.fullmatch(keyword):
        params["q_initials"] = keyword.lower() + "%"
        named.append("o.name_initials LIKE :q_initials")
    meant = []
    if meaning.types:
        params["q_types"] = sorted(meaning.types)
        meant.append("o.types && CAST(:q_types AS varchar[])")
    offers = None  # the ids of the outlets offering a repair item it means
    if meaning.repair_services:
        params["q_services"] = sorted(meaning.repair_services)
        offers = "SELECT ro.outlet_id FROM repair_offers ro WHERE ro.service_code = ANY(CAST(:q_services AS varchar[]))"
        meant.append(f"o.id = ANY(ARRAY({offers}))")
    if meaning.add_ons:
        params["q_add_ons"] = sorted(meaning.add_ons)
        meant.append("o.services && CAST(:q_add_ons AS varchar[])")
    other = ["o.address ILIKE :q_like", "CAST(:q AS text) <% o.name"]
    match = "(" + " OR ".join(named + meant + other) + ")"
    relevance = f"CASE WHEN {' OR '.join(named)} THEN 0"
    if meant:
        relevance += f" WHEN {' OR '.join(meant)} THEN 1"
    walks = ("true",)
    lexemes = _keyword_lexemes(keyword, meaning)
    if lexemes:
        params["q_lexemes"] = lexemes
        walks = (KEYWORD_MAY_MATCH,)
        if offers:  # the repair items' outlets as a join from their offers (few), not a filter on the walk
            walks += (f"o.id IN ({offers}) AND NOT {KEYWORD_MAY_MATCH}",)
    return match, relevance + " ELSE 2 END", walks


def _filters(query: NearbyQuery, params: dict) -> _Where:
    clauses = ["o.status = 'approved'"]
    relevance, walks = "0", ("true",)
    if query.types:
        clauses.append(TYPES_MATCH)
        params["types_query"] = types_query(query.types)
    if query.q:
        match, relevance, walks = _keyword(query, params)
        # COALESCE(…, false): the same rows, but no index can serve it and the planner guesses it keeps half of
        # them, so it walks the spatial index in distance order (`walks`) instead of ANDing the box with a
        # BitmapOr of the keyword's trigram/types/services indexes, whose every entry in the city it reads
        # (22,687 for 配钥匙's hardware shops), or reading every candidate in the box (≈ 400), to sort them.
        clauses.append(f"COALESCE({match}, false)")
    if query.elderly_friendly:
        # 适老化: cash accepted and someone serving face to face, as the WeChat 适老化 guidance and the
        # elderly-service standards ask; outlets marked elderly-friendly by staff or merchant count too.
        params["self_service"] = list(SELF_SERVICE_TYPES)
        clauses.append(
            "(o.elderly_friendly OR (o.accepts_cash AND o.face_to_face"
            " AND NOT o.types <@ CAST(:self_service AS varchar[])))"
        )
    if query.delivery:
        clauses.append("o.delivery")
    if query.open_24h:
        clauses.append("o.open_24h")
    common = " AND ".join(clauses)
    fixed = common + " AND NOT o.mobile" + (f" AND {OPEN_NOW}" if query.open_now else "")
    return _Where(common, fixed, "pl.present_now" if query.open_now else "true", relevance, walks)


def _base_params(query: NearbyQuery) -> dict:
    moment = clock.now_local()
    return {
        "lng": query.lng,
        "lat": query.lat,
        "minute": minute_of_week(moment),
        "holiday": is_public_holiday(moment.date()),
    }


def _fixed_columns(where: _Where) -> str:
    return _ITEM_COLUMNS.format(
        place="o.location", place_address="o.address", open_now=OPEN_NOW, relevance=where.relevance, point=POINT_SQL
    )


def _stalls(where: _Where) -> str:
    """Mobile stalls whose place now (or next) is within :radius, as items at that place (stalls.py)."""
    near = f"SELECT s.outlet_id FROM repair_stall_slots s WHERE ST_DWithin(s.location, {POINT_SQL}, :radius, true)"
    columns = _ITEM_COLUMNS.format(
        place="pl.g", place_address="pl.address", open_now="pl.present_now", relevance=where.relevance, point=POINT_SQL
    )
    return f"""
    SELECT {columns}
    FROM ({stalls.current_places_sql(where.common, near)}) AS pl JOIN outlets o ON o.id = pl.outlet_id
    WHERE ST_DWithin(pl.g, {POINT_SQL}, :radius, true) AND {where.stall_now}"""


def _page_by_distance(query: NearbyQuery, radius: int, params: dict, where: _Where) -> list[dict]:
    offset, limit = window(query.page, query.page_size)
    k = offset + limit
    params.update(
        radius=radius,
        r_search=radius * RADIUS_SLACK,
        k=k,
        k_wide=k + _wide_margin(k),
        limit=limit,
        offset=offset,
        slack=SPHERE_TO_ELLIPSOID_SLACK,
    )
    # The point is written out in place (not a CTE) so the planner sees a constant the GiST index can
    # order by (`Order By: location <-> point`); a CTE value forces a sort of every candidate. The KNN
    # step is bounded by the index box rather than ST_DWithin: PostGIS estimates ST_DWithin on geography
    # ~100x too low, which led the planner to bitmap scans, parallel workers and JIT (15-800 ms); the box
    # is estimated right. Extra rows the box admits cannot change the cutoff, which is capped at r_search.
    # The walk reads a few more than k (k_wide) so that it usually holds every outlet within the cutoff
    # (`covered`): then the page comes from those rows and the filters ran once per candidate. Only when it
    # does not (many outlets at one spot) is everything within the cutoff read again (a one-time filter).
    # Mobile stalls join the page at their place now (few rows, their own index); the k nearest fixed
    # outlets plus every stall in range hold the page wherever the stalls rank.
    # With several walks (a keyword's arms) each must have read past the cutoff or run out.
    columns = _fixed_columns(where)
    names = ", ".join(_ITEM_NAMES)
    walks = " UNION ALL ".join(
        f"""(SELECT {columns}, o.location <-> {POINT_SQL} AS ds, {arm} AS arm FROM outlets o
        WHERE {where.fixed} AND {condition} AND o.location && _ST_Expand({POINT_SQL}, CAST(:r_search AS float8))
        ORDER BY o.location <-> {POINT_SQL} LIMIT :k_wide)"""
        for arm, condition in enumerate(where.walks)
    )
    sql = f"""
    WITH knn AS ({walks}),
    cutoff AS (
        SELECT d, NOT EXISTS (SELECT FROM knn GROUP BY arm HAVING count(*) >= :k_wide AND max(ds) <= d) AS covered
        FROM (SELECT CASE WHEN count(*) < :k THEN CAST(:r_search AS float8)
                          ELSE LEAST((SELECT ds FROM knn ORDER BY ds OFFSET :k - 1 LIMIT 1) * :slack, :r_search)
                     END AS d
              FROM knn) AS walked
    ),
    fixed AS (
        SELECT {names} FROM knn WHERE (SELECT covered FROM cutoff) AND distance_m <= :radius
        UNION ALL
        SELECT {columns}
        FROM outlets o, cutoff
        WHERE NOT (SELECT covered FROM cutoff)
          AND {where.fixed} AND ST_DWithin(o.location, {POINT_SQL}, cutoff.d, false)
          AND ST_Distance(o.location, {POINT_SQL}, true) <= :radius
    )
    SELECT * FROM fixed
    UNION ALL {_stalls(where)}
    ORDER BY distance_m, id
    LIMIT :limit OFFSET :offset
    """
    # Without a keyword the plan is the index walk above wherever the point is: planned once (reads.GENERIC_PLAN).
    # With one, a generic plan that knows no keyword chose the trigram index and took ~1 s (`q=超市`).
    return _rows(sql, params, generic_plan=not query.q)


ORDERS = {
    "rating": "rating_avg DESC NULLS LAST, rating_count DESC, distance_m, id",
    "relevance": "relevance, distance_m, id",
}


def _page_ranked(query: NearbyQuery, radius: int, params: dict, where: _Where) -> list[dict]:
    """Every match within the radius, ranked by rating or by relevance (then distance)."""
    offset, limit = window(query.page, query.page_size)
    params.update(radius=radius, limit=limit, offset=offset)
    # The outlets in range first (OFFSET 0 keeps the subquery apart), then the filters on those few thousand: with a
    # keyword the planner otherwise ORs trigram index scans, and a two-character Chinese keyword matches most of
    # that index (9-12 s at 1M outlets for q=早点&sort=relevance; 50-100 ms in range first).
    sql = f"""
    SELECT {_fixed_columns(where)}
    FROM (SELECT * FROM outlets o WHERE ST_DWithin(o.location, {POINT_SQL}, :radius, true) OFFSET 0) AS o
    WHERE {where.fixed}
    UNION ALL {_stalls(where)}
    ORDER BY {ORDERS[query.sort]}
    LIMIT :limit OFFSET :offset
    """
    return _rows(sql, params)


def _count_up_to(query: NearbyQuery, radius: int, params: dict, where: _Where, cap: int) -> int:
    sql = f"""
    SELECT count(*) FROM (SELECT 1 FROM outlets o
        WHERE {where.fixed} AND ST_DWithin(o.location, {POINT_SQL}, :radius, true)
        UNION ALL SELECT 1 FROM ({_stalls(where)}) AS stall LIMIT :cap) AS hit
    """
    return reads.scalar(sql, {**params, "radius": radius, "cap": cap})


def _rows(sql: str, params: dict, generic_plan: bool = False) -> list[dict]:
    # The read path: autocommit, prepared, a replica when configured.
    return reads.rows(sql, params, generic_plan=generic_plan)


def _radius_for(query: NearbyQuery, params: dict, where: _Where) -> int:
    """auto_extend: the smallest step radius whose results fill a page (Tencent place search does the same)."""
    if not query.auto_extend:
        return query.radius
    steps = [query.radius] + [r for r in AUTO_EXTEND_STEPS if r > query.radius]
    for radius in steps[:-1]:
        if _count_up_to(query, radius, params, where, query.page_size) >= query.page_size:
            return radius
    return steps[-1]


def search_nearby(query: NearbyQuery) -> tuple[Page, int]:
    """Approved outlets near a WGS-84 point → (the page of rows, radius used)."""
    params = _base_params(query)
    where = _filters(query, params)
    radius = _radius_for(query, params, where)
    if query.sort in ORDERS:
        rows = _page_ranked(query, radius, params, where)
    else:
        rows = _page_by_distance(query, radius, params, where)
    return Page.of(rows, query.page, query.page_size), radius
