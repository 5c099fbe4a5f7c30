from datetime import date

from marshmallow import ValidationError, fields, validate, validates_schema

from app.common.schemas import BaseSchema, LocatedSchema, PageQuerySchema, PageSchema, PointSchema
from app.taxonomy.checks import KnownTypes
from app.uploads.schemas import FileField

_score = dict(required=True, strict=True, validate=validate.Range(1, 5))
_date = dict(validate=validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31)))


class _Dates(BaseSchema):
    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError(["结束日期不能早于开始日期"], "ends_on")


class PeriodCreateSchema(_Dates):
    title = fields.String(load_default=None, validate=validate.Length(min=1, max=80))
    starts_on = fields.Date(load_default=None, metadata={"description": "默认当年 1 月 1 日（北京时间）"}, **_date)
    ends_on = fields.Date(load_default=None, metadata={"description": "默认开始日期所在年的 12 月 31 日"}, **_date)


class PeriodUpdateSchema(_Dates):
    title = fields.String(validate=validate.Length(min=1, max=80))
    starts_on = fields.Date(**_date)
    ends_on = fields.Date(metadata={"description": "改为今天即提前结束"}, **_date)


class PeriodSchema(BaseSchema):
    id = fields.Integer()
    circle_id = fields.Integer()
    title = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    open = fields.Boolean(metadata={"description": "今天是否在调查期内"})
    responses = fields.Integer()


class PeriodListSchema(BaseSchema):
    items = fields.List(fields.Nested(PeriodSchema))


class SurveyViewSchema(BaseSchema):
    circle_id = fields.Integer()
    period = fields.Nested(PeriodSchema, allow_none=True, metadata={"description": "进行中的调查期，没有则为 null"})
    answered = fields.Boolean(allow_none=True, metadata={"description": "当前用户是否已作答（未登录为 null）"})


class ResponseCreateSchema(LocatedSchema):
    type_satisfaction = fields.Integer(metadata={"description": "业态满意：1-5 分"}, **_score)
    service_satisfaction = fields.Integer(metadata={"description": "服务满意：1-5 分"}, **_score)
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    location = fields.Nested(
        PointSchema,
        load_default=None,
        allow_none=True,
        metadata={
            "description": "作答时所在位置（wx.getLocation）：须在本生活圈内或其步行 15 分钟范围内；"
            "居住生活圈已由社区确认的居民可不传"
        },
    )


class ResponseSchema(BaseSchema):
    id = fields.Integer()
    circle_id = fields.Integer()
    period = fields.Nested(PeriodSchema)
    type_satisfaction = fields.Integer()
    service_satisfaction = fields.Integer()
    comment = fields.String(allow_none=True)
    created_at = fields.DateTime()
    home_circle_id = fields.Integer(allow_none=True, metadata={"description": "居住的生活圈（作答后记为本圈）"})
    home_check = fields.String(metadata={"description": "location 定位核验 / staff_confirmed 社区确认"})
    distance_m = fields.Integer(allow_none=True, metadata={"description": "作答位置到生活圈的距离（圈内为 0）"})


class ResultsQuerySchema(BaseSchema):
    period_id = fields.Integer(load_default=None, metadata={"description": "默认当前（或最近）的调查期"})


class QuestionResultSchema(BaseSchema):
    responses = fields.Integer()
    satisfied = fields.Integer(metadata={"description": "4-5 分的人数"})
    satisfied_share = fields.Float(allow_none=True)
    ci_low = fields.Float(allow_none=True, metadata={"description": "满意率 95% 置信区间下限（Wilson）"})
    ci_high = fields.Float(allow_none=True)
    mean = fields.Float(allow_none=True)
    distribution = fields.Dict(keys=fields.String(), values=fields.Integer())


class ResultsSchema(BaseSchema):
    circle_id = fields.Integer()
    period = fields.Nested(PeriodSchema)
    responses = fields.Integer()
    population = fields.Integer(allow_none=True, metadata={"description": "服务人口"})
    sample_share = fields.Float(allow_none=True)
    sample_required = fields.Integer(
        allow_none=True, metadata={"description": "样本有效所需的最少答卷（服务人口的 3%）"}
    )
    sample_valid = fields.Boolean()
    answers_by_kind = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "location 定位核验 / staff_confirmed 社区确认 / paper 纸质 / phone 电话 的答卷数"},
    )
    answer_kind_names = fields.Dict(keys=fields.String(), values=fields.String())
    type_satisfaction = fields.Nested(QuestionResultSchema)
    service_satisfaction = fields.Nested(QuestionResultSchema)
    computed_at = fields.DateTime()


class CommentsQuerySchema(PageQuerySchema):
    period_id = fields.Integer(load_default=None)


