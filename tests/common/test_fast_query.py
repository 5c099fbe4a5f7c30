"""The hot routes' query strings are loaded by a compiled loader (app/common/inputs.py FastQuery) instead of
marshmallow's load. It must give exactly the schema's result (values, their types, key order) for every query it
answers, and answer nothing the schema refuses (those go to the schema: the 422 details are marshmallow's own).
Compared here over a table of valid and invalid queries and many random ones, and through the routes."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError
from werkzeug.datastructures import ImmutableMultiDict

from app.common import inputs
from app.outlets.schemas import NearbyQuerySchema
from app.repair.schemas import RepairNearbyQuerySchema

SCHEMAS = [NearbyQuerySchema, RepairNearbyQuerySchema]
POINT = [("lat", "40.3775"), ("lng", "116.8492")]

# Each a list of (key, value) pairs as a query string carries them (repeats allowed).
TABLE = [
    POINT,
    POINT + [("radius", "1000"), ("page_size", "20"), ("coord", "wgs84")],  # the bench's query
    POINT + [("coord", "gcj02")],
    POINT + [("coord", "bd09")],
    POINT + [("coord", "")],
    POINT + [("walk_minutes", "15")],
    POINT + [("walk_minutes", "45")],
    POINT + [("walk_minutes", "46")],
    POINT + [("walk_minutes", "10"), ("radius", "500")],
    POINT + [("radius", "0")],
    POINT + [("radius", "3000")],
    POINT + [("radius", "3001")],
    POINT + [("radius", "-5")],
    POINT + [("radius", "1e3")],
    POINT + [("radius", "1000.0")],
    POINT + [("radius", " 1000")],
    POINT + [("radius", "99999999999999999999")],
    POINT + [("radius", "٣٠٠")],  # Arabic-Indic digits: int() takes them
    POINT + [("radius", "1_000")],
    POINT + [("page", "0")],
    POINT + [("page", "10000")],
    POINT + [("page", "10001")],
    POINT + [("page_size", "50"), ("page", "3")],
    POINT + [("page_size", "51")],
    [("lat", "40.3775")],
    [("lng", "116.8492")],
    [],
    [("lat", "90"), ("lng", "180")],
    [("lat", "90.0000001"), ("lng", "180")],
    [("lat", "-90"), ("lng", "-180")],
    [("lat", "nan"), ("lng", "116")],
    [("lat", "inf"), ("lng", "116")],
    [("lat", "4e1"), ("lng", "116")],
    [("lat", " 40.1"), ("lng", "116")],
    [("lat", "+40.1"), ("lng", "116")],
    [("lat", "40."), ("lng", "116")],
    [("lat", ".5"), ("lng", "116")],
    [("lat", "-0"), ("lng", "-0.0")],
    [("lat", "abc"), ("lng", "116")],
    [("lat", ""), ("lng", "116")],
    [("lat", "40.1"), ("lat", "40.2"), ("lng", "116")],  # repeated: the first one counts
    POINT + [("foo", "1")],
    POINT + [("LAT", "1")],
    POINT + [("types", "convenience_store")],
    POINT + [("types", "convenience_store,breakfast, ,")],
    POINT + [("types", "no_such_type")],
    POINT + [("types", ",".join(["breakfast"] * 21))],
    POINT + [("types", "")],
    POINT + [("services", "key_cutting")],
    POINT + [("services", "配钥匙,修鞋")],
    POINT + [("services", "nonsense")],
    POINT + [("q", "超市")],
    POINT + [("q", "  好邻居  ")],
    POINT + [("q", "   ")],
    POINT + [("q", "x" * 50)],
    POINT + [("q", "x" * 51)],
    POINT + [("q", "")],
    POINT + [("open_now", "1")],
    POINT + [("open_now", "true"), ("delivery", "False"), ("open_24h", "no"), ("elderly_friendly", "yes")],
    POINT + [("open_now", "")],
    POINT + [("open_now", "TRUE")],
    POINT + [("open_now", "2")],
    POINT + [("present_now", "1")],
    POINT + [("present_now", "maybe")],
    POINT + [("auto_extend", "1")],
    POINT + [("sort", "rating")],
    POINT + [("sort", "relevance"), ("q", "早点")],
    POINT + [("sort", "nearest")],
]


def _schema_result(schema, pairs):
    """What the route's parser gets from marshmallow: ("ok", data) or ("error", messages)."""
    parser = inputs.Parser(unknown=None)
    args = ImmutableMultiDict(pairs)
    raw = {key: args[key] for key in args}  # as Parser.load_querystring (no multi-value fields here)
    try:
        return "ok", schema.load(raw)
    except ValidationError as error:
        return "error", error.messages
    finally:
        del parser


