from marshmallow import ValidationError, fields, validate, validates_schema

from app.common.schemas import LocatedSchema
from app.outlets.schemas import OutletItemSchema
from app.repair.schemas import PriceSchema, SlotSchema


class DetailQuerySchema(LocatedSchema):
    lat = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(-90, 90))
    lng = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(-180, 180))

    @validates_schema
    def _both_or_none(self, data, **kwargs):
        if (data.get("lat") is None) != (data.get("lng") is None):
            raise ValidationError(["lat 和 lng 需同时提供"], "lat")


class OutletDetailSchema(OutletItemSchema):
    hours = fields.Dict(keys=fields.String(), values=fields.List(fields.List(fields.String())))
    closed_on_holidays = fields.Boolean()
    status = fields.String()
    services = fields.Dict()
    avg_spend = fields.Float(allow_none=True)
    online_platforms = fields.List(fields.String())
    quality_brand = fields.String(allow_none=True)
    community_id = fields.Integer(allow_none=True)
    description = fields.String(allow_none=True)
    price_list = fields.List(fields.Nested(PriceSchema), metadata={"description": "维修服务项目及明码标价"})
    on_site = fields.Boolean(metadata={"description": "上门服务"})
    schedule = fields.List(
        fields.Nested(SlotSchema),
        metadata={"description": "流动摊点的地点与每周时段；位置为此刻（或下一次）出摊的地点，营业时间即出摊时间表"},
    )
    recent_ratings = fields.List(fields.Dict())
