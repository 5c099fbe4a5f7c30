from marshmallow import fields, validate

from app.auth.consent import consent_required
from app.common.schemas import BaseSchema, Bool, PageQuerySchema, page_of


class WechatLoginSchema(BaseSchema):
    # wx.login codes are short visible ASCII; anything else cannot be one (and must not reach code2Session).
    code = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=128), validate.Regexp(r"^[\x21-\x7e]+$", error="登录凭证格式有误")],
    )
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
    home_confirmed = fields.Function(
        lambda u: u.home_confirmed_at is not None,
        metadata={"description": "居住的生活圈已由社区工作人员确认（满意度调查无需定位）"},
    )
    phone = fields.String(attribute="masked_phone", allow_none=True, metadata={"description": "手机号（打码显示）"})
    phone_consented_at = fields.DateTime(allow_none=True, metadata={"description": "通过微信手机号按钮授权的时间"})
    privacy_version = fields.String(allow_none=True, metadata={"description": "已同意的隐私保护指引版本"})
    privacy_accepted_at = fields.DateTime(allow_none=True)
    consent_required = fields.Method(
        "_consent_required",
        metadata={"type": "boolean", "description": "true：需要先阅读并同意当前版本的隐私保护指引"},
    )

    def _consent_required(self, user):
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


ACCOUNT_ROLES = ("staff", "bureau", "admin", "merchant")


class AccountSchema(BaseSchema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String(allow_none=True)
    role = fields.String(metadata={"description": "staff 社区工作人员 / bureau 商务局 / admin 管理员 / merchant 商户"})
    roles = fields.List(fields.String())
    disabled = fields.Boolean()
    circle_ids = fields.List(fields.Integer(), metadata={"description": "社区工作人员负责的生活圈"})
    city_ids = fields.List(fields.Integer(), metadata={"description": "商务局负责的城市（范围为其全部生活圈）"})
    last_login_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class AccountCreateSchema(BaseSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=256))
    role = fields.String(
        required=True,
        validate=validate.OneOf(ACCOUNT_ROLES),
        metadata={"description": "商务局只能创建 staff；管理员可创建 staff、bureau、admin、merchant"},
    )
    display_name = fields.String(allow_none=True, validate=validate.Length(max=64))
    circle_ids = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=200))
    city_ids = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=50))


class AccountUpdateSchema(BaseSchema):
    display_name = fields.String(allow_none=True, validate=validate.Length(max=64))
    circle_ids = fields.List(fields.Integer(), validate=validate.Length(max=200))
    city_ids = fields.List(fields.Integer(), validate=validate.Length(max=50))
    disabled = fields.Boolean(metadata={"description": "停用后其令牌立即失效"})
    reason = fields.String(allow_none=True, validate=validate.Length(max=500))


class PasswordResetSchema(BaseSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=256))
    reason = fields.String(allow_none=True, validate=validate.Length(max=500))


class AccountQuerySchema(PageQuerySchema):
    role = fields.String(load_default=None, validate=validate.OneOf(ACCOUNT_ROLES))
    city_id = fields.Integer(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(max=64))
    disabled = Bool(load_default=None)


AccountPageSchema = page_of(AccountSchema, "AccountPageSchema")
