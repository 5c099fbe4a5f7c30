from datetime import date

from marshmallow import ValidationError, fields, validate, validates_schema

from app.common.schemas import BaseSchema, PageQuerySchema, PageSchema

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


class ResponseCreateSchema(BaseSchema):
    type_satisfaction = fields.Integer(metadata={"description": "业态满意：1-5 分"}, **_score)
    service_satisfaction = fields.Integer(metadata={"description": "服务满意：1-5 分"}, **_score)
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class ResponseSchema(BaseSchema):
    id = fields.Integer()
    circle_id = fields.Integer()
    period = fields.Nested(PeriodSchema)
    type_satisfaction = fields.Integer()
    service_satisfaction = fields.Integer()
    comment = fields.String(allow_none=True)
    created_at = fields.DateTime()
    home_circle_id = fields.Integer(allow_none=True, metadata={"description": "居住的生活圈（未设置时记为本圈）"})


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
    created_at = fields.DateTime()


class CommentPageSchema(PageSchema):
    items = fields.List(fields.Nested(CommentSchema))
