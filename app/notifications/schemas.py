from marshmallow import fields, validate

from app.common.schemas import BaseSchema
from app.notifications.models import CONSENT_ANSWERS


class ConsentSchema(BaseSchema):
    """wx.requestSubscribeMessage's result as the mini-program got it: {templateId: accept|reject|ban}."""

    results = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=64)),
        values=fields.String(validate=validate.OneOf(CONSENT_ANSWERS)),
        required=True,
        validate=validate.Length(min=1, max=10),
        metadata={"description": "模板 id → accept / reject / ban（其他取值如 filter 请勿上报）"},
    )


class SubscriptionSchema(BaseSchema):
    template_id = fields.String()
    last_answer = fields.String()
    credits = fields.Integer(metadata={"description": "尚可发送的条数（一次性订阅：每次同意一条）"})
    updated_at = fields.DateTime()


class SubscriptionListSchema(BaseSchema):
    items = fields.List(fields.Nested(SubscriptionSchema))
