from marshmallow import ValidationError, fields, validate, validates_schema

from app.common.schemas import (
    BaseSchema,
    CommaList,
    LocatedSchema,
    PageQuerySchema,
    PageSchema,
    PointQuerySchema,
    PointSchema,
    coord_field,
)
from app.demands.models import ANSWERS, DEMAND_KINDS, DEMAND_STATUSES, EXISTING_REASONS, MODERATION, PRIORITIES
from app.uploads.schemas import UploadId

_kind = validate.OneOf(tuple(DEMAND_KINDS))
_id = dict(strict=True, validate=validate.Range(min=1))


def _known_statuses(values):
    unknown = sorted(set(values) - set(DEMAND_STATUSES))
    if unknown:
        raise ValidationError(f"未知的状态：{', '.join(unknown)}")


def _not_blank(value):
    if value is not None and not value.strip():
        raise ValidationError("不能为空")


# --- requests -------------------------------------------------------------------------------------


class DemandCreateSchema(LocatedSchema):
    kind = fields.String(
        required=True,
        validate=_kind,
        metadata={"description": "missing_type 缺什么 / service_quality / outlet_closed / other"},
    )
    business_type = fields.String(
        load_default=None, allow_none=True, metadata={"description": "缺什么时必填（业态代码）"}
    )
    outlet_id = fields.Integer(load_default=None, allow_none=True, **_id)
    text = fields.String(required=True, validate=[validate.Length(min=1, max=500), _not_blank])
    address = fields.String(load_default="", validate=validate.Length(max=255))
    location = fields.Nested(PointSchema, required=True)
    photo_ids = fields.List(UploadId(), load_default=list, validate=validate.Length(max=9))
    existing_reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(tuple(EXISTING_REASONS)),
        metadata={"description": "附近已有同类网点仍提交“缺什么”时的理由：" + "、".join(EXISTING_REASONS)},
    )


class HereQuerySchema(PointQuerySchema):
    """Where the resident stands (query string; WGS-84 once parsed)."""


class ExistingOutletsQuerySchema(HereQuerySchema):
    business_type = fields.String(required=True, validate=validate.Length(min=1, max=40))


class SimilarQuerySchema(PageQuerySchema, HereQuerySchema):
    kind = fields.String(required=True, validate=_kind)
    business_type = fields.String(load_default=None)
    outlet_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class CoordQuerySchema(BaseSchema):
    coord = coord_field()


class CircleDemandsQuerySchema(PageQuerySchema):
    coord = coord_field()
    status = CommaList(load_default=list, validate=_known_statuses, metadata={"description": "逗号分隔的状态"})
    kind = fields.String(load_default=None, validate=_kind)
    business_type = fields.String(load_default=None)
    sort = fields.String(load_default="newest", validate=validate.OneOf(("newest", "supports")))


class MyDemandsQuerySchema(PageQuerySchema):
    coord = coord_field()


class StaffQueueQuerySchema(PageQuerySchema):
    coord = coord_field()
    circle_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    status = CommaList(load_default=list, validate=_known_statuses)
    moderation = fields.String(load_default=None, validate=validate.OneOf(MODERATION))
    kind = fields.String(load_default=None, validate=_kind)
    priority = fields.String(load_default=None, validate=validate.OneOf(tuple(PRIORITIES)))
    community_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    business_type = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    since = fields.Date(load_default=None, metadata={"description": "提交日期不早于（含）"})
    until = fields.Date(load_default=None, metadata={"description": "提交日期不晚于（含）"})
    min_support = fields.Integer(
        load_default=None, validate=validate.Range(min=0), metadata={"description": "支持数不少于"}
    )
    q = fields.String(load_default=None, validate=validate.Length(max=50), metadata={"description": "内容或地址包含"})
    sort = fields.String(
        load_default="priority",
        validate=validate.OneOf(("priority", "supports", "newest", "oldest")),
        metadata={"description": "priority 轻重缓急 / supports 支持数 / newest 最新 / oldest 最早"},
    )
    timeline = fields.Boolean(load_default=True, metadata={"description": "是否附带时间线（列表页可关闭以加快）"})

    @validates_schema
    def _dates_in_order(self, data, **kwargs):
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise ValidationError("结束日期不能早于开始日期", "until")


