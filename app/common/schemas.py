"""Shared marshmallow pieces: strict base schema, points, paging."""

from marshmallow import RAISE, Schema, fields, post_dump, post_load, validate

from app.common import geo
from app.common.geo import COORD_SYSTEMS
from app.common.inputs import bound_integers


class BaseSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    def on_bind_field(self, field_name, field_obj):
        # Every integer fits PostgreSQL's int4 unless the field says narrower (app/common/inputs.py).
        bound_integers(field_obj)


class PointSchema(BaseSchema):
    lat = fields.Float(required=True, allow_nan=False, validate=validate.Range(-90, 90))
    lng = fields.Float(required=True, allow_nan=False, validate=validate.Range(-180, 180))


# A telephone number as people write it (landline with area code, mobile, extension).
PHONE = validate.Regexp(r"^[0-9+\-() ]{5,40}$", error="电话号码格式有误")


def coord_field(**kwargs):
    return fields.String(load_default=COORD_SYSTEMS[0], validate=validate.OneOf(COORD_SYSTEMS), **kwargs)


def _points_to_wgs84(value, coord):
    if isinstance(value, dict):
        if set(value) == {"lat", "lng"}:  # a loaded PointSchema
            lng, lat = geo.to_wgs84(value["lng"], value["lat"], coord)
            return {"lat": lat, "lng": lng}
        return {key: _points_to_wgs84(item, coord) for key, item in value.items()}
    if isinstance(value, list):
        return [_points_to_wgs84(item, coord) for item in value]
    return value


class LocatedSchema(BaseSchema):
    """Input whose points arrive in the request's `coord` and leave the parser in WGS-84 (storage).

    Converts on load, so no route converts by hand: every nested point (`{"lat", "lng"}`, e.g. `location`,
    `schedule[].location`) and a top-level `lat`/`lng` pair (query strings). `coord` stays in the data: the
    answer is given in it.
    """

    coord = coord_field()

    @post_load
    def _to_wgs84(self, data, **kwargs):
        coord = data.get("coord", COORD_SYSTEMS[0])
        data = {key: _points_to_wgs84(value, coord) for key, value in data.items()}
        if data.get("lat") is not None and data.get("lng") is not None:
            data["lng"], data["lat"] = geo.to_wgs84(data["lng"], data["lat"], coord)
        return data


class PointQuerySchema(LocatedSchema):
    """`lat`, `lng`, `coord` in a query string: the resident's position, WGS-84 after loading."""

    lat = fields.Float(required=True, allow_nan=False, validate=validate.Range(-90, 90))
    lng = fields.Float(required=True, allow_nan=False, validate=validate.Range(-180, 180))


class PageQuerySchema(BaseSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))


class CoordPageQuerySchema(PageQuerySchema):
    """A page of records with places, given in `coord`."""

    coord = coord_field()


class PageSchema(Schema):
    page = fields.Integer()
    page_size = fields.Integer()
    has_more = fields.Boolean()
    total = fields.Integer(metadata={"description": "总数（仅在统计代价小时给出）"})

    @post_dump
    def _total_where_cheap(self, data, **kwargs):
        # The contract: `total` where cheap; a list that does not count leaves it out rather than sending null.
        if data.get("total", 0) is None:
            del data["total"]
        return data


def page_of(item_schema, name):
    """A page schema whose items are item_schema (the contract's list shape)."""
    return type(name, (PageSchema,), {"items": fields.List(fields.Nested(item_schema))})


class CommaList(fields.Field):
    """`types=a,b,c` in a query string → ["a", "b", "c"] (empty parts dropped)."""

    default_error_messages = {"invalid": "应为逗号分隔的列表"}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        return [part.strip() for part in value.split(",") if part.strip()]

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else ",".join(value)


class Bool(fields.Boolean):
    """Query-string booleans as the mini-program sends them (1/0, true/false)."""

    truthy = {"1", "true", "True", "yes", 1}
    falsy = {"0", "false", "False", "no", "", 0}


class ErrorDetailSchema(Schema):
    code = fields.String(required=True, metadata={"description": "稳定的错误代码（snake_case）"})
    message = fields.String(required=True, metadata={"description": "中文说明"})
    details = fields.Dict(required=True, metadata={"description": "字段 → 错误列表，或其他补充信息"})


class ErrorSchema(Schema):
    """The contract's error envelope; every error response in the OpenAPI document points here."""

    error = fields.Nested(ErrorDetailSchema, required=True)
