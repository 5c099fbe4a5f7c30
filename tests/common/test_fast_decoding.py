"""The hot path's faster stand-ins give exactly what they replace: jsonb decoded by orjson (app/common/fastjson.py),
opening-hours text remembered by the hours' JSON, or made from the column's text (app/outlets/hours.py), the JSON
log line written by orjson (app/common/logs.py) and query strings read into a plain dict (app/common/inputs.py)."""

import json
import math
import random
from datetime import UTC, date, datetime

import pytest
from flask import request
from marshmallow import EXCLUDE, Schema, ValidationError, fields
from sqlalchemy import text
from webargs.multidictproxy import MultiDictProxy

from app.common import fastjson, inputs, logs
from app.outlets import hours
from app.outlets.schemas import NearbyQuerySchema

# What a jsonb column may hold; PostgreSQL writes numbers out in plain digits (1e30 as 1 and 30 zeros).
JSONB_VALUES = [
    {},
    [],
    {"mon": [["07:00", "20:00"]], "sat": [["09:00", "12:00"], ["14:00", "18:00"]]},
    [{"url": "/api/v1/uploads/a/file"}, "/y.jpg"],
    {"n": 123456789012345678901234567890, "m": -18446744073709551616, "u": 18446744073709551615},
    {"f": 1.5, "g": -0.000001, "h": 1e30, "i": 1e-30, "j": 12345678901234567.0, "k": 0.1 + 0.2},
    {"id": "91110000600037341L", "phone": "13900001111", "digits": "123456789012345678901234"},
    {"zh": "社区老店 — 修鞋、配钥匙", "emoji": "🍜", "escaped": 'a"b\\c\n\t\u0001'},
    {"deep": [[[[{"a": [1, [2, [3, None, True, False]]]}]]]]},
    1,
    "text",
    None,
]


@pytest.mark.parametrize("value", JSONB_VALUES, ids=range(len(JSONB_VALUES)))
def test_jsonb_decodes_as_the_standard_library(db, value):
    out = db.session.execute(text("SELECT CAST(:v AS jsonb)::text"), {"v": json.dumps(value)}).scalar()
    assert fastjson.loads(out.encode()) == json.loads(out)
    assert type(fastjson.loads(out.encode())) is type(json.loads(out))
    if isinstance(value, dict) and "n" in value:  # big integers stay integers
        assert fastjson.loads(out.encode())["n"] == 123456789012345678901234567890
    # …and what psycopg hands the application is the same (the loader is installed for every connection).
    fetched = db.session.execute(text("SELECT CAST(:v AS jsonb)"), {"v": json.dumps(value)}).scalar()
    assert fetched == json.loads(out)


def test_huge_and_tiny_numerics_decode_as_the_standard_library(db):
    out = db.session.execute(
        text("SELECT jsonb_build_array(1e400::numeric, 1e-400::numeric, 2^70::numeric)::text")
    ).scalar()
    assert fastjson.loads(out.encode()) == json.loads(out)


def _random_hours(rnd):
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    spans = [[["07:00", "20:00"]], [["09:00", "12:00"], ["14:00", "18:00"]], [["22:00", "02:00"]], []]
    return {d: rnd.choice(spans) for d in days if rnd.random() < 0.8}


def test_hours_text_is_the_same_remembered_or_not():
    rnd = random.Random(7)
    for _ in range(300):
        value, open_24h, closed = _random_hours(rnd), rnd.random() < 0.1, rnd.random() < 0.3
        assert hours.hours_text(value, open_24h, closed) == hours._hours_text(value, open_24h, closed)
    # Keys JSON cannot hold are not remembered, and still answered.
    odd = {"mon": [("07:00", "20:00")], 1: []}
    assert hours.hours_text(odd, False) == hours._hours_text(odd, False, False) == "周一 07:00-20:00；周二至周日 休息"


def test_hours_text_of_the_stored_text_is_that_of_the_hours(db):
    # The read path selects `hours::text` (app/outlets/search.py) and never decodes it when its text is known.
    rnd = random.Random(11)
    cases = [(_random_hours(rnd), rnd.random() < 0.1, rnd.random() < 0.3) for _ in range(200)]
    cases += [({}, False, False), ({}, True, True), (None, False, False)]
    for value, open_24h, closed in cases:
        stored = db.session.execute(text("SELECT CAST(CAST(:v AS jsonb) AS text)"), {"v": json.dumps(value)}).scalar()
        expected = hours._hours_text(value or {}, open_24h, closed)
        assert (
            hours.hours_text_of_json(stored, open_24h, closed)
            == expected
            == hours.hours_text(value or {}, open_24h, closed)
        )


@pytest.mark.parametrize(
    "extra",
    [
        {"method": "GET", "status": 200, "duration_ms": 3.2, "user_id": None, "route": "/api/v1/outlets/nearby"},
        {"when": datetime(2026, 12, 1, 20, 0, tzinfo=UTC), "day": date(2026, 12, 1), "tags": {"a", "b"}},
        {"big": 2**70, "nested": {1: "int key", "zh": "中文"}, "ratio": 0.1 + 0.2},
        {"nan": math.nan, "inf": math.inf},
    ],
)
def test_log_lines_say_what_the_standard_library_says(extra):
    line = {"ts": "2026-12-01T20:00:00.000+00:00", "level": "info", "msg": "request", **extra}
    want = json.dumps(line, ensure_ascii=False, default=str)
    got = logs._dumps(line)
    if any(isinstance(v, float) and not math.isfinite(v) for v in extra.values()):
        assert got == want
    else:
        assert json.loads(got) == json.loads(want)


class _Repeated(Schema):
    tag = fields.List(fields.String())
    one = fields.String()
    n = fields.Integer(load_default=3)


@pytest.mark.parametrize(
    "query",
    [
        "lng=116.85&lat=40.38&coord=wgs84&types=pharmacy&types=bakery&page=2",
        "lng=116.85&lat=40.38&q=%E8%B6%85%E5%B8%82&open_now=1&sort=relevance&walk_minutes=10",
        "lng=116.85&lat=40.38&unknown_parameter=1&lng=1",
    ],
)
def test_query_strings_load_as_through_webargs_proxy(app, query):
    parser = inputs.Parser()
    for schema in (NearbyQuerySchema(), _Repeated()):
        for q in (query, "tag=a&tag=b&one=x&one=y", "one=&tag="):
            with app.test_request_context(f"/?{q}"):
                plain = parser.load_querystring(request, schema)
                assert isinstance(plain, dict)
                proxy = MultiDictProxy(request.args, schema)
                try:
                    want = schema.load(proxy, unknown=EXCLUDE)
                except ValidationError as error:
                    with pytest.raises(ValidationError) as got:
                        schema.load(plain, unknown=EXCLUDE)
                    assert got.value.messages == error.messages
                else:
                    assert schema.load(plain, unknown=EXCLUDE) == want