class StaffExportQuerySchema(StaffQueueQuerySchema):
    class Meta:
        exclude = ("page", "page_size", "coord", "timeline")


class DemandConfirmationSchema(BaseSchema):
    answer = fields.String(
        required=True, validate=validate.OneOf(tuple(ANSWERS)), metadata={"description": "yes/no/unsure"}
    )
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class TriageSchema(BaseSchema):
    status = fields.String(
        validate=validate.OneOf(tuple(s for s in DEMAND_STATUSES if s not in ("submitted", "merged")))
    )
    reason = fields.String(validate=[validate.Length(min=1, max=500), _not_blank], metadata={"description": "驳回理由"})
    priority = fields.String(validate=validate.OneOf(tuple(PRIORITIES)), metadata={"description": "轻重缓急"})
    reply = fields.String(allow_none=True, validate=validate.Length(max=1000), metadata={"description": "公开答复"})
    note = fields.String(validate=validate.Length(min=1, max=1000), metadata={"description": "内部备注（不公开）"})
    project_id = fields.Integer(allow_none=True, **_id, metadata={"description": "关联项目；null 取消关联"})
    merge_into = fields.Integer(**_id, metadata={"description": "合并到另一条需求（支持数随之合并）"})
    moderation = fields.String(
        validate=validate.OneOf(("visible", "hidden")), metadata={"description": "审核：公开/隐藏"}
    )

    @validates_schema
    def _coherent(self, data, **kwargs):
        if not data:
            raise ValidationError("至少修改一项", "_schema")
        if "merge_into" in data and ({"status", "project_id"} & set(data)):
            raise ValidationError("合并时不能同时修改状态或关联项目", "merge_into")


# --- responses ------------------------------------------------------------------------------------


class TimelineEventSchema(BaseSchema):
    at = fields.DateTime()
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    status_name = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    by = fields.String(metadata={"description": "居民 / 社区工作人员 / 管理员 / 系统"})


class StaffTimelineEventSchema(TimelineEventSchema):
    actor_id = fields.Integer(allow_none=True)
    actor_role = fields.String()
    public = fields.Boolean()
    data = fields.Dict()


class DemandPhotoSchema(BaseSchema):
    id = UploadId()
    url = fields.String(allow_none=True)
    thumb_url = fields.String(allow_none=True)
    media_check = fields.String(metadata={"description": "仅提交人和工作人员可见"})


class DemandOutletSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()


class ProjectRefSchema(BaseSchema):
    id = fields.Integer()
    title = fields.String()
    status = fields.String()
    status_name = fields.String()
    progress = fields.Integer()


class AnswerTallySchema(BaseSchema):
    yes = fields.Integer()
    no = fields.Integer()
    unsure = fields.Integer()


class MyConfirmationSchema(BaseSchema):
    role = fields.String(metadata={"description": "submitter 提交人 / supporter 支持者（含被合并需求的提交人）"})
    answer = fields.String(allow_none=True)
    answer_name = fields.String(allow_none=True)
    can_answer = fields.Boolean(metadata={"description": "需求已办结且本人尚未回答“解决了吗？”"})


class ExistingOutletSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String()
    location = fields.Nested(PointSchema)
    distance_m = fields.Integer()
    walk_minutes = fields.Integer()
    open_now = fields.Boolean(allow_none=True)
    hours_text = fields.String(allow_none=True)


class ExistingReasonSchema(BaseSchema):
    code = fields.String()
    name = fields.String()


class ExistingOutletsSchema(BaseSchema):
    business_type = fields.String()
    radius_m = fields.Integer(metadata={"description": "该业态的步行半径"})
    items = fields.List(fields.Nested(ExistingOutletSchema), metadata={"description": "最近的同类网点（至多 5 个）"})
    reason_required = fields.Boolean(metadata={"description": "附近已有同类网点：提交时须填 existing_reason"})
    reasons = fields.List(fields.Nested(ExistingReasonSchema))


