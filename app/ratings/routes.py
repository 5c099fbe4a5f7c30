from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from app.common.extensions import limiter
from app.common.policy import login_required, user_or_ip
from app.common.schemas import PageQuerySchema
from app.ratings import credit, merchant, present, service
from app.ratings.schemas import (
    RATING_TAGS,
    CreditSchema,
    FindingCreateSchema,
    FindingListSchema,
    FindingSchema,
    HideSchema,
    MerchantRatingQuerySchema,
    MyRatingSchema,
    OwnRatingPageSchema,
    RatingCreateSchema,
    RatingPageSchema,
    RatingSchema,
    RatingTagsSchema,
    ReplySchema,
    ReportOutSchema,
    ReportSchema,
    StaffRatingPageSchema,
    StaffRatingQuerySchema,
    StaffRatingSchema,
)

blp = Blueprint("ratings", __name__, url_prefix="/api/v1", description="网点评价、商户回复、举报与信用等级")

# Per user (or address when anonymous), plus a looser cap per address for many accounts behind one IP.
WRITE_LIMITS = [
    limiter.limit("10/minute;60/day", key_func=user_or_ip, methods=["POST"]),
    limiter.limit("60/minute", key_func=get_remote_address, methods=["POST"]),
]


@blp.route("/rating-tags")
class RatingTags(MethodView):
    @blp.response(200, RatingTagsSchema)
    def get(self):
        """评价可选标签"""
        return {"items": list(RATING_TAGS)}


@blp.route("/outlets/<int:outlet_id>/ratings")
class OutletRatings(MethodView):
    decorators = WRITE_LIMITS

    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, RatingPageSchema)
    def get(self, args, outlet_id):
        """网点的评价（最新在前，不含已隐藏的评价）"""
        return service.list_outlet_ratings(outlet_id, args["page"], args["page_size"])

    @login_required("resident")
    @blp.arguments(RatingCreateSchema)
    @blp.response(201, MyRatingSchema)
    @blp.alt_response(200, schema=MyRatingSchema, description="已替换此前的评价")
    def post(self, body, outlet_id):
        """评价网点（每人每店一条，再次提交即替换）"""
        rating, created = service.submit_rating(current_user, outlet_id, **body)
        return present.mine(rating), 201 if created else 200


@blp.route("/outlets/<int:outlet_id>/ratings/mine")
class MyRating(MethodView):
    decorators = [login_required()]

    @blp.response(200, MyRatingSchema)
    def get(self, outlet_id):
        """我对该网点的评价（含审核状态）"""
        return present.mine(service.my_rating(current_user, outlet_id))


@blp.route("/merchant/ratings/<int:rating_id>/reply")
class Reply(MethodView):
    decorators = [login_required(), *WRITE_LIMITS]

    @blp.arguments(ReplySchema)
    @blp.response(201, RatingSchema)
    @blp.alt_response(200, schema=RatingSchema, description="已修改此前的回复")
    def post(self, body, rating_id):
        """商户回复评价：每条评价一条回复，再次提交即修改（经内容安全检测；网点详情的最新评价中可见）"""
        rating, created = service.reply_to_rating(current_user, rating_id, body["text"])
        return present.public(rating), 201 if created else 200

    @blp.response(204)
    def delete(self, rating_id):
        """商户撤回对评价的回复（该评价重新计入待回复）"""
        service.withdraw_reply(current_user, rating_id)


@blp.route("/ratings/<int:rating_id>/reply")
class ReplyFirstPath(Reply):
    """The first release's path of the same operation (the mini-program may still call it); withdrawing is
    only on the merchant path."""

    methods = {"POST"}


@blp.route("/merchant/outlets/<int:outlet_id>/ratings")
class OwnOutletRatings(MethodView):
    decorators = [login_required()]

    @blp.arguments(MerchantRatingQuerySchema, location="query")
    @blp.response(200, OwnRatingPageSchema)
    def get(self, args, outlet_id):
        """我的网点的评价（含回复、未回复数）与商户信用等级（网点商户、负责的工作人员可看）"""
        return merchant.own_outlet_ratings(current_user, outlet_id, **args)


@blp.route("/ratings/<int:rating_id>/report")
class Report(MethodView):
    decorators = [login_required(), *WRITE_LIMITS]

    @blp.arguments(ReportSchema)
    @blp.response(201, ReportOutSchema)
    def post(self, body, rating_id):
        """举报评价（每人每条一次）"""
        return service.report_rating(current_user, rating_id, body["reason"])


@blp.route("/staff/ratings")
class StaffRatings(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.arguments(StaffRatingQuerySchema, location="query")
    @blp.response(200, StaffRatingPageSchema)
    def get(self, args):
        """负责生活圈内的评价（可只看被举报的）"""
        return service.staff_list_ratings(current_user, **args)


@blp.route("/staff/ratings/<int:rating_id>/hide")
class StaffHide(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.arguments(HideSchema)
    @blp.response(200, StaffRatingSchema)
    def post(self, body, rating_id):
        """隐藏或恢复评价（须填写理由；隐藏的评价不计入平均分）"""
        rating, outlet = service.set_rating_hidden(current_user, rating_id, body["hidden"], body["reason"])
        return present.staff(rating, outlet)


@blp.route("/staff/outlets/<int:outlet_id>/findings")
class Findings(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.response(200, FindingListSchema)
    def get(self, outlet_id):
        """网点的检查记录"""
        return {"items": [credit.finding_dict(f) for f in credit.list_findings(current_user, outlet_id)]}

    @blp.arguments(FindingCreateSchema)
    @blp.response(201, FindingSchema)
    def post(self, body, outlet_id):
        """记录对网点的检查发现（计入商户信用等级）"""
        return credit.finding_dict(credit.record_finding(current_user, outlet_id, **body))


@blp.route("/merchant/outlets/<int:outlet_id>/credit")
class Credit(MethodView):
    decorators = [login_required()]

    @blp.response(200, CreditSchema)
    def get(self, outlet_id):
        """商户信用等级：等级、依据的数据和评定规则（网点商户、负责的工作人员可看）"""
        return credit.outlet_credit(current_user, outlet_id)
