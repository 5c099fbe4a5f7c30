from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from app.common.schemas import BaseSchema, PageQuerySchema, PageSchema
from app.evaluation.models import ASSESSMENT_ITEMS
from app.evaluation.profiles import scoring_profiles

TYPE_KEYS = ("quality", "improved", "basic")
GRADES = ("excellent", "good", "pass", "fail")


def Points(**kwargs):  # noqa: N802  (a field factory, named like the fields it makes)
    """8, 9.4: whole points print without a decimal (as in the contract's example)."""
    return fields.Raw(metadata={"type": "number", **kwargs.pop("metadata", {})}, **kwargs)


# --- evaluation result ------------------------------------------------------------------------------


class EvidenceOutletSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    type = fields.String(metadata={"description": "计入的业态代码"})
    type_name = fields.String()
    distance_m = fields.Integer(metadata={"description": "到生活圈边界的距离（米，圈内为 0）"})
    inside = fields.Boolean()
    status = fields.String(metadata={"description": "approved 在营 / pending / suspended / closed / deleted"})
    status_name = fields.String()


_EVIDENCE_OUTLETS = dict(
    keys=fields.String(),
    values=fields.List(fields.Nested(EvidenceOutletSchema)),
    metadata={"description": "业态 → 依据网点的名称、地址、业态、到边界距离、状态（与 evidence 的编号一一对应）"},
)


class BasicPresenceSchema(BaseSchema):
    score = Points()
    max = fields.Integer()
    points_each = fields.Integer()
    present = fields.List(fields.String())
    missing = fields.List(fields.String())
    evidence = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Integer()),
        metadata={"description": "业态 → 使其具备的网点编号"},
    )
    evidence_outlets = fields.Dict(**_EVIDENCE_OUTLETS)
    via_mobile_or_online = fields.Dict(metadata={"description": "由流动摊点或线上当日服务具备的业态"})
    rule = fields.String()


class QualityPresenceSchema(BaseSchema):
    score = Points()
    max = fields.Integer()
    points_each = fields.Integer()
    present = fields.List(fields.String())
    evidence = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()))
    evidence_outlets = fields.Dict(**_EVIDENCE_OUTLETS)
    rule = fields.String()


class PresenceSchema(BaseSchema):
    score = Points()
    basic = fields.Nested(BasicPresenceSchema)
    quality = fields.Nested(QualityPresenceSchema)


class ServiceScoreItemSchema(BaseSchema):
    no = fields.Integer()
    group = fields.String()
    name = fields.String()
    points = Points()
    max = fields.Integer()
    rule = fields.String()
    evidence = fields.Dict(metadata={"description": "依据：调查样本、网点编号、工作人员评定等（公开摘要为空）"})
    source = fields.String(metadata={"description": "computed 平台计算 / staff 工作人员评定"})


class ServiceScoreSchema(BaseSchema):
    score = Points()
    max = fields.Integer()
    items = fields.List(fields.Nested(ServiceScoreItemSchema))


class EvaluationSchema(BaseSchema):
    circle_id = fields.Integer()
    circle_name = fields.String()
    profile = fields.String()
    profile_version = fields.String()
    computed_at = fields.String()
    as_of = fields.String(allow_none=True)
    presence = fields.Nested(PresenceSchema)
    provisional_type = fields.String(allow_none=True, metadata={"enum": list(TYPE_KEYS) + [None]})
    provisional_type_name = fields.String(allow_none=True)
    service = fields.Nested(ServiceScoreSchema)
    grade = fields.String(metadata={"enum": list(GRADES)})
    grade_name = fields.String()
    final_type = fields.String(allow_none=True)
    final_type_name = fields.String(allow_none=True)
    stars = fields.Integer()
    not_rated_reason = fields.String(allow_none=True)
    kpis = fields.Dict()
    inputs = fields.Dict(metadata={"description": "各数据来源是否接入（ok / no_data）"})
    detail = fields.String(metadata={"description": "full 完整（工作人员、管理员） / public 公开摘要"})


# --- staff assessments ------------------------------------------------------------------------------


def _service_codes(item: str, key: str) -> set[str]:
    return {code for p in scoring_profiles().values() for code in p.service[item][key]}


class FacilityValueSchema(BaseSchema):
    to_standard = fields.Boolean(required=True, metadata={"description": "是否符合标准"})
    area_sufficient = fields.Boolean(load_default=True, metadata={"description": "面积是否足够"})
    missing_services = fields.List(fields.String(), load_default=list, metadata={"description": "缺少的服务项目代码"})


