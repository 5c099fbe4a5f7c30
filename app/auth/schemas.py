from marshmallow import fields, validate

from app.common.schemas import BaseSchema


class WechatLoginSchema(BaseSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=128))


class StaffLoginSchema(BaseSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)


class UserSchema(BaseSchema):
    id = fields.Integer()
    roles = fields.List(fields.String())
    circle_id = fields.Integer(attribute="home_circle_id", allow_none=True, metadata={"description": "居住的生活圈"})
    username = fields.String(allow_none=True)
    display_name = fields.String(allow_none=True)
    scope_circle_ids = fields.List(fields.Integer(), metadata={"description": "工作人员负责的生活圈"})


class TokenSchema(BaseSchema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    user = fields.Nested(UserSchema)


class HomeCircleSchema(BaseSchema):
    circle_id = fields.Integer(required=True, allow_none=True)
