from marshmallow import fields, validate

from app.common.schemas import BaseSchema


class PrivacyConsentSchema(BaseSchema):
    version = fields.String(
        required=True, validate=validate.Length(min=1, max=32), metadata={"description": "同意的隐私保护指引版本"}
    )


class PhoneSchema(BaseSchema):
    phone_code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=128),
        metadata={"description": "手机号快速验证组件（open-type=getPhoneNumber）返回的 code：用户点按即为授权"},
    )


class DeletionSchema(BaseSchema):
    confirm = fields.Boolean(required=True, validate=validate.Equal(True, error="请确认注销（confirm 必须为 true）"))
    remove_content = fields.Boolean(
        load_default=False,
        metadata={"description": "true：同时删除公开的需求和评价；默认保留并显示为“已注销用户”"},
    )


class DeletionResultSchema(BaseSchema):
    deleted_at = fields.DateTime()
    remove_content = fields.Boolean()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "各类数据的处理数量"})


class ExportSchema(BaseSchema):
    format = fields.Integer(metadata={"description": "导出格式版本"})
    exported_at = fields.String(metadata={"description": "导出时间（ISO 8601）"})
    privacy_notice_version = fields.String()
    records = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "按类别：account、needs、me_too、ratings、survey_answers、uploads、notifications …"},
    )