class DemandSchema(BaseSchema):
    id = fields.Integer()
    kind = fields.String()
    kind_name = fields.String()
    business_type = fields.String(allow_none=True)
    business_type_name = fields.String(allow_none=True)
    outlet = fields.Nested(DemandOutletSchema, allow_none=True)
    text = fields.String()
    address = fields.String()
    location = fields.Nested(PointSchema)
    circle_id = fields.Integer()
    community_id = fields.Integer(allow_none=True)
    status = fields.String()
    status_name = fields.String()
    priority = fields.String()
    priority_name = fields.String()
    support_count = fields.Integer()
    supported_by_me = fields.Boolean(allow_none=True, metadata={"description": "未登录时为 null"})
    public_reply = fields.String(allow_none=True)
    reject_reason = fields.String(allow_none=True)
    merged_into_id = fields.Integer(allow_none=True)
    project = fields.Nested(ProjectRefSchema, allow_none=True)
    confirmed_solved = fields.Boolean(metadata={"description": "已办结且回答“已解决”的人多于“未解决”（满意清单）"})
    answers = fields.Nested(AnswerTallySchema, metadata={"description": "提交人和支持者对“解决了吗？”的回答"})
    my_confirmation = fields.Nested(
        MyConfirmationSchema, allow_none=True, metadata={"description": "当前用户是提交人或支持者时"}
    )
    existing_reason = fields.String(allow_none=True, metadata={"description": "附近已有同类网点时提交的理由"})
    photos = fields.List(fields.Nested(DemandPhotoSchema))
    timeline = fields.List(fields.Nested(TimelineEventSchema))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)


class SimilarDemandSchema(DemandSchema):
    distance_m = fields.Integer()


class DemandConfirmationStateSchema(BaseSchema):
    requested_at = fields.DateTime(allow_none=True)
    answer = fields.String(allow_none=True)
    answer_name = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    can_answer = fields.Boolean()


class DemandOwnSchema(DemandSchema):
    moderation = fields.String(metadata={"description": "visible 已公开 / held 内容审核中 / hidden 已隐藏"})
    moderation_name = fields.String()
    confirmation = fields.Nested(DemandConfirmationStateSchema)


class DemandStaffSchema(DemandOwnSchema):
    submitter_id = fields.Integer(allow_none=True)
    next_statuses = fields.List(
        fields.String(), metadata={"description": "工作人员此刻可改为的状态（状态机，见 app/demands/states.py）"}
    )
    existing_outlet_ids = fields.List(fields.Integer(), metadata={"description": "提交时附近已有的同类网点"})
    source = fields.String()
    source_client = fields.String(allow_none=True)
    timeline = fields.List(fields.Nested(StaffTimelineEventSchema))


class SupportResultSchema(BaseSchema):
    demand_id = fields.Integer()
    support_count = fields.Integer()
    supported = fields.Boolean()


class DemandPageSchema(PageSchema):
    items = fields.List(fields.Nested(DemandSchema))


class SimilarPageSchema(PageSchema):
    items = fields.List(fields.Nested(SimilarDemandSchema))
    radius_m = fields.Integer(metadata={"description": "按业态的步行半径（默认 500 米）"})


class DemandOwnPageSchema(PageSchema):
    items = fields.List(fields.Nested(DemandOwnSchema))


class DuplicateDemandSchema(DemandSchema):
    distance_m = fields.Integer()
    text_similarity = fields.Float(metadata={"description": "内容相似度 0-1（三元组）"})
    likely = fields.Boolean(metadata={"description": "同业态且内容相近：很可能重复"})


class DuplicateListSchema(BaseSchema):
    items = fields.List(fields.Nested(DuplicateDemandSchema))
    radius_m = fields.Integer()


class DemandStaffPageSchema(PageSchema):
    items = fields.List(fields.Nested(DemandStaffSchema))
