from flask import current_app
from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from app.common import geo
from app.common.schemas import BaseSchema, Bool, CommaList, PageQuerySchema, PageSchema, PointQuerySchema, PointSchema
from app.outlets.search import SORTS
from app.taxonomy.checks import KnownTypes

MAX_RADIUS_M = 3000


def max_walk_minutes() -> int:
    """The longest walk a search may ask for: the one whose radius is still within MAX_RADIUS_M."""
    config = current_app.config
    return int(MAX_RADIUS_M * config["WALK_DETOUR_FACTOR"] / config["WALK_SPEED_M_PER_MIN"])


class WalkRadiusQuerySchema(PointQuerySchema, PageQuerySchema):
    """Where and how far: `radius` in metres, or `walk_minutes` converted with the walking speed and detour
    factor every item's `walk_minutes` uses (WALK_SPEED_M_PER_MIN, WALK_DETOUR_FACTOR: 15 minutes ≈ 1 km)."""

    radius = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=MAX_RADIUS_M),
        metadata={"description": f"搜索半径（米），默认 1000，最大 {MAX_RADIUS_M}；与 walk_minutes 二选一"},
    )
    walk_minutes = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=45),
        metadata={
            "description": "步行分钟数（1-45，按步行速度与绕行系数换算为半径，15 分钟约 1000 米）；与 radius 二选一"
        },
    )

    @validates_schema
    def _one_distance(self, data, **kwargs):
        if data.get("radius") is not None and data.get("walk_minutes") is not None:
            raise ValidationError(["radius 与 walk_minutes 只能给一个"], "walk_minutes")
        if data.get("walk_minutes") is not None and data["walk_minutes"] > max_walk_minutes():
            raise ValidationError([f"步行分钟数不能超过 {max_walk_minutes()}"], "walk_minutes")

    @post_load
    def _radius(self, data, **kwargs):
        minutes = data.pop("walk_minutes", None)
        if minutes is not None:
            config = current_app.config
            data["radius"] = geo.walk_radius_m(minutes, config["WALK_SPEED_M_PER_MIN"], config["WALK_DETOUR_FACTOR"])
        elif data.get("radius") is None:
            data["radius"] = 1000
        return data


class NearbyQuerySchema(WalkRadiusQuerySchema):
    types = CommaList(load_default=list, validate=KnownTypes(most=20))
    q = fields.String(
        load_default=None,
        validate=validate.Length(max=50),
        metadata={
            "description": "关键词：店名、地址、拼音首字母，及服务与常用说法（配钥匙、修鞋、早点、菜场、药房……）"
        },
    )
    open_now = Bool(load_default=False, metadata={"description": "只看此刻营业的（流动摊点：此刻在出摊）"})
    elderly_friendly = Bool(
        load_default=False, metadata={"description": "适老：收现金且有人工当面服务，或标注为适老化网点"}
    )
    delivery = Bool(load_default=False, metadata={"description": "只看提供配送/外卖的"})
    open_24h = Bool(load_default=False, metadata={"description": "只看 24 小时营业的"})
    sort = fields.String(
        load_default="distance",
        validate=validate.OneOf(SORTS),
        metadata={
            "description": "distance（默认，由近及远）、rating（评分高的在前）、relevance（与关键词最相关的在前）"
        },
    )
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
    mobile = fields.Boolean(
        metadata={"description": "流动摊点：位置与地址为此刻（或下一次）出摊的地点，营业时间为出摊时间表"}
    )
    circle_id = fields.Integer(allow_none=True)
    synthetic = fields.Boolean(metadata={"description": "演示用合成数据"})


class NearbyPageSchema(PageSchema):
    items = fields.List(fields.Nested(OutletItemSchema))
    radius = fields.Integer(metadata={"description": "实际使用的搜索半径（米），auto_extend 时可能大于请求值"})
    coord = fields.String()


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
