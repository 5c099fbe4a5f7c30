"""Input that no field of any route may let through, refused once here for every route (never a 500 on input).

- Integers: PostgreSQL's `integer` is int4. Path ids (the `int` URL converter) beyond it are a 404; integer fields
  of every BaseSchema (query and body) are bounded to it unless they declare a narrower range → 422.
- Text: NUL cannot be stored by PostgreSQL and lone surrogates cannot be encoded as UTF-8; any string (or key) with
  one, anywhere in the query, the path or a JSON body (including free-form JSON such as a circle's `profile`) → 422
  naming the field.
- JSON bodies: nesting beyond MAX_JSON_DEPTH, NaN/Infinity and undecodable bytes → 400 `invalid_json`.
- Size: bodies beyond MAX_CONTENT_LENGTH → 413 before they are read (uploads raise their own limit per request).
"""

import json
import re
from itertools import chain
from weakref import WeakKeyDictionary

from flask import request
from marshmallow import EXCLUDE, INCLUDE, Schema, ValidationError, fields, validate
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.routing import IntegerConverter

from app.common.errors import ValidationFailed

INT4_MIN, INT4_MAX = -(2**31), 2**31 - 1
# Deeper than any document this API takes (GeoJSON polygons are 4 levels); keeps the parser far from recursion limits.
MAX_JSON_DEPTH = 64
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
BAD_TEXT_MESSAGE = "不能包含 NUL 或无效的 Unicode 字符"


