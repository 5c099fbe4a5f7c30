from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from app.common.policy import login_required
from app.notifications import service
from app.notifications.schemas import ConsentSchema, SubscriptionListSchema

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="订阅消息授权（一次性订阅）")


@blp.route("/me/subscriptions")
class MySubscriptions(MethodView):
    decorators = [login_required()]

    @blp.response(200, SubscriptionListSchema)
    def get(self):
        """我的订阅消息授权：每个模板还能收到几条"""
        return {"items": service.consents(current_user)}

    @blp.arguments(ConsentSchema)
    @blp.response(200, SubscriptionListSchema)
    def post(self, body):
        """上报 wx.requestSubscribeMessage 的结果（accept 增加一条可发送额度）"""
        service.record_consent(current_user, body["results"])
        return {"items": service.consents(current_user)}
