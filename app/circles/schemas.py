from marshmallow import fields, validate

from app.circles.models import CIRCLE_TYPES, CITY_TIERS
from app.common.schemas import PHONE, BaseSchema, PageQuerySchema, PageSchema, PointQuerySchema, coord_field


class LocateQuerySchema(PointQuerySchema):
    pass


class CoordQuerySchema(BaseSchema):
    coord = coord_field()


class CircleListQuerySchema(PageQuerySchema):
    city_id = fields.Integer(load_default=None)


class CitySchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    code = fields.String(validate=validate.Length(min=1, max=80))
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    province = fields.String(allow_none=True)
    tier = fields.String(
        load_default="other",
        validate=validate.OneOf(CITY_TIERS),
        metadata={"description": "一线 tier1 / 二线 tier2 / other（连锁化率门槛随之变化）"},
    )
    standards_profile = fields.String(allow_none=True)
    scoring_profile = fields.String(dump_only=True)


class CommunitySummarySchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    population = fields.Integer(allow_none=True)
    share_60_plus = fields.Float(allow_none=True)
    share_65_plus = fields.Float(allow_none=True)
    share_80_plus = fields.Float(allow_none=True)
    share_0_3 = fields.Float(allow_none=True)
    phone = fields.String(allow_none=True, metadata={"description": "社区（居委会）联系电话"})
    synthetic = fields.Boolean()


class CommunitySchema(CommunitySummarySchema):
    boundary = fields.Dict(allow_none=True, metadata={"description": "GeoJSON，坐标系同请求"})


class CircleSummarySchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    circle_type = fields.String(allow_none=True)
    circle_type_name = fields.String(allow_none=True)
    city = fields.String()
    city_id = fields.Integer()
    district = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    population = fields.Integer(allow_none=True)
    planned_year = fields.Integer(allow_none=True)
    synthetic = fields.Boolean()


class CircleSchema(CircleSummarySchema):
    four_bounds = fields.String(allow_none=True)
    profile = fields.Dict()
    external_id = fields.String(allow_none=True)
    boundary = fields.Dict(metadata={"description": "GeoJSON MultiPolygon，坐标系同请求"})
    communities = fields.List(fields.Nested(CommunitySchema))
    coord = fields.String()


class LocateSchema(BaseSchema):
    circle = fields.Nested(CircleSummarySchema)
    community = fields.Nested(CommunitySummarySchema, allow_none=True)


class CircleListSchema(BaseSchema):
    items = fields.List(fields.Nested(CircleSummarySchema))


class CirclePageSchema(PageSchema):
    items = fields.List(fields.Nested(CircleSummarySchema))


class _AreaWriteFields(BaseSchema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    external_id = fields.String(allow_none=True, validate=validate.Length(max=80))
    population = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10_000_000))
    boundary = fields.Dict(allow_none=True, metadata={"description": "GeoJSON Polygon/MultiPolygon"})
    synthetic = fields.Boolean()


class CircleWriteSchema(_AreaWriteFields):
    city_id = fields.Integer()
    circle_type = fields.String(allow_none=True, validate=validate.OneOf([*CIRCLE_TYPES, *CIRCLE_TYPES.values()]))
    planned_year = fields.Integer(allow_none=True, validate=validate.Range(2000, 2100))
    district = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    four_bounds = fields.String(allow_none=True)
    profile = fields.Dict()


class CircleCreateSchema(CircleWriteSchema):
    city_id = fields.Integer(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    boundary = fields.Dict(required=True)


_share = dict(allow_none=True, validate=validate.Range(0, 1))


class CommunityWriteSchema(_AreaWriteFields):
    share_60_plus = fields.Float(**_share)
    share_65_plus = fields.Float(**_share)
    share_80_plus = fields.Float(**_share)
    share_0_3 = fields.Float(**_share)
    phone = fields.String(allow_none=True, validate=PHONE, metadata={"description": "社区（居委会）联系电话"})


class CommunityCreateSchema(CommunityWriteSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))


class CitySettingsSchema(BaseSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    province = fields.String(allow_none=True)
    tier = fields.String(metadata={"description": "tier1 一线 / tier2 二线 / other 其他"})
    tier_name = fields.String(allow_none=True)
    standards_profile = fields.String(allow_none=True, metadata={"description": "配置标准（GET /standards/{code}）"})
    scoring_profile = fields.String(metadata={"description": "评价规则（GET /scoring-profiles/{code}）"})
    chain_rate_min = fields.Float(
        allow_none=True, metadata={"description": "好不好第 7 项连锁化率门槛（由城市等级决定：30% / 25% / 20%）"}
    )


class CitySettingsWriteSchema(BaseSchema):
    tier = fields.String(validate=validate.OneOf(CITY_TIERS))
    standards_profile = fields.String(allow_none=True, validate=validate.Length(min=1, max=40))
    scoring_profile = fields.String(validate=validate.Length(min=1, max=40))
    reason = fields.String(allow_none=True, validate=validate.Length(max=500), metadata={"description": "变更理由"})
