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


class PublicGapLineSchema(BaseSchema):
    priority = fields.Integer()
    what = fields.String(metadata={"description": "业态或指标代码"})
    what_name = fields.String()
    scope = fields.String(metadata={"description": "circle 全圈 / community 社区"})
    community_name = fields.String(allow_none=True)
    missing = fields.Integer(metadata={"description": "还缺几处"})
    why = fields.String()
    six_ones = fields.String(allow_none=True, metadata={"description": "属于六个一的哪一项"})
    support_count = fields.Integer(metadata={"description": "相关已受理需求的提出与“我也要”人数"})


class PublicGapsSchema(BaseSchema):
    circle_id = fields.Integer()
    computed_on = fields.Date()
    items = fields.List(fields.Nested(PublicGapLineSchema))


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


class ScoringRulesSchema(BaseSchema):
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


class ScoringProfileSchema(ScoringRulesSchema):
    cities = fields.List(fields.Dict())


class ProfileTypeSchema(BaseSchema):
    code = fields.String()
    name_zh = fields.String()
    tier = fields.String()
    radius_m = fields.Integer(metadata={"description": "该业态须覆盖的步行半径（米）"})
    radius_source = fields.String(metadata={"description": "city 城市标准规定 / taxonomy 按国家分类默认"})
    walk_minutes = fields.Integer()
    counts = fields.Dict(metadata={"description": "配置数量：per_community 每社区、per_people [n, 人]、per_circle"})
    counts_with = fields.List(fields.String(), metadata={"description": "合并计数的业态（如菜篮子）"})
    online_same_day_counts = fields.Boolean()
    six_ones = fields.String(allow_none=True)


class StandardsDetailSchema(BaseSchema):
    code = fields.String()
    name_zh = fields.String()
    source = fields.String()
    note = fields.String()
    must_have = fields.List(fields.Nested(ProfileTypeSchema), metadata={"description": "必备业态及服务半径"})
    types = fields.List(fields.Nested(ProfileTypeSchema), metadata={"description": "全部业态在本标准下的半径"})
    elderly = fields.Dict(metadata={"description": "一老：老龄人口占比门槛与养老设施步行半径"})
    quality = fields.Dict(metadata={"description": "品质提升类：最少类别数、业态数、按生活圈类型的要求"})
    plan = fields.Dict(allow_none=True, metadata={"description": "城市方案的目标与建设进度"})


class ScoringDetailSchema(ScoringRulesSchema):
    must_have = fields.List(fields.Dict(), metadata={"description": "有没有：必备基本保障类业态"})
    chain_rate_min = fields.Dict(metadata={"description": "好不好第 7 项：连锁化率门槛（按城市等级）"})


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