class Int4Converter(IntegerConverter):
    """`<int:…>` bounded to int4: a larger id cannot name a row, so the route does not match (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=INT4_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bound_integers(field):
    """Adds the int4 range to an Integer field (or a list's items) that declares no upper bound of its own."""
    if isinstance(field, fields.List):
        bound_integers(field.inner)
    elif isinstance(field, fields.Integer):
        ranges = [v for v in field.validators if isinstance(v, validate.Range)]
        if not any(r.max is not None for r in ranges):
            low = max((r.min for r in ranges if r.min is not None), default=INT4_MIN)
            field.validators.append(validate.Range(min=max(low, INT4_MIN), max=INT4_MAX))


def bad_text_path(value, path=""):
    """The path ("profile.tags[2]") of the first string or key holding NUL or a lone surrogate, else None."""
    stack = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            if _BAD_TEXT.search(item):
                return where or "_body"
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{where}.{key}" if where else str(key)
                if isinstance(key, str) and _BAD_TEXT.search(key):
                    return where or "_body"  # the key itself cannot be shown
                stack.append((name, child))
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", child) for i, child in enumerate(item))
    return None


def _depth_exceeds(data: str, limit: int) -> bool:
    """Bracket depth outside strings, without parsing (json.loads recurses and would hit the recursion limit)."""
    depth, in_string, escaped = 0, False, False
    for char in data:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


# webargs reads a JSONDecodeError whose doc is empty as "no body"; ours always name one.
_DOC = "request body"


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def load_json(data: bytes):
    """A request body as JSON, or json.JSONDecodeError (→ 400 invalid_json) / ValidationFailed (→ 422)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise json.JSONDecodeError(f"Bytes decoding error : {exc.reason}", doc=_DOC, pos=exc.start) from exc
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and _depth_exceeds(text, MAX_JSON_DEPTH):
        raise json.JSONDecodeError(f"nested deeper than {MAX_JSON_DEPTH}", doc=_DOC, pos=0)
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as exc:  # defence in depth; the depth check above should have refused it
        raise json.JSONDecodeError("nested too deeply", doc=_DOC, pos=0) from exc
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise
        raise json.JSONDecodeError(str(exc), doc=_DOC, pos=0) from exc
    where = bad_text_path(value)
    if where:
        raise ValidationFailed(details={where: [BAD_TEXT_MESSAGE]})
    return value


class Parser(FlaskParser):
    """webargs' parser for every blueprint, with the JSON body read by load_json."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        return load_json(req.get_data(cache=True))

    def load_querystring(self, req, schema):
        # A plain dict of the parameters sent, lists for the schema's multi-value fields: webargs' proxy looks
        # up every declared field in werkzeug's MultiDict, where each absent one raises (and builds) a
        # BadRequestKeyError, and it collects the multi-value fields anew on every request.
        multiple = _MULTIPLE_KEYS.get(schema)
        if multiple is None:
            multiple = _MULTIPLE_KEYS[schema] = frozenset(self._makeproxy({}, schema).multiple_keys)
        args = req.args
        return {key: args.getlist(key) if key in multiple else args[key] for key in args}

    def parse(self, argmap, req=None, *, location=None, **kwargs):
        # The hot routes' query strings (registered with `fast_query`) are loaded by a compiled loader, which
        # gives way to the schema itself for anything it is not sure of: errors always come from marshmallow.
        fast = _FAST_QUERIES.get(argmap) if location == "query" else None
        if fast is not None and kwargs.get("validate") is None and self._schemas_unknown(kwargs):
            data = fast.load(request.args)
            if data is not None:
                return data
        return super().parse(argmap, req, location=location, **kwargs)

    def _schemas_unknown(self, kwargs) -> bool:
        """Whether this parse leaves unknown parameters to the schema (RAISE), as FastQuery does."""
        unknown = kwargs.get("unknown", core._UNKNOWN_DEFAULT_PARAM)
        return unknown is None or (unknown == core._UNKNOWN_DEFAULT_PARAM and self.unknown is None)

    def _get_schema(self, argmap, req):
        # webargs instantiates a schema class on every request, and marshmallow deep-copies every declared
        # field in __init__ (~0.3 ms for the nearby query's schema, a tenth of the request). Loading keeps no
        # state on the instance, so one per class serves every request and thread.
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            schema = _SCHEMA_INSTANCES.get(argmap)
            if schema is None:
                schema = _SCHEMA_INSTANCES[argmap] = argmap()
            return schema
        return super()._get_schema(argmap, req)


_SCHEMA_INSTANCES: dict = {}
_FAST_QUERIES: dict = {}
_MULTIPLE_KEYS: WeakKeyDictionary = WeakKeyDictionary()


# A query value the compiled loader converts itself: what float()/int() take in marshmallow's Number fields,
# narrowed to plain decimals (no spaces, signs on integers, exponents, underscores, "nan"): anything else goes to
# the schema, which says whether it is valid and how.
_PLAIN_DECIMAL = re.compile(r"-?[0-9]{1,12}(?:\.[0-9]{1,20})?\Z")
_PLAIN_INTEGER = re.compile(r"[0-9]{1,9}\Z")


class FastQuery:
    """A query schema's `load` for the valid requests of hot routes, compiled from the schema (~0.2 ms of
    webargs' and marshmallow's machinery per nearby search, an eighth of a gunicorn worker's CPU per request).

    `load(args)` returns what `schema.load` returns for the same parameters, or None when it cannot be sure:
    an unknown, repeated or multi-value parameter, a value that is not a plain decimal / integer / text / flag,
    any validator or schema hook that refuses. The caller then parses with the schema, so an invalid request
    gets marshmallow's own 422 details, and an unusual but valid one its own result. Fields of other types are
    converted by their own `deserialize`. The schema's `validates_schema` and `post_load` hooks run as
    marshmallow runs them (in its order, with its arguments); a schema with hooks this cannot run the same way
    (pre_load, field `@validates`, collection or pass_original hooks) is refused when compiled.
    tests/common/test_fast_query.py compares the two over a table of inputs and random ones.
    """

    def __init__(self, schema: Schema, multiple_keys=frozenset()):
        hooks = schema._hooks
        if hooks[PRE_LOAD] or hooks[VALIDATES]:
            raise TypeError(f"{type(schema).__name__}: pre_load / @validates hooks need marshmallow's load")
        for tag in (VALIDATES_SCHEMA, POST_LOAD):
            for _name, many, options in hooks[tag]:
                if many or options.get("pass_original"):
                    raise TypeError(f"{type(schema).__name__}: collection / pass_original hooks need marshmallow")
        if schema.unknown in (EXCLUDE, INCLUDE) or schema.many or schema.partial:
            raise TypeError(f"{type(schema).__name__}: only strict (unknown=RAISE), single, whole schemas")
        self.schema = schema
        self.hook_options = {"many": False, "partial": schema.partial, "unknown": schema.unknown}
        self.validators = [getattr(schema, name) for name, _many, _options in hooks[VALIDATES_SCHEMA]]
        self.post_loads = [getattr(schema, name) for name, _many, _options in hooks[POST_LOAD]]
        # (key in the query, attribute in the result, converter or None when absent → not sent, default)
        self.fields = {}
        self.defaults = []
        for name, field in schema.load_fields.items():
            key, attribute = field.data_key or name, field.attribute or name
            convert = None if key in multiple_keys else _converter(field)
            self.fields[key] = (attribute, convert)
            if field.required:
                self.defaults.append((key, attribute, _REQUIRED))
            else:
                self.defaults.append((key, attribute, field.load_default))

    def load(self, args) -> dict | None:
        fields_ = self.fields
        sent = {}
        for key, values in args.lists():
            if len(values) != 1 or key not in fields_:
                return None
            sent[key] = values[0]
        data = {}
        for key, attribute, default in self.defaults:
            if key in sent:
                convert = fields_[key][1]
                if convert is None:
                    return None
                value = convert(sent[key])
                if value is _NOT_SURE:
                    return None
                data[attribute] = value
            elif default is _REQUIRED:
                return None
            elif default is not _MISSING:
                data[attribute] = default() if callable(default) else default
        options = self.hook_options
        try:
            for validator in self.validators:
                validator(data, **options)
            for post_load in self.post_loads:
                data = post_load(data, **options)
        except ValidationError:
            return None
        return data


_NOT_SURE, _REQUIRED = object(), object()
_MISSING = fields.Field().load_default  # marshmallow's `missing`


def _validated(field, value):
    for validator in field.validators:
        try:
            if validator(value) is False:
                return _NOT_SURE
        except ValidationError:
            return _NOT_SURE
    return value


def _converter(field):
    """A function query text → loaded value (or _NOT_SURE) equal to `field.deserialize(text)` when valid."""
    kind = type(field)
    if kind is fields.Float and not field.as_string:

        def convert(text):
            return _validated(field, float(text)) if _PLAIN_DECIMAL.match(text) else _NOT_SURE

    elif kind is fields.Integer and not field.strict and not field.as_string:

        def convert(text):
            return _validated(field, int(text)) if _PLAIN_INTEGER.match(text) else _NOT_SURE

    elif kind is fields.String:

        def convert(text):
            return _validated(field, text)

    elif isinstance(field, fields.Boolean) and field.truthy and not field.validators:
        flags = {v: False for v in field.falsy if isinstance(v, str)}
        flags.update({v: True for v in field.truthy if isinstance(v, str)})

        def convert(text):
            return flags.get(text, _NOT_SURE)

    else:

        def convert(text):
            try:
                return field.deserialize(text)
            except ValidationError:
                return _NOT_SURE

    return convert


def fast_query(schema_class: type[Schema]) -> type[Schema]:
    """Registers a hot route's query schema for the compiled loader (FastQuery); returns the class, so it can
    decorate it. The schema stays the OpenAPI document and the judge of every request the loader passes on."""
    parser = Parser(unknown=None)
    schema = parser._get_schema(schema_class, None)
    multiple = frozenset(parser._makeproxy({}, schema).multiple_keys)
    _FAST_QUERIES[schema_class] = FastQuery(schema, multiple)
    return schema_class


def _refuse_bad_text_in_url():
    # One search over everything first (almost every request is clean), field by field only to name them. A
    # query string of ASCII without `%` decodes to itself (`+` to a space): it can hold neither NUL nor a lone
    # surrogate, and its parameters need not be collected to know it (most searches' URLs).
    query = request.environ.get("QUERY_STRING", "")
    if query.isascii() and "%" not in query and "\x00" not in query:
        texts = [v for v in (request.view_args or {}).values() if isinstance(v, str)]
    else:
        args = request.args
        texts = [*args.keys(), *chain.from_iterable(args.listvalues())]
        texts += [v for v in (request.view_args or {}).values() if isinstance(v, str)]
    if not _BAD_TEXT.search("".join(texts)):
        return
    fields_with_bad_text = {}
    for key, values in request.args.lists():
        if _BAD_TEXT.search(key) or any(_BAD_TEXT.search(v) for v in values):
            fields_with_bad_text[key if not _BAD_TEXT.search(key) else "_query"] = [BAD_TEXT_MESSAGE]
    for key, value in (request.view_args or {}).items():
        if isinstance(value, str) and _BAD_TEXT.search(value):
            fields_with_bad_text[key] = [BAD_TEXT_MESSAGE]
    if fields_with_bad_text:
        raise ValidationFailed(details=fields_with_bad_text)


def init_app(app, api):
    """Before blueprints are registered: the bounded `int` converter (routes and their OpenAPI parameters)."""
    from flask_smorest.spec.plugins import integerconverter2paramschema

    app.url_map.converters["int"] = Int4Converter
    api.register_converter(Int4Converter, integerconverter2paramschema)
    app.before_request(_refuse_bad_text_in_url)