def _check(schema_class, pairs):
    schema = inputs.Parser(unknown=None)._get_schema(schema_class, None)
    fast = inputs._FAST_QUERIES[schema_class]
    got = fast.load(ImmutableMultiDict(pairs))
    outcome, expected = _schema_result(schema, pairs)
    if got is None:
        return outcome
    assert outcome == "ok", (pairs, expected)
    assert got == expected, pairs
    assert list(got) == list(expected), pairs
    assert [type(v) for v in got.values()] == [type(v) for v in expected.values()], pairs
    return "fast"


@pytest.mark.parametrize("schema_class", SCHEMAS)
def test_table_same_as_the_schema(app, schema_class):
    with app.test_request_context():
        outcomes = [_check(schema_class, pairs) for pairs in TABLE]
    # The common queries do take the fast path (else it would silently stop paying), invalid ones never do.
    assert outcomes[0] == outcomes[1] == outcomes[2] == "fast"
    assert "error" in outcomes and "fast" in outcomes


KEYS = [
    "lat",
    "lng",
    "radius",
    "walk_minutes",
    "page",
    "page_size",
    "coord",
    "types",
    "services",
    "q",
    "open_now",
    "present_now",
    "sort",
    "auto_extend",
    "delivery",
    "x",
]
VALUES = st.one_of(
    st.integers(-5, 4000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(-200, 200, places=7, allow_nan=False).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "1",
            "0",
            "true",
            "False",
            "yes",
            "wgs84",
            "gcj02",
            "distance",
            "rating",
            "relevance",
            "breakfast",
            "配钥匙",
            "超市 ",
            "1e2",
            "0x10",
            "1_0",
            "-0",
            "٣",
        ]
    ),
    st.text(max_size=8),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    schema_index=st.integers(0, len(SCHEMAS) - 1),
    lat=st.floats(-95, 95).map(lambda v: f"{v:.6f}"),
    lng=st.floats(-185, 185).map(lambda v: f"{v:.6f}"),
    extra=st.lists(st.tuples(st.sampled_from(KEYS), VALUES), max_size=5),
)
def test_random_queries_same_as_the_schema(app, schema_index, lat, lng, extra):
    with app.test_request_context():
        _check(SCHEMAS[schema_index], [("lat", lat), ("lng", lng), *extra])


def test_the_bench_queries_take_the_fast_path(app):
    rnd = random.Random(7)
    with app.test_request_context():
        for _ in range(200):
            pairs = [
                ("lat", f"{rnd.uniform(40.3, 40.45):.6f}"),
                ("lng", f"{rnd.uniform(116.75, 116.95):.6f}"),
                ("radius", "1000"),
                ("page_size", "20"),
                ("coord", rnd.choice(["wgs84", "gcj02"])),
            ]
            assert _check(NearbyQuerySchema, pairs) == "fast"


def test_routes_answer_the_same(client, monkeypatch):
    """Through the API: valid queries give the same page and invalid ones the same 422 envelope, with the
    compiled loader and without it."""
    queries = [
        "lat=40.3775&lng=116.8492&radius=1000&page_size=20&coord=wgs84",
        "lat=40.3775&lng=116.8492&walk_minutes=10&coord=gcj02&open_now=1",
        "lat=40.3775&lng=116.8492&walk_minutes=99",
        "lat=40.3775&lng=116.8492&radius=5000&page=0",
        "lat=nan&lng=116.8492",
        "lat=40.3775",
        "lat=40.3775&lng=116.8492&foo=1",
        "lat=40.3775&lng=116.8492&q=" + "长" * 51,
        "lat=40.3775&lng=116.8492&types=nope",
    ]
    paths = ["/api/v1/outlets/nearby?" + q for q in queries] + ["/api/v1/repair/nearby?" + q for q in queries[:7]]
    paths.append("/api/v1/repair/nearby?lat=40.3775&lng=116.8492&services=nonsense")
    answered = []
    for loader in inputs._FAST_QUERIES.values():
        monkeypatch.setattr(loader, "load", _counting(loader.load, answered))
    fast = [(r.status_code, r.get_json()) for r in map(client.get, paths)]
    assert len(answered) == 3  # the routes did use it: the two valid queries on nearby, one on repair nearby
    monkeypatch.setattr(inputs, "_FAST_QUERIES", {})
    slow = [(r.status_code, r.get_json()) for r in map(client.get, paths)]
    assert fast == slow
    assert {status for status, _ in fast} == {200, 422}


def _counting(load, answered):
    def counted(args):
        data = load(args)
        if data is not None:
            answered.append(data)
        return data

    return counted
