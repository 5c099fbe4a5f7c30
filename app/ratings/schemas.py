from marshmallow import fields, validate

from app.common.schemas import BaseSchema, Bool, PageQuerySchema, PageSchema
from app.ratings.models import FINDING_SEVERITIES, RATING_STATUSES
from app.ratings.photos import MAX_PHOTOS
from app.uploads.schemas import UploadId

# A fixed vocabulary: residents tap tags, nothing free-form to moderate, and the client can localise them.
RATING_TAGS = (
    "服务热情",
    "价格实惠",
    "干净整洁",
    "品类齐全",
    "出餐快",
    "质量好",
    "明码标价",
    "营业时间准",
    "服务态度差",
    "价格偏高",
    "卫生较差",
    "排队久",
)
TEXT_MAX = 500


class RatingCreateSchema(BaseSchema):
    stars = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))
    text = fields.String(load_default="", validate=validate.Length(max=TEXT_MAX))
    tags = fields.List(
        fields.String(validate=validate.OneOf(RATING_TAGS)), load_default=list, validate=validate.Length(max=5)
    )
    photo_ids = fields.List(UploadId(), load_default=list, validate=validate.Length(max=MAX_PHOTOS))


class PhotoSchema(BaseSchema):
    url = fields.String()
    thumb_url = fields.String()


class ReplyOutSchema(BaseSchema):
    text = fields.String()
    replied_at = fields.DateTime()


class RatingSchema(BaseSchema):
    id = fields.Integer()
    outlet_id = fields.Integer()
    stars = fields.Integer()
    text = fields.String()
    tags = fields.List(fields.String())
    photos = fields.List(fields.Nested(PhotoSchema))
    nickname = fields.String(metadata={"description": "打码后的昵称，不显示评价人身份"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    reply = fields.Nested(ReplyOutSchema, allow_none=True, metadata={"description": "商户回复"})


class MyRatingSchema(RatingSchema):
    status = fields.String(metadata={"description": "visible 已展示 / pending_review 审核中 / hidden 已被隐藏"})


class RatingPageSchema(PageSchema):
    items = fields.List(fields.Nested(RatingSchema))
    rating = fields.Dict(metadata={"description": "{avg, count}：只计入展示中的评价"})


class RatingTagsSchema(BaseSchema):
    items = fields.List(fields.String())


class MerchantRatingQuerySchema(PageQuerySchema):
    replied = Bool(load_default=None, metadata={"description": "0：只看未回复的；1：只看已回复的"})


class OwnRatingPageSchema(RatingPageSchema):
    unreplied = fields.Integer(metadata={"description": "尚未回复的评价数"})
    credit = fields.Nested(lambda: CreditSchema(), metadata={"description": "商户信用等级及依据"})


class ReplySchema(BaseSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=300))


class ReportSchema(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ReportOutSchema(BaseSchema):
    rating_id = fields.Integer()
    open_reports = fields.Integer()


class StaffRatingQuerySchema(PageQuerySchema):
    circle_id = fields.Integer(load_default=None)
    reported = Bool(load_default=False, metadata={"description": "1：只看有未处理举报的评价"})
    status = fields.String(load_default=None, validate=validate.OneOf(RATING_STATUSES))


class ReportItemSchema(BaseSchema):
    reason = fields.String()
    created_at = fields.DateTime()
    resolved = fields.Boolean()


class OutletRefSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    circle_id = fields.Integer(allow_none=True)


class StaffRatingSchema(MyRatingSchema):
    user_id = fields.Integer()
    content_check = fields.String(allow_none=True)
    hidden_reason = fields.String(allow_none=True)
    outlet = fields.Nested(OutletRefSchema)
    open_reports = fields.Integer()
    reports = fields.List(fields.Nested(ReportItemSchema))


class StaffRatingPageSchema(PageSchema):
    items = fields.List(fields.Nested(StaffRatingSchema))


class HideSchema(BaseSchema):
    hidden = fields.Boolean(load_default=True, metadata={"description": "true 隐藏，false 恢复展示"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class FindingCreateSchema(BaseSchema):
    severity = fields.String(required=True, validate=validate.OneOf(tuple(FINDING_SEVERITIES)))
    note = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    found_on = fields.Date(load_default=None, metadata={"description": "检查日期，默认今天"})


class FindingSchema(BaseSchema):
    id = fields.Integer()
    outlet_id = fields.Integer()
    severity = fields.String()
    severity_name = fields.String()
    note = fields.String()
    staff_user_id = fields.Integer(allow_none=True)
    found_on = fields.Date()
    created_at = fields.DateTime()


class FindingListSchema(BaseSchema):
    items = fields.List(fields.Nested(FindingSchema))


class CreditSchema(BaseSchema):
    outlet_id = fields.Integer()
    level = fields.String(metadata={"description": "A/B/C/D"})
    level_name = fields.String()
    reasons = fields.List(fields.String(), metadata={"description": "得出该等级的条件"})
    inputs = fields.Dict()
    rule = fields.List(fields.Dict())
    rule_text = fields.String()
