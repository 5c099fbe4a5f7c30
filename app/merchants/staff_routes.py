from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from app.audit.schemas import AuditPageSchema
from app.common.openapi import may_answer
from app.common.policy import login_required
from app.merchants import audit, editing, present, service
from app.merchants.coords import payload_out
from app.merchants.schemas import (
    ApplicationDetailSchema,
    ApplicationListQuerySchema,
    ApplicationPageSchema,
    ApplicationSchema,
    ApproveSchema,
    AuditQuerySchema,
    CoordQuerySchema,
    OwnedOutletSchema,
    ReasonSchema,
    StatusChangeSchema,
)

staff_blp = Blueprint(
    "merchant_review", __name__, url_prefix="/api/v1/staff", description="入驻审核与审计记录（工作人员）"
)
STAFF = login_required("staff", "admin")


@staff_blp.route("/applications")
class Queue(MethodView):
    decorators = [STAFF]

    @staff_blp.arguments(ApplicationListQuerySchema, location="query")
    @staff_blp.response(200, ApplicationPageSchema)
    def get(self, args):
        """待审核队列（本人负责的生活圈；管理员看全部）"""
        page, page_size, coord = args.pop("page"), args.pop("page_size"), args.pop("coord")
        listing = service.staff_queue(current_user, page=page, page_size=page_size, **args)
        return listing.map(lambda application: present.application_out(application, coord))


@staff_blp.route("/applications/<int:application_id>")
class Review(MethodView):
    decorators = [STAFF]

    @staff_blp.arguments(CoordQuerySchema, location="query")
    @staff_blp.response(200, ApplicationDetailSchema)
    def get(self, args, application_id):
        """申请详情，附 200 米内名称相近或业态相同的已有网点（疑似重复）"""
        application = service.application_for_staff(current_user, application_id)
        return present.application_detail(application, args["coord"], with_duplicates=True)


@staff_blp.route("/applications/<int:application_id>/approve")
class Approve(MethodView):
    decorators = [STAFF]

    @staff_blp.arguments(ApproveSchema)
    @staff_blp.arguments(CoordQuerySchema, location="query")
    @staff_blp.response(200, ApplicationSchema)
    def post(self, body, args, application_id):
        """通过：发布网点（或应用修改），申请人成为该网点的商户"""
        application = service.approve_application(current_user, application_id, body["note"])
        return present.application_out(application, args["coord"])


@staff_blp.route("/applications/<int:application_id>/reject")
class Reject(MethodView):
    decorators = [STAFF]

    @staff_blp.arguments(ReasonSchema)
    @staff_blp.arguments(CoordQuerySchema, location="query")
    @staff_blp.response(200, ApplicationSchema)
    def post(self, body, args, application_id):
        """驳回（须填写理由）"""
        application = service.reject_application(current_user, application_id, body["reason"])
        return present.application_out(application, args["coord"])


@staff_blp.route("/applications/<int:application_id>/return")
class SendBack(MethodView):
    decorators = [STAFF]

    @staff_blp.arguments(ReasonSchema)
    @staff_blp.arguments(CoordQuerySchema, location="query")
    @staff_blp.response(200, ApplicationSchema)
    def post(self, body, args, application_id):
        """退回修改（须说明要改什么），申请人修改后重新提交"""
        application = service.return_application(current_user, application_id, body["reason"])
        return present.application_out(application, args["coord"])


@staff_blp.route("/outlets/<int:outlet_id>/status")
class OutletStatus(MethodView):
    decorators = [STAFF]

    @staff_blp.arguments(StatusChangeSchema)
    @staff_blp.arguments(CoordQuerySchema, location="query")
    @staff_blp.response(200, OwnedOutletSchema)
    def post(self, body, args, outlet_id):
        """标记网点暂停营业、恢复营业或已关闭"""
        outlet = editing.set_status_by_staff(current_user, outlet_id, body["status"], body["reason"])
        return present.owned_outlet(outlet, args["coord"])


def _entry_out(entry, coord: str) -> dict:
    """An audit entry with the places in its before/after in the request's coordinate system."""
    row = {column.key: getattr(entry, column.key) for column in entry.__table__.columns}
    for key in ("before", "after"):
        row[key] = row[key] and payload_out(row[key], coord)
    return row


@staff_blp.route("/audit")
class Audit(MethodView):
    decorators = [STAFF]

    @staff_blp.arguments(AuditQuerySchema, location="query")
    @staff_blp.response(200, AuditPageSchema)
    @may_answer(404)
    def get(self, args):
        """审计记录：谁、何时、做了什么、理由、修改前后（按网点、申请或生活圈）"""
        coord = args.pop("coord")
        return audit.list_entries(current_user, **args).map(lambda entry: _entry_out(entry, coord))
