from datetime import date

from marshmallow import ValidationError, fields, validate, validates_schema

from app.common.schemas import (
    BaseSchema,
    LocatedSchema,
    PageQuerySchema,
    PageSchema,
    PointQuerySchema,
    PointSchema,
    coord_field,
)
from app.events.models import EVENT_THEMES

_date = dict(validate=validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31)))


class _EventFields(LocatedSchema):
    title = fields.String(validate=validate.Length(min=1, max=120))
    theme = fields.String(
        validate=validate.OneOf(tuple(EVENT_THEMES)),
        metadata={"description": "；".join(f"{code} {name}" for code, name in EVENT_THEMES.items())},
    )
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))
    location = fields.Nested(PointSchema, metadata={"description": "活动地点，坐标系见 coord"})
    address = fields.String(validate=validate.Length(max=255))
    starts_on = fields.Date(**_date)
    ends_on = fields.Date(**_date)
    organiser = fields.String(validate=validate.Length(min=1, max=120), metadata={"description": "主办方"})
    circle_id = fields.Integer(metadata={"description": "所属生活圈；不填则按地点确定"})

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError(["结束日期不能早于开始日期"], "ends_on")


class EventCreateSchema(_EventFields):
    title = fields.String(required=True, validate=validate.Length(min=1, max=120))
    theme = fields.String(required=True, validate=validate.OneOf(tuple(EVENT_THEMES)))
    location = fields.Nested(PointSchema, required=True)
    address = fields.String(load_default="", validate=validate.Length(max=255))
    starts_on = fields.Date(required=True, **_date)
    ends_on = fields.Date(required=True, **_date)
    organiser = fields.String(required=True, validate=validate.Length(min=1, max=120))


class EventUpdateSchema(_EventFields):
    pass


class CoordQuerySchema(BaseSchema):
    coord = coord_field()


class NearbyEventsQuerySchema(PointQuerySchema, PageQuerySchema):
    radius = fields.Integer(load_default=3000, validate=validate.Range(min=1, max=10000))


class CircleEventsQuerySchema(PageQuerySchema):
    year = fields.Integer(load_default=None, validate=validate.Range(2000, 2100), metadata={"description": "默认今年"})
    coord = coord_field()


class EventSchema(BaseSchema):
    id = fields.Integer()
    circle_id = fields.Integer()
    title = fields.String()
    theme = fields.String()
    theme_name = fields.String()
    description = fields.String(allow_none=True)
    location = fields.Nested(PointSchema)
    address = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    organiser = fields.String()
    status = fields.String(metadata={"description": "upcoming 未开始 / ongoing 进行中 / ended 已结束"})
    distance_m = fields.Integer(allow_none=True)
    walk_minutes = fields.Integer(allow_none=True)


class EventPageSchema(PageSchema):
    items = fields.List(fields.Nested(EventSchema))


class ThemeSchema(BaseSchema):
    code = fields.String()
    name_zh = fields.String()


class ThemeListSchema(BaseSchema):
    items = fields.List(fields.Nested(ThemeSchema))
