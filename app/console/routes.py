from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import set_access_cookies, unset_jwt_cookies
from flask_smorest import Blueprint

from app.auth import service as auth
from app.auth.schemas import StaffLoginSchema
from app.common.extensions import limiter
from app.common.openapi import may_answer
from app.console.schemas import ConsoleSessionSchema, ConsoleSettingsSchema

blp = Blueprint("console", __name__, url_prefix="/api/v1", description="工作台（网页）：Cookie 登录与设置")

# The same budget as the bearer-token staff login: one address cannot guess quickly.
LOGIN_LIMIT = "10/minute"


@blp.route("/auth/console/login")
class ConsoleLogin(MethodView):
    decorators = [limiter.limit(LOGIN_LIMIT)]

    @blp.arguments(StaffLoginSchema)
    @blp.response(200, ConsoleSessionSchema)
    @may_answer(401, 403)
    def post(self, body):
        """工作台登录：令牌写入 HttpOnly、SameSite=Strict 的 Cookie，并下发 CSRF Cookie（写操作回传于 X-CSRF-TOKEN）"""
        user = auth.check_password(body["username"], body["password"])
        session, token = auth.console_session(user)
        response = current_app.json.response(ConsoleSessionSchema().dump(session))
        set_access_cookies(response, token)
        return response


@blp.route("/auth/console/logout")
class ConsoleLogout(MethodView):
    @blp.response(204)
    def post(self):
        """工作台退出登录：清除登录 Cookie"""
        response = current_app.response_class(status=204)
        unset_jwt_cookies(response)
        return response


@blp.route("/console/settings")
class ConsoleSettings(MethodView):
    @blp.response(200, ConsoleSettingsSchema)
    def get(self):
        """工作台设置：地图瓦片地址与其坐标系（未配置时无底图，离线可用）"""
        config = current_app.config
        return {
            "tiles": {
                "url": config["MAP_TILE_URL"],
                "coord": config["MAP_TILE_COORD"],
                "subdomains": config["MAP_TILE_SUBDOMAINS"],
                "attribution": config["MAP_TILE_ATTRIBUTION"],
            }
        }
