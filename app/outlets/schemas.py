from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from app.common.schemas import BaseSchema, Bool, CommaList, PageQuerySchema, PageSchema, PointSchema, coord_field
from app.taxonomy.registry import taxonomy


def _known_types(codes):
    unknown = sorted(set(codes) - taxonomy().type_codes)
    if unknown:
        raise ValidationError(f"未知的业态代码：{', '.join(unknown)}")
    if len(codes) > 20:
        raise ValidationError("最多 20 种业态")


class NearbyQuerySchema(PageQuerySchema):
    lat = fields.Float(required=True, allow_nan=False, validate=validate.Range(-90, 90))
    lng = fields.Float(required=True, allow_nan=False, validate=validate.Range(-180, 180))
    coord = coord_field()
    radius = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=3000))
    types = CommaList(load_default=list, validate=_known_types)
    q = fields.String(load_default=None, validate=validate.Length(max=50))
    open_now = Bool(load_default=False)
    sort = fields.String(load_default="distance", validate=validate.OneOf(("distance", "rating")))
    auto_extend = Bool(load_default=False)

    @post_load
    def _strip_keyword(self, data, **kwargs):
        if data.get("q") is not None:
            data["q"] = data["q"].strip() or None
        return data


class RatingSummarySchema(BaseSchema):
    avg = fields.Float(allow_none=True)
    count = fields.Integer()


class OutletItemSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    types = fields.List(fields.String())
    location = fields.Nested(PointSchema)
    address = fields.String()
    distance_m = fields.Integer(allow_none=True)
    walk_minutes = fields.Integer(allow_none=True)
    open_now = fields.Boolean()
    hours_text = fields.String()
    phone = fields.String(allow_none=True)
    rating = fields.Nested(RatingSummarySchema)
    photo_urls = fields.List(fields.String())
    chain = fields.Boolean()
    brand = fields.String(allow_none=True)
    online = fields.Boolean()
    delivery = fields.Boolean()
    open_24h = fields.Boolean()
    circle_id = fields.Integer(allow_none=True)
    synthetic = fields.Boolean(metadata={"description": "演示用合成数据"})


class NearbyPageSchema(PageSchema):
    items = fields.List(fields.Nested(OutletItemSchema))
    radius = fields.Integer(metadata={"description": "实际使用的搜索半径（米），auto_extend 时可能大于请求值"})
    coord = fields.String()


class DetailQuerySchema(BaseSchema):
    lat = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(-90, 90))
    lng = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(-180, 180))
    coord = coord_field()

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
    price_list = fields.List(fields.Dict(), metadata={"description": "维修服务项目及明码标价"})
    mobile = fields.Boolean(metadata={"description": "流动摊点（按时段出现在不同地点）"})
    on_site = fields.Boolean(metadata={"description": "上门服务"})
    schedule = fields.List(fields.Dict(), metadata={"description": "流动摊点的地点与每周时段"})
    recent_ratings = fields.List(fields.Dict())


class OutletVersionSchema(BaseSchema):
    valid_from = fields.DateTime(metadata={"description": "自此时起（含）"})
    valid_to = fields.DateTime(allow_none=True, metadata={"description": "至此时止（不含）；null 为当前状态"})
    name = fields.String()
    types = fields.List(fields.String())
    status = fields.String()
    location = fields.Nested(PointSchema)
    address = fields.String(allow_none=True)
    circle_id = fields.Integer(allow_none=True)
    community_id = fields.Integer(allow_none=True)
    chain = fields.Boolean(allow_none=True)
    online = fields.Boolean(allow_none=True)
    delivery = fields.Boolean(allow_none=True)
    open_24h = fields.Boolean(allow_none=True)
    quality_brand = fields.String(allow_none=True)
    services = fields.List(fields.String(), allow_none=True)


class OutletHistorySchema(BaseSchema):
    outlet_id = fields.Integer()
    items = fields.List(fields.Nested(OutletVersionSchema))
