from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from app.common.extensions import limiter
from app.common.policy import login_required, user_or_ip
from app.common.schemas import CoordPageQuerySchema
from app.merchants import claim_routes, editing, present, service
from app.merchants.coords import payload_in
from app.merchants.schemas import (
    ApplicationCreateSchema,
    ApplicationDetailSchema,
    ApplicationPageSchema,
    ApplicationSchema,
    CoordQuerySchema,
    OutletEditResultSchema,
    OutletEditSchema,
    OutletFieldsSchema,
    OwnedOutletPageSchema,
    OwnedOutletSchema,
    StatusChangeSchema,
)
from app.merchants.staff_routes import staff_blp

blp = Blueprint("merchants", __name__, url_prefix="/api/v1/merchant", description="商户入驻与网点维护")
blueprints = [blp, staff_blp, *claim_routes.blueprints]


@blp.route("/applications")
class Applications(MethodView):
    decorators = [limiter.limit("10/hour", key_func=user_or_ip, methods=["POST"]), login_required()]

    @blp.arguments(ApplicationCreateSchema)
    @blp.response(201, ApplicationSchema)
    def post(self, body):
        """提交入驻申请（由网点所在生活圈的工作人员审核）"""
        application = service.submit_application(current_user, payload_in(body))
        return present.application_out(application, body["coord"])

    @blp.arguments(CoordPageQuerySchema, location="query")
    @blp.response(200, ApplicationPageSchema)
    def get(self, args):
        """我的申请（入驻与修改），含审核状态和理由"""
        page = service.my_applications(current_user, args["page"], args["page_size"])
        return page.map(lambda application: present.application_out(application, args["coord"]))


@blp.route("/applications/<int:application_id>")
class MyApplication(MethodView):
    decorators = [login_required()]

    @blp.arguments(CoordQuerySchema, location="query")
    @blp.response(200, ApplicationDetailSchema)
    def get(self, args, application_id):
        """我的申请详情：状态、驳回或退回理由、提交的内容"""
        application = service.own_application(current_user, application_id)
        return present.application_detail(application, args["coord"], with_duplicates=False)

    @blp.arguments(OutletFieldsSchema)
    @blp.response(200, ApplicationSchema)
    def put(self, body, application_id):
        """修改并重新提交入驻申请（待审核或被退回修改时）"""
        application = service.resubmit_application(current_user, application_id, payload_in(body))
        return present.application_out(application, body["coord"])


@blp.route("/outlets")
class MyOutlets(MethodView):
    decorators = [login_required()]

    @blp.arguments(CoordPageQuerySchema, location="query")
    @blp.response(200, OwnedOutletPageSchema)
    def get(self, args):
        """我的网点"""
        page = editing.owned_outlets(current_user, args["page"], args["page_size"])
        return page.map(lambda outlet: present.owned_outlet(outlet, args["coord"]))


@blp.route("/outlets/<int:outlet_id>")
class MyOutlet(MethodView):
    decorators = [login_required()]

    @blp.arguments(CoordQuerySchema, location="query")
    @blp.response(200, OwnedOutletSchema)
    def get(self, args, outlet_id):
        """我的网点详情（含资质、价目、出摊安排、待审核的修改）"""
        return present.owned_outlet(editing.owned_outlet(current_user, outlet_id), args["coord"])

    @blp.arguments(OutletEditSchema(partial=True))
    @blp.response(200, OutletEditResultSchema)
    def patch(self, body, outlet_id):
        """修改网点：营业时间、照片、价格、电话、服务立即生效；名称、位置、业态、资质需审核"""
        coord = body.get("coord", "gcj02")
        outlet, published, change = editing.edit_outlet(current_user, outlet_id, payload_in(body))
        return {
            "outlet": present.owned_outlet(outlet, coord),
            "published": published,
            "change_request": change and present.application_out(change, coord),
        }


@blp.route("/outlets/<int:outlet_id>/status")
class MyOutletStatus(MethodView):
    decorators = [login_required()]

    @blp.arguments(StatusChangeSchema)
    @blp.arguments(CoordQuerySchema, location="query")
    @blp.response(200, OwnedOutletSchema)
    def post(self, body, args, outlet_id):
        """暂停营业、恢复营业或标记已关闭"""
        outlet = editing.set_status_by_owner(current_user, outlet_id, body["status"], body["reason"])
        return present.owned_outlet(outlet, args["coord"])
