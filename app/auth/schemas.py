from marshmallow import fields, validate

from app.common.schemas import BaseSchema


class WechatLoginSchema(BaseSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=128))
    privacy_version = fields.String(
        validate=validate.Length(min=1, max=32),
        metadata={"description": "居民在登录页同意的隐私保护指引版本；与当前版本不同 → 409 privacy_version_outdated"},
    )


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
    phone = fields.String(attribute="masked_phone", allow_none=True, metadata={"description": "手机号（打码显示）"})
    phone_consented_at = fields.DateTime(allow_none=True, metadata={"description": "通过微信手机号按钮授权的时间"})
    privacy_version = fields.String(allow_none=True, metadata={"description": "已同意的隐私保护指引版本"})
    privacy_accepted_at = fields.DateTime(allow_none=True)
    consent_required = fields.Method(
        "_consent_required",
        metadata={"type": "boolean", "description": "true：需要先阅读并同意当前版本的隐私保护指引"},
    )

    def _consent_required(self, user):
        from app.privacy.service import consent_required

        return consent_required(user)


class PrivacyNoticeSchema(BaseSchema):
    version = fields.String()
    title = fields.String()
    url = fields.String(allow_none=True, metadata={"description": "完整文本的地址（PRIVACY_NOTICE_URL）"})


class TokenSchema(BaseSchema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    user = fields.Nested(UserSchema)
    consent_required = fields.Boolean(metadata={"description": "true：先展示隐私保护指引并记录同意"})
    privacy_notice = fields.Nested(PrivacyNoticeSchema)


class HomeCircleSchema(BaseSchema):
    circle_id = fields.Integer(required=True, allow_none=True)