class HarmonyValueSchema(BaseSchema):
    level = fields.String(required=True, validate=validate.OneOf(("full", "basic", "none")))


class EnvironmentValueSchema(BaseSchema):
    meets = fields.Boolean(required=True)


class BreakfastValueSchema(BaseSchema):
    count = fields.Integer(required=True, validate=validate.Range(0, 100))
    items = fields.List(fields.String(validate=validate.Length(max=40)), load_default=list)


VALUE_SCHEMAS = {
    "vegetable_market": (FacilityValueSchema, ("market_repair", "market_services")),
    "elderly_care": (FacilityValueSchema, ("elderly_child", "elderly_services")),
    "childcare": (FacilityValueSchema, ("elderly_child", "childcare_services")),
    "harmony": (HarmonyValueSchema, None),
    "smart_environment": (EnvironmentValueSchema, None),
    "breakfast_variety": (BreakfastValueSchema, None),
}


class AssessmentCreateSchema(BaseSchema):
    item = fields.String(required=True, validate=validate.OneOf(tuple(ASSESSMENT_ITEMS)))
    value = fields.Dict(
        required=True,
        metadata={
            "description": "vegetable_market / elderly_care / childcare: {to_standard, area_sufficient, "
            "missing_services[]}; harmony: {level: full|basic|none}; smart_environment: {meets}; "
            "breakfast_variety: {count, items[]}"
        },
    )
    note = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    assessed_on = fields.Date(load_default=None)

    @validates_schema
    def _value_fits_item(self, data, **kwargs):
        if data.get("item") not in VALUE_SCHEMAS or "value" not in data:
            return
        schema, codes = VALUE_SCHEMAS[data["item"]]
        errors = schema().validate(data["value"])
        if errors:
            raise ValidationError({"value": errors})
        if codes:
            unknown = sorted(set(data["value"].get("missing_services") or []) - _service_codes(*codes))
            if unknown:
                raise ValidationError({"value": {"missing_services": [f"未知的服务项目：{', '.join(unknown)}"]}})

    @post_load
    def _normalise(self, data, **kwargs):
        data["value"] = VALUE_SCHEMAS[data["item"]][0]().load(data["value"])
        return data


class AssessmentSchema(BaseSchema):
    id = fields.Integer()
    circle_id = fields.Integer()
    item = fields.String()
    item_name = fields.Function(lambda a: ASSESSMENT_ITEMS.get(a.item))
    value = fields.Dict()
    note = fields.String()
    assessed_on = fields.Date()
    user_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class AssessmentPageSchema(PageSchema):
    items = fields.List(fields.Nested(AssessmentSchema))


# --- snapshots ----------------------------------------------------------------------------------------


class SnapshotCreateSchema(BaseSchema):
    period = fields.String(
        required=True, validate=validate.Length(min=4, max=20), metadata={"description": "2024、2024-H1 或 2024-Q3"}
    )


class SnapshotSchema(BaseSchema):
    id = fields.Integer()
    circle_id = fields.Integer()
    period = fields.String()
    as_of = fields.Date()
    profile = fields.String()
    profile_version = fields.String()
    presence_score = Points()
    service_score = Points()
    provisional_type = fields.String(allow_none=True)
    grade = fields.String()
    final_type = fields.String(allow_none=True)
    stars = fields.Integer()
    change = fields.String(allow_none=True, metadata={"description": "first / up / down / same（相对上一期星级）"})
    frozen_at = fields.DateTime()
    frozen_by = fields.Integer(allow_none=True)
    result = fields.Dict(metadata={"description": "定档时的完整评价结果（工作人员、管理员可见）"})


class SnapshotPageSchema(PageSchema):
    items = fields.List(fields.Nested(SnapshotSchema))


class HistoryQuerySchema(PageQuerySchema):
    pass


class ProposalCreateSchema(SnapshotCreateSchema):
    note = fields.String(allow_none=True, validate=validate.Length(max=500), metadata={"description": "提请说明"})


class ProposalSchema(BaseSchema):
    id = fields.Integer()
    circle_id = fields.Integer()
    proposed_by = fields.Integer(allow_none=True)
    proposed_at = fields.DateTime()
    period = fields.String()
    as_of = fields.String()
    presence_score = fields.Float()
    service_score = fields.Float()
    provisional_type = fields.String(allow_none=True)
    grade = fields.String()
    final_type = fields.String(allow_none=True)
    stars = fields.Integer()
    note = fields.String(allow_none=True)


class ProposalPageSchema(PageSchema):
    items = fields.List(fields.Nested(ProposalSchema))
