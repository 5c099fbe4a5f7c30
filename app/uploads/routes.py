from flask import Response, request, send_file
from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from app.common.errors import AppError
from app.common.extensions import limiter
from app.common.openapi import may_answer
from app.common.policy import actor, login_optional, login_required, user_or_ip
from app.uploads import access, push, service, storage
from app.uploads.parser import MultipartParser
from app.uploads.schemas import (
    FileQuerySchema,
    MediaCheckEventSchema,
    PushSignatureSchema,
    UploadFormSchema,
    UploadSchema,
)

blp = Blueprint("uploads", __name__, url_prefix="/api/v1/uploads", description="文件上传：图片与资质材料")
blp.ARGUMENTS_PARSER = MultipartParser(unknown=None)
wechat_blp = Blueprint("wechat_push", __name__, url_prefix="/api/v1/wechat", description="微信消息推送回调")
blueprints = [blp, wechat_blp]

# Multipart framing and the purpose field around the file fit in this much beyond the file limit.
MULTIPART_OVERHEAD = 64 * 1024


@blp.before_request
def _limit_body():
    # Werkzeug refuses a larger body with 413 before reading it; this replaces the app-wide MAX_CONTENT_LENGTH.
    request.max_content_length = service.max_bytes() + MULTIPART_OVERHEAD


def present(upload) -> dict:
    """For its owner or reviewing staff (readable_upload checked that): private files get signed links,
    which the mini-program's <image> (no Authorization header) can load."""
    return {
        **{c.key: getattr(upload, c.key) for c in upload.__table__.columns},
        "url": service.public_url(upload, signed=True),
        "thumb_url": service.thumb_url(upload, signed=True),
    }


@blp.route("")
class Uploads(MethodView):
    decorators = [limiter.limit("30/minute", key_func=user_or_ip), login_required()]

    @blp.arguments(UploadFormSchema, location="files")
    @blp.response(201, UploadSchema)
    def post(self, form):
        """上传图片或资质文件（multipart：file + purpose；按内容识别类型，去除 EXIF）"""
        return present(service.store_upload(current_user, form["file"], form["purpose"]))


@blp.route("/<uuid:upload_id>")
class UploadDetail(MethodView):
    @blp.response(200, UploadSchema)
    @login_optional
    def get(self, upload_id):
        """文件信息与内容检测状态（公开文件任何人可看，其余仅本人与负责的工作人员）"""
        return present(service.readable_upload(actor(), upload_id))


def _send(upload, key: str, content_type: str) -> Response:
    if not storage.exists(key):
        raise AppError("文件内容缺失", code="upload_missing", status=404)
    response = send_file(storage.path_of(key), mimetype=content_type, conditional=True, etag=upload.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if access.is_public(upload):
        response.headers["Cache-Control"] = "public, max-age=86400"
    else:
        response.headers["Cache-Control"] = "private, no-store"
    if content_type == "application/pdf":
        response.headers["Content-Security-Policy"] = "sandbox"
        response.headers["Content-Disposition"] = f'inline; filename="upload-{upload.id}.pdf"'
    return response


FILE_RESPONSES = {
    "200": {
        "description": "文件内容",
        "content": {t: {} for t in ("image/jpeg", "image/png", "image/webp", "application/pdf")},
    }
}


@blp.route("/<uuid:upload_id>/file")
class UploadFile(MethodView):
    @blp.arguments(FileQuerySchema, location="query")
    @login_optional
    @blp.doc(responses=FILE_RESPONSES)
    def get(self, args, upload_id):
        """下载文件（资质材料仅本人与负责的工作人员；网点照片审核通过后公开；居民照片检测通过后公开）"""
        upload = service.readable_upload(actor(), upload_id, args["token"])
        return _send(upload, upload.storage_key, upload.content_type)


@blp.route("/<uuid:upload_id>/thumb")
class UploadThumb(MethodView):
    @blp.arguments(FileQuerySchema, location="query")
    @login_optional
    @blp.doc(responses={"200": {"description": "JPEG 缩略图"}})
    def get(self, args, upload_id):
        """缩略图（JPEG，长边 320 像素；访问规则同原图）"""
        upload = service.readable_upload(actor(), upload_id, args["token"])
        if not upload.thumb_key:
            raise AppError("该文件没有缩略图", code="no_thumbnail", status=404)
        return _send(upload, upload.thumb_key, "image/jpeg")


@wechat_blp.route("/media-check")
class MediaCheckPush(MethodView):
    @wechat_blp.arguments(PushSignatureSchema, location="query")
    @wechat_blp.doc(responses={"200": {"description": "echostr 原样返回（text/plain）"}})
    @may_answer(403)
    def get(self, args):
        """微信推送地址校验（签名正确时原样返回 echostr）"""
        push.verify(args["signature"], args["timestamp"], args["nonce"])
        return Response(args["echostr"] or "", mimetype="text/plain")

    @wechat_blp.arguments(PushSignatureSchema, location="query")
    @wechat_blp.arguments(MediaCheckEventSchema)
    @wechat_blp.doc(responses={"200": {"description": "success（text/plain，微信要求的应答）"}})
    @may_answer(403)
    def post(self, args, event):
        """接收微信图片内容安全检测结果（wxa_media_check 事件，校验推送签名）"""
        push.verify(args["signature"], args["timestamp"], args["nonce"])
        service.record_media_verdict(event)
        return Response("success", mimetype="text/plain")
