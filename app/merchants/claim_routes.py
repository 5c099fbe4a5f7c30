"""Claiming a listed outlet (认领): the merchant's routes and the reviewing staff's (app/merchants/claims.py)."""

from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from app.common.extensions import limiter
from app.common.openapi import may_answer
from app.common.policy import login_required, user_or_ip
from app.common.schemas import PageQuerySchema
from app.merchants import claims, present
from app.merchants.schemas import (
    ClaimApproveSchema,
    ClaimCreateSchema,
    ClaimListQuerySchema,
    ClaimPageSchema,
    ClaimSchema,
    ReasonSchema,
    StaffClaimPageSchema,
    StaffClaimSchema,
)

blp = Blueprint("merchant_claims", __name__, url_prefix="/api/v1/merchant", description="商户认领已登记的网点")
staff_blp = Blueprint(
    "claim_review", __name__, url_prefix="/api/v1/staff", description="认领审核（工作人员）：核验、争议、审计"
)
blueprints = [blp, staff_blp]
STAFF = login_required("staff", "admin", console=True)


@blp.route("/claims")
class Claims(MethodView):
    decorators = [limiter.limit("10/hour", key_func=user_or_ip, methods=["POST"]), login_required()]

    @blp.arguments(ClaimCreateSchema)
    @blp.response(201, ClaimSchema)
    @may_answer(404, 502)
    def post(self, body):
        """认领已登记的网点：营业执照号码与照片、微信手机号核验；由网点所在生活圈的工作人员审核"""
        return present.claim_out(claims.submit_claim(current_user, **body))

    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, ClaimPageSchema)
    def get(self, args):
        """我的认领申请（含状态、争议和驳回理由）"""
        return claims.my_claims(current_user, args["page"], args["page_size"]).map(present.claim_out)


@blp.route("/claims/<int:claim_id>")
class MyClaim(MethodView):
    decorators = [login_required()]

    @blp.response(200, ClaimSchema)
    def get(self, claim_id):
        """我的认领申请详情"""
        return present.claim_out(claims.own_claim(current_user, claim_id))

    @blp.response(200, ClaimSchema)
    def delete(self, claim_id):
        """撤回认领申请（待审核或有争议时）"""
        return present.claim_out(claims.withdraw_claim(current_user, claim_id))


@staff_blp.route("/claims")
class ClaimQueue(MethodView):
    decorators = [STAFF]

    @staff_blp.arguments(ClaimListQuerySchema, location="query")
    @staff_blp.response(200, StaffClaimPageSchema)
    def get(self, args):
        """认领审核队列（本人负责的生活圈；有争议的在前）"""
        listing = claims.staff_claims(current_user, **args)
        return listing.with_items(present.claims_staff(listing.items))


@staff_blp.route("/claims/<int:claim_id>")
class ClaimReview(MethodView):
    decorators = [STAFF]

    @staff_blp.response(200, StaffClaimSchema)
    def get(self, claim_id):
        """认领申请详情：营业执照、核验的手机号与网点登记电话是否一致、同一网点的其他认领"""
        return present.claim_staff(claims.claim_for_staff(current_user, claim_id))


@staff_blp.route("/claims/<int:claim_id>/approve")
class ClaimApprove(MethodView):
    decorators = [STAFF]

    @staff_blp.arguments(ClaimApproveSchema)
    @staff_blp.response(200, StaffClaimSchema)
    def post(self, body, claim_id):
        """通过认领：申请人成为网点的商户（网点已有商户时须 transfer: true）"""
        return present.claim_staff(claims.approve_claim(current_user, claim_id, body["note"], body["transfer"]))


@staff_blp.route("/claims/<int:claim_id>/reject")
class ClaimReject(MethodView):
    decorators = [STAFF]

    @staff_blp.arguments(ReasonSchema)
    @staff_blp.response(200, StaffClaimSchema)
    def post(self, body, claim_id):
        """驳回认领（须填写理由）"""
        return present.claim_staff(claims.reject_claim(current_user, claim_id, body["reason"]))
