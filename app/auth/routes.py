from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from app.auth import service
from app.auth.schemas import HomeCircleSchema, StaffLoginSchema, TokenSchema, UserSchema, WechatLoginSchema
from app.common.extensions import limiter
from app.common.openapi import may_answer
from app.common.policy import login_required

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="登录与账号")


def _login_limit() -> str:
    return current_app.config["WECHAT_LOGIN_RATE_LIMIT"]


@blp.route("/auth/wechat/login")
class WechatLogin(MethodView):
    decorators = [limiter.limit(_login_limit)]

    @blp.arguments(WechatLoginSchema)
    @blp.response(200, TokenSchema)
    @may_answer(401, 403, 502)
    def post(self, body):
        """用 wx.login 的 code 换取访问令牌（居民）"""
        return service.login_with_wechat(body["code"], body.get("privacy_version"))


@blp.route("/auth/staff/login")
class StaffLogin(MethodView):
    decorators = [limiter.limit("10/minute")]

    @blp.arguments(StaffLoginSchema)
    @blp.response(200, TokenSchema)
    @may_answer(401, 403)
    def post(self, body):
        """工作人员、管理员用户名密码登录"""
        return service.login_with_password(body["username"], body["password"])


@blp.route("/me")
class Me(MethodView):
    decorators = [login_required()]

    @blp.response(200, UserSchema)
    def get(self):
        """当前用户"""
        return current_user

    @blp.arguments(HomeCircleSchema)
    @blp.response(200, UserSchema)
    def patch(self, body):
        """设置居住的生活圈"""
        return service.set_home_circle(current_user, body["circle_id"])


from app.auth.account_routes import blp as accounts_blp  # noqa: E402

blueprints = [blp, accounts_blp]
