from flask_smorest.fields import Upload as UploadField
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from app.common.schemas import BaseSchema
from app.uploads.models import MEDIA_CHECK_STATES, UPLOAD_KINDS, UPLOAD_PURPOSES


class UploadId(fields.UUID):
    """An upload's id as the API speaks it: a UUID string (canonical lower-case form once loaded)."""

    default_error_messages = {"invalid_uuid": "应为文件 id（上传接口返回的 UUID）"}

    def _deserialize(self, value, attr, data, **kwargs):
        return str(super()._deserialize(value, attr, data, **kwargs))


class FileField(UploadField):
    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError("应为上传的文件（multipart/form-data 的 file 字段）")
        return value


class UploadFormSchema(BaseSchema):
    file = FileField(required=True, metadata={"description": "JPEG/PNG/WebP 图片；用途为 certification 时也可为 PDF"})
    purpose = fields.String(required=True, validate=validate.OneOf(UPLOAD_PURPOSES))


class UploadSchema(BaseSchema):
    id = UploadId(metadata={"description": "文件 id（随机 UUID，不可推测）"})
    kind = fields.String(metadata={"enum": list(UPLOAD_KINDS)})
    purpose = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    media_check = fields.String(
        metadata={"enum": list(MEDIA_CHECK_STATES), "description": "微信内容安全检测：检测通过前 url 为 null"}
    )
    url = fields.String(
        allow_none=True,
        metadata={
            "description": "文件地址；未公开的文件（资质、尚未被需求/评价使用的照片）带有效期 24 小时的签名 token"
        },
    )
    thumb_url = fields.String(allow_none=True)
    created_at = fields.DateTime()


class FileQuerySchema(BaseSchema):
    token = fields.String(
        load_default=None, metadata={"description": "签名的临时凭证（本人预览链接、微信内容检测拉取），24 小时有效"}
    )


class PushSignatureSchema(BaseSchema):
    signature = fields.String(required=True)
    timestamp = fields.String(required=True)
    nonce = fields.String(required=True)
    echostr = fields.String(load_default=None, metadata={"description": "仅配置推送地址时的 GET 校验"})


class MediaCheckEventSchema(Schema):
    """WeChat's push body. Not strict on purpose: WeChat adds fields without notice, and refusing
    them would lose verdicts."""

    class Meta:
        unknown = EXCLUDE

    Event = fields.String(required=True)
    trace_id = fields.String(load_default=None)
    errcode = fields.Integer(load_default=0)
    result = fields.Dict(load_default=dict)
    appid = fields.String(load_default=None)
