from marshmallow import fields

from app.common.schemas import BaseSchema, Bool, CommaList, coord_field


class GapsQuerySchema(BaseSchema):
    community_id = fields.Integer(load_default=None)


class GapLineSchema(BaseSchema):
    priority = fields.Integer()
    what = fields.String()
    what_name = fields.String()
    scope = fields.String(metadata={"description": "circle 全圈 / community 社区"})
    community_id = fields.Integer(allow_none=True)
    community_name = fields.String(allow_none=True)
    required = fields.Integer(allow_none=True)
    have = fields.Integer(allow_none=True)
    missing = fields.Integer()
    rule = fields.String()
    why = fields.String()
    six_ones = fields.String(allow_none=True)
    needs = fields.List(fields.Dict())
    support_count = fields.Integer()


class GapsSchema(BaseSchema):
    circle_id = fields.Integer()
    standards = fields.String(allow_none=True)
    computed_on = fields.Date()
    items = fields.List(fields.Nested(GapLineSchema))
    communities = fields.List(fields.Dict())


class BlindSpotsQuerySchema(BaseSchema):
    types = CommaList(load_default=list, metadata={"description": "业态代码，逗号分隔；默认全部必备业态"})
    coord = coord_field()


class MapQuerySchema(BaseSchema):
    coord = coord_field()


class FeatureCollectionSchema(BaseSchema):
    type = fields.String()
    circle_id = fields.Integer()
    coord = fields.String()
    features = fields.List(fields.Dict())


class CircleMapSchema(FeatureCollectionSchema):
    """一图 as served (application/geo+json): the FeatureCollection with the circle's name."""

    name = fields.String()


class CityEvaluationQuerySchema(BaseSchema):
    fresh = Bool(load_default=False, metadata={"description": "忽略缓存重新计算"})


class CityEvaluationSchema(BaseSchema):
    city_id = fields.Integer()
    name = fields.String()
    tier = fields.String()
    profile = fields.String()
    profile_version = fields.String()
    standards = fields.String(allow_none=True)
    plan = fields.String(allow_none=True)
    computed_on = fields.String()
    circles = fields.List(fields.Dict())
    kpis = fields.Dict()
    targets = fields.List(fields.Dict())
    progress = fields.List(fields.Dict())


class ScoringProfileSchema(BaseSchema):
    code = fields.String()
    version = fields.Integer()
    tag = fields.String()
    name_zh = fields.String()
    source = fields.String()
    note = fields.String()
    presence = fields.Dict()
    provisional = fields.Dict()
    grade = fields.Dict()
    stars = fields.Dict()
    service = fields.Dict()
    cities = fields.List(fields.Dict())


class ServiceCodesQuerySchema(BaseSchema):
    profile = fields.String(load_default=None, metadata={"description": "评价规则代码，默认 mofcom-2023"})


class CodeNameSchema(BaseSchema):
    code = fields.String()
    name_zh = fields.String()


class TerminalCodeSchema(CodeNameSchema):
    types = fields.List(fields.String())
    services = fields.List(fields.String())


class ServiceCodesSchema(BaseSchema):
    profile = fields.String()
    store_add_ons = fields.List(fields.Nested(CodeNameSchema))
    breakfast_items = fields.List(fields.Nested(CodeNameSchema))
    market_services = fields.List(fields.Nested(CodeNameSchema))
    elderly_services = fields.List(fields.Nested(CodeNameSchema))
    childcare_services = fields.List(fields.Nested(CodeNameSchema))
    smart_terminals = fields.List(fields.Nested(TerminalCodeSchema))