class CommentSchema(BaseSchema):
    period_id = fields.Integer()
    type_satisfaction = fields.Integer()
    service_satisfaction = fields.Integer()
    comment = fields.String()
    comment_check = fields.String(allow_none=True)
    source = fields.String(metadata={"description": "online 小程序 / paper 纸质 / phone 电话"})
    created_at = fields.DateTime()


class CommentPageSchema(PageSchema):
    items = fields.List(fields.Nested(CommentSchema))


# ---- staff-entered answers (paper forms, phone interviews) --------------------------------------


class _Entered(BaseSchema):
    source = fields.String(
        required=True,
        validate=validate.OneOf(("paper", "phone")),
        metadata={"description": "paper 纸质问卷 / phone 电话访问"},
    )
    respondent_ref = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "问卷编号或户号（同一期不能重复录入）"},
    )
    answered_on = fields.Date(
        load_default=None, metadata={"description": "作答日期（默认调查期内的今天或最后一天）"}, **_date
    )
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class PaperResponseSchema(_Entered):
    type_satisfaction = fields.Integer(metadata={"description": "业态满意：1-5 分"}, **_score)
    service_satisfaction = fields.Integer(metadata={"description": "服务满意：1-5 分"}, **_score)


_types = dict(
    load_default=list,
    validate=[validate.Length(max=20), KnownTypes()],
)


class MerchantAnswerSchema(BaseSchema):
    business_outlook = fields.Integer(metadata={"description": "经营状况：1 很差 - 5 很好"}, **_score)
    environment_satisfaction = fields.Integer(metadata={"description": "对营商环境与社区服务的评价：1-5 分"}, **_score)
    needed_types = fields.List(fields.String(), metadata={"description": "本圈缺少、应补充的业态代码"}, **_types)
    oversupplied_types = fields.List(fields.String(), metadata={"description": "本圈扎堆过剩的业态代码"}, **_types)
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class MerchantResponseCreateSchema(MerchantAnswerSchema):
    outlet_id = fields.Integer(load_default=None, metadata={"description": "作答的网点（默认本人在本圈的第一个网点）"})


class MerchantPaperResponseSchema(_Entered, MerchantAnswerSchema):
    pass


class EnteredSchema(BaseSchema):
    id = fields.Integer()
    circle_id = fields.Integer()
    period_id = fields.Integer()
    source = fields.String()
    home_check = fields.String(allow_none=True)
    respondent_ref = fields.String(allow_none=True)
    answered_on = fields.Date()
    entered_by = fields.Integer(allow_none=True, metadata={"description": "录入的工作人员"})
    user_id = fields.Integer(allow_none=True)
    comment = fields.String(allow_none=True)
    created_at = fields.DateTime()


class PaperResponseResultSchema(EnteredSchema):
    type_satisfaction = fields.Integer()
    service_satisfaction = fields.Integer()


class MerchantResponseSchema(EnteredSchema):
    outlet_id = fields.Integer(allow_none=True)
    business_outlook = fields.Integer()
    environment_satisfaction = fields.Integer()
    needed_types = fields.List(fields.String())
    oversupplied_types = fields.List(fields.String())


class BatchFileSchema(BaseSchema):
    file = FileField(
        required=True,
        metadata={
            "description": "CSV（UTF-8，首行表头）：source, respondent_ref, answered_on, 各题分数, comment；"
            "商户问卷的业态列用 | 分隔"
        },
    )


class SurveyRowErrorSchema(BaseSchema):
    row = fields.Integer(metadata={"description": "CSV 行号（表头为第 1 行）"})
    reason = fields.String()
    details = fields.Dict()


class BatchResultSchema(BaseSchema):
    created = fields.Integer()
    failed = fields.Integer()
    errors = fields.List(fields.Nested(SurveyRowErrorSchema))


class TypeCountSchema(BaseSchema):
    code = fields.String()
    name_zh = fields.String()
    count = fields.Integer()


class MerchantResultsSchema(BaseSchema):
    circle_id = fields.Integer()
    period = fields.Nested(PeriodSchema)
    responses = fields.Integer()
    merchants_in_circle = fields.Integer(metadata={"description": "本圈有主的已上线网点数（可作答的商户）"})
    answers_by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())
    business_outlook = fields.Nested(QuestionResultSchema, metadata={"description": "经营状况（4-5 分为好）"})
    environment_satisfaction = fields.Nested(QuestionResultSchema)
    needed_types = fields.List(fields.Nested(TypeCountSchema), metadata={"description": "商户认为缺少的业态，多到少"})
    oversupplied_types = fields.List(fields.Nested(TypeCountSchema))
    computed_at = fields.DateTime()


class HomeConfirmedSchema(BaseSchema):
    user_id = fields.Integer()
    home_circle_id = fields.Integer()
    home_confirmed = fields.Boolean()
