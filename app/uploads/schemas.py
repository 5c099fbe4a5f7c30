from flask_smorest.fields import Upload as UploadField
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from app.common.schemas import BaseSchema
from app.uploads.models import MEDIA_CHECK_STATES, UPLOAD_KINDS, UPLOAD_PURPOSES


class FileField(UploadField):
    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError("应为上传的文件（multipart/form-data 的 file 字段）")
        return value


class UploadFormSchema(BaseSchema):
    file = FileField(required=True, metadata={"description": "JPEG/PNG/WebP 图片；用途为 certification 时也可为 PDF"})
    purpose = fields.String(required=True, validate=validate.OneOf(UPLOAD_PURPOSES))


class UploadSchema(BaseSchema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(UPLOAD_KINDS)})
    purpose = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    media_check = fields.String(
        metadata={"enum": list(MEDIA_CHECK_STATES), "description": "微信内容安全检测：检测通过前 url 为 null"}
    )
    url = fields.String(allow_none=True)
    thumb_url = fields.String(allow_none=True)
    created_at = fields.DateTime()


class FileQuerySchema(BaseSchema):
    token = fields.String(load_default=None, metadata={"description": "微信内容检测拉取文件用的临时凭证"})


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
