from marshmallow import ValidationError, fields, validate, validates_schema

from app.common.schemas import BaseSchema, Bool, CommaList, PageSchema, PointSchema
from app.outlets.schemas import OutletItemSchema, WalkRadiusQuerySchema
from app.taxonomy import words
from app.taxonomy.registry import taxonomy


class RepairServices(CommaList):
    """`services=key_cutting,修鞋,keys`: codes, their Chinese names or words residents use → codes."""

    def _deserialize(self, value, attr, data, **kwargs):
        codes, unknown = [], []
        for part in super()._deserialize(value, attr, data, **kwargs):
            meant = {part} & taxonomy().repair_codes or words.exact(part).repair_services
            if not meant:
                unknown.append(part)
            codes.extend(sorted(meant))
        if unknown:
            raise ValidationError(
                f"未知的维修服务项目：{', '.join(unknown)}（可用代码或常用说法，如 key_cutting、配钥匙、修鞋）"
            )
        if len(codes) > 40:
            raise ValidationError("最多 40 个服务项目")
        return list(dict.fromkeys(codes))


class RepairNearbyQuerySchema(WalkRadiusQuerySchema):
    services = RepairServices(
        load_default=list,
        metadata={
            "description": "服务项目，逗号分隔：代码（key_cutting）或常用说法（配钥匙、修鞋、keys）；未知的词 422"
        },
    )
    present_now = Bool(load_default=False, metadata={"description": "只看此刻在营业/出摊的"})
    sort = fields.String(load_default="distance", validate=validate.OneOf(("distance", "rating")))


class PriceInSchema(BaseSchema):
    code = fields.String(required=True, validate=validate.OneOf(sorted(taxonomy().repair_codes)))
    price_min = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0, max=1_000_000))
    price_max = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(min=0, max=1_000_000))
    unit = fields.String(load_default="次", validate=validate.Length(min=1, max=20))
    note = fields.String(load_default=None, validate=validate.Length(max=120))

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("price_max") is not None and data.get("price_min") is not None:
            if data["price_max"] < data["price_min"]:
                raise ValidationError("最高价不能低于最低价", "price_max")


class PriceSchema(BaseSchema):
    code = fields.String()
    name_zh = fields.String()
    price_min = fields.Float()
    price_max = fields.Float(allow_none=True, metadata={"description": "为空表示单一价格"})
    unit = fields.String()
    note = fields.String(allow_none=True)


class SlotInSchema(BaseSchema):
    location = fields.Nested(PointSchema, required=True)
    address = fields.String(load_default="", validate=validate.Length(max=255))
    hours = fields.Dict(required=True, metadata={"description": '出摊时段，形如 {"sat": [["08:00", "12:00"]]}'})


class SlotSchema(BaseSchema):
    id = fields.Integer()
    location = fields.Nested(PointSchema)
    address = fields.String()
    hours = fields.Dict()
    hours_text = fields.String()
    present_now = fields.Boolean()


class ServiceAreaSchema(BaseSchema):
    circle_ids = fields.List(fields.Integer(), validate=validate.Length(max=50))
    radius_m = fields.Integer(validate=validate.Range(min=100, max=50000), metadata={"description": "以网点位置为圆心"})


class RepairItemSchema(OutletItemSchema):
    services = fields.List(fields.Nested(PriceSchema), metadata={"description": "服务项目与明码标价"})
    mobile = fields.Boolean(metadata={"description": "流动摊点：位置为此刻（或下一次）出摊的地点"})
    present_now = fields.Boolean()
    schedule = fields.List(fields.Nested(SlotSchema), metadata={"description": "流动摊点的出摊地点与时段"})
    on_site = fields.Boolean(metadata={"description": "上门维修：您在其服务范围内（距离记为 0）"})


class RepairNearbyPageSchema(PageSchema):
    items = fields.List(fields.Nested(RepairItemSchema))
    radius = fields.Integer()
    coord = fields.String()


class CoverageQuerySchema(BaseSchema):
    circle_id = fields.Integer(required=True)


class CoverageItemSchema(BaseSchema):
    code = fields.String()
    name_zh = fields.String()
    points = fields.Integer(metadata={"description": "提供该项目的网点数（含流动摊点与上门服务）"})
    fixed = fields.Integer()
    mobile = fields.Integer()
    on_site = fields.Integer()


class CoverageSchema(BaseSchema):
    circle_id = fields.Integer()
    circle_name = fields.String()
    repair_points = fields.Integer()
    items = fields.List(fields.Nested(CoverageItemSchema))
    kinds_offered = fields.Integer()
    kinds_missing = fields.List(fields.String())
    target_kinds = fields.Integer(metadata={"description": "好不好评价表：小修小补不少于 8 类"})
    meets_target = fields.Boolean()
