"""JSON by orjson where it gives what the standard library gives (`loads`, `dumps`), and the hot path's
response: a schema's fields picked from a ready dict, encoded by orjson.

marshmallow's dump walks every field of every item through its field objects (0.4 ms for a nearby page of 20,
a third of the request once the database is one round trip). The views on the hot path (nearby, repair
nearby, outlet detail) already build each value in its final JSON shape (`present.py`), so all the dump still
does is drop the keys the schema does not declare. `Projection(schema)` does exactly that, compiled once
from the schema's declared fields; the schema stays what `@blp.response` documents in OpenAPI and what
tests/common/test_fastjson.py compares the projection with, item by item, against marshmallow's own dump.
"""

import json
from collections.abc import Callable

import orjson
from flask import Response
from marshmallow import Schema, fields

# orjson decodes 2-4x faster than the standard library (a nearby page has 42 jsonb values: ~0.3 ms of a
# request). It decodes differently only numbers beyond 64-bit integers (a float instead of an int) or beyond a
# double (an error); PostgreSQL's jsonb and our own dumps write numbers in plain digits, so a text with a run of
# 20 digits anywhere (rare: the guard also catches digits inside strings) goes to json.loads as before.
_DIGITS_AS_ZERO = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_NUMBER = b"0" * 20


def loads(data: bytes | str):
    """json.loads' result, faster (jsonb from psycopg, cached evaluation results)."""
    if isinstance(data, str):
        data = data.encode()
    if _LONG_NUMBER in data.translate(_DIGITS_AS_ZERO):
        return json.loads(data)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


# orjson writes what json.dumps(…, ensure_ascii=False, default=…) writes, without the spaces, in a fifth of the
# time. Types orjson would write its own way (datetimes, dataclasses, subclasses of str/int/dict) go to
# `default` as json would send them; what orjson refuses (integers beyond 64 bits, a `default` that fails)
# goes to json.dumps. NaN and Infinity it would write as null without refusing: a caller whose values may
# hold them checks first.
_AS_JSON_DOES = (
    orjson.OPT_NON_STR_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def dumps(value, default: Callable) -> str:
    """json.dumps(value, ensure_ascii=False, default=default), faster and without the spaces."""
    try:
        return orjson.dumps(value, default=default, option=_AS_JSON_DOES).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, default=default)


# Fields whose dumped value is the value itself (a str, int, bool, list of them, dict or None) once present.py
# has built it. A Float or Integer field coerces (float(…)/int(…)) as marshmallow does. Anything else
# (Decimal, Method, a DateTime of another format, …) needs marshmallow: refused when the projection is built.
PLAIN = (fields.String, fields.Boolean, fields.Dict, fields.Raw)


def _compile(field: fields.Field) -> Callable | None:
    """A function non-None value → dumped value, or None for "as is". The generated code tests for None
    itself, so a nested schema is its projection's own generated function and a number the builtin: no
    wrapper call per value (three calls per nested value of a page's 20 items cost as much as the rest)."""
    if isinstance(field, fields.Nested):
        inner = Projection(field.schema)._project
        return _each(inner) if field.many else inner
    if isinstance(field, fields.List):
        inner = _compile(field.inner)
        return None if inner is None else _each(inner)
    if isinstance(field, fields.Float):
        return float
    if isinstance(field, fields.Integer):
        return int
    if type(field) is fields.DateTime and field.format == "iso":  # (bound: the schema's format or the default)
        return fields.DateTime.SERIALIZATION_FUNCS["iso"]
    if isinstance(field, fields.UUID) and type(field)._serialize is fields.UUID._serialize:
        return str
    if type(field) in PLAIN:
        return None
    raise TypeError(f"{type(field).__name__} needs marshmallow's dump; keep it off the fast path")


def _each(convert: Callable) -> Callable:
    return lambda values: [None if value is None else convert(value) for value in values]


class Projection:
    """Callable: dict → the dict marshmallow's `schema.dump` makes of it (declared keys present in the input,
    each converted as its field would).

    The plan is compiled into one Python function per schema (straight-line code, one `if` per field): a
    loop over the plan's tuples cost as much again for a page of 20 items with their nested parts."""

    def __init__(self, schema: Schema | type[Schema]):
        schema = schema() if isinstance(schema, type) else schema
        # post_dump hooks are not run. The one the hot path's schemas have (PageSchema's) drops a `total` the
        # page does not have; a projection never adds a key the input lacks, so the result is the same.
        self.plan = []
        for name, field in schema.dump_fields.items():
            self.plan.append((field.attribute or name, field.data_key or name, _compile(field)))
        self._project = _generate(self.plan)

    def __call__(self, data: dict) -> dict:
        return self._project(data)


def _generate(plan: list[tuple[str, str, Callable | None]]) -> Callable[[dict], dict]:
    """The plan as the function `project(data)`; keys are written as literals (repr), converters passed in."""
    lines, namespace = ["def project(data):", "    out = {}"], {}
    for i, (source, key, convert) in enumerate(plan):
        lines.append(f"    if {source!r} in data:")
        if convert is None:
            lines.append(f"        out[{key!r}] = data[{source!r}]")
        else:
            namespace[f"convert_{i}"] = convert
            lines.append(f"        value = data[{source!r}]")
            lines.append(f"        out[{key!r}] = value if value is None else convert_{i}(value)")
    lines.append("    return out")
    exec(compile("\n".join(lines), f"<projection of {len(plan)} fields>", "exec"), namespace)  # noqa: S102
    return namespace["project"]


def response(body, status: int = 200) -> Response:
    """JSON response as Flask's jsonify would send it here (UTF-8, not ASCII-escaped, compact)."""
    return Response(orjson.dumps(body), status=status, mimetype="application/json")
