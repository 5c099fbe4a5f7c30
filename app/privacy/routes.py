from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from app.auth import consent
from app.auth.schemas import PrivacyNoticeSchema, UserSchema
from app.common import geo
from app.common.extensions import limiter
from app.common.openapi import may_answer
from app.common.policy import login_required, user_or_ip
from app.common.schemas import BaseSchema, coord_field
from app.privacy import service
from app.privacy.schemas import DeletionResultSchema, DeletionSchema, ExportSchema, PhoneSchema, PrivacyConsentSchema

blp = Blueprint(
    "privacy", __name__, url_prefix="/api/v1", description="个人信息：隐私保护指引、手机号授权、数据导出、注销账号"
)


@blp.route("/privacy-notice")
class PrivacyNotice(MethodView):
    @blp.response(200, PrivacyNoticeSchema)
    def get(self):
        """当前隐私保护指引的版本（版本变化时居民需重新同意）"""
        return consent.notice()


@blp.route("/me/privacy-consent")
class PrivacyConsent(MethodView):
    decorators = [login_required()]

    @blp.arguments(PrivacyConsentSchema)
    @blp.response(200, UserSchema)
    def post(self, body):
        """记录同意的隐私保护指引版本（只能同意当前版本）"""
        return consent.accept_notice(current_user, body["version"])


@blp.route("/me/phone")
class MyPhone(MethodView):
    decorators = [login_required()]

    @blp.arguments(PhoneSchema)
    @blp.response(200, UserSchema)
    def post(self, body):
        """绑定手机号：只接受微信手机号按钮的授权 code，返回打码后的号码"""
        return service.set_phone(current_user, body["phone_code"])

    @blp.response(200, UserSchema)
    def delete(self):
        """撤回手机号授权并删除号码"""
        return service.withdraw_phone(current_user)


class CoordQuerySchema(BaseSchema):
    coord = coord_field(metadata={"description": "导出内容中位置的坐标系"})


@blp.route("/me/export")
class MyDataExport(MethodView):
    decorators = [login_required(), limiter.limit("10/hour", key_func=user_or_ip)]

    @blp.arguments(CoordQuerySchema, location="query")
    @blp.response(200, ExportSchema, headers={"Content-Disposition": {"schema": {"type": "string"}}})
    def get(self, args):
        """下载平台保存的本人全部信息（JSON；位置按 coord 坐标系）"""
        data = geo.points_out(service.export(current_user), args["coord"])
        filename = f"my-data-{current_user.id}.json"
        return data, 200, {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}


@blp.route("/me/deletion")
class AccountDeletion(MethodView):
    decorators = [login_required(), limiter.limit("5/hour", key_func=user_or_ip)]

    @blp.arguments(DeletionSchema)
    @blp.response(200, DeletionResultSchema)
    @may_answer(403)
    def post(self, body):
        """注销账号：立即删除或匿名化个人信息，此前签发的登录凭证随即失效"""
        return service.delete_account(current_user, body["remove_content"])
