from flask import request
from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from app.common import fastjson
from app.common.extensions import db, limiter
from app.common.files import XLSX, file_doc, xlsx_download
from app.common.idempotency import HEADER_DOC, idempotent
from app.common.policy import actor, login_optional, login_required, user_or_ip
from app.common.reads import read_only
from app.demands import existing, exports, present, queries, service, triage
from app.demands.models import Demand
from app.demands.project_routes import projects_blp
from app.demands.schemas import (
    CircleDemandsQuerySchema,
    CoordQuerySchema,
    DemandConfirmationSchema,
    DemandCreateSchema,
    DemandOwnPageSchema,
    DemandOwnSchema,
    DemandPageSchema,
    DemandSchema,
    DemandStaffPageSchema,
    DemandStaffSchema,
    DuplicateListSchema,
    ExistingOutletsQuerySchema,
    ExistingOutletsSchema,
    MyDemandsQuerySchema,
    SimilarPageSchema,
    SimilarQuerySchema,
    StaffExportQuerySchema,
    StaffQueueQuerySchema,
    SupportResultSchema,
    TriageSchema,
)
from app.taxonomy.checks import check_type

blp = Blueprint("demands", __name__, url_prefix="/api/v1", description="居民需求：提交、“我也要”、时间线、满意清单")
staff_blp = Blueprint("demands_staff", __name__, url_prefix="/api/v1/staff", description="需求分拣（工作人员）")
blueprints = [blp, staff_blp, projects_blp]

# Per user (or address when anonymous), and per address so one client cannot cycle accounts.
SUBMIT_LIMITS = [
    limiter.limit("10/minute;60/day", key_func=user_or_ip, methods=["POST"]),
    limiter.limit("30/minute", key_func=get_remote_address, methods=["POST"]),
]


def _submitted_again(demand_id, *_args):
    """The answer to a retried submission whose first response was lost after the need was stored."""
    demand = db.session.get(Demand, demand_id)
    coord = (request.get_json(silent=True) or {}).get("coord") or "gcj02"
    return DemandOwnSchema().dump(present.demand_out(demand, coord, "owner", current_user)), 201


# A submission's answer without marshmallow's dump (≈ 5 % of a submission's CPU with Flask's JSON); the schema
# stays what OpenAPI documents. tests/demands/test_submit.py::test_the_answer_is_the_need_as_stored compares the
# answer with the same need as marshmallow dumps it (GET /me/demands).
SUBMITTED = fastjson.Projection(DemandOwnSchema)


@blp.route("/demands")
class Demands(MethodView):
    decorators = [login_required("resident"), *SUBMIT_LIMITS]

    @idempotent(creates=Demand, replay=_submitted_again)
    @blp.arguments(DemandCreateSchema)
    @blp.response(201, DemandOwnSchema)
    @blp.doc(parameters=[HEADER_DOC])
    def post(self, body):
        """提交需求（缺什么、服务质量、网点关停、其他），落入所在生活圈"""
        lng, lat = body["location"]["lng"], body["location"]["lat"]  # WGS-84 once parsed
        fields = {k: v for k, v in body.items() if k not in ("location", "coord")}
        submission = service.submit(current_user, {**fields, "lng": lng, "lat": lat, "coord": body["coord"]})
        return fastjson.response(SUBMITTED(present.submitted_out(submission, body["coord"], current_user)), 201)


@blp.route("/demands/existing-outlets")
class ExistingOutlets(MethodView):
    @blp.arguments(ExistingOutletsQuerySchema, location="query")
    @blp.response(200, ExistingOutletsSchema)
    def get(self, args):
        """提交“缺什么”前：附近最近的同类网点（名称、距离、是否营业）；已有则提交时须说明理由"""
        check_type(args["business_type"])
        lng, lat = args["lng"], args["lat"]
        return existing.hint(args["business_type"], lng, lat, args["coord"])


@blp.route("/demands/similar")
class SimilarDemands(MethodView):
    @blp.arguments(SimilarQuerySchema, location="query")
    @blp.response(200, SimilarPageSchema)
    @login_optional
    def get(self, args):
        """附近相似的未办结需求（同类型、按业态步行半径），可直接“我也要”"""
        lng, lat = args["lng"], args["lat"]
        page, radius = queries.similar_demands(
            lng,
            lat,
            kind=args["kind"],
            business_type=args["business_type"],
            outlet_id=args["outlet_id"],
            page=args["page"],
            page_size=args["page_size"],
        )
        items = present.demands_out([d for d, _ in page.items], args["coord"], user=actor(), timeline=False)
        for item, (_, distance) in zip(items, page.items, strict=True):
            item["distance_m"] = int(round(distance))
        return page.with_items(items).envelope(radius_m=radius)


@blp.route("/demands/<int:demand_id>")
class DemandDetail(MethodView):
    @blp.arguments(CoordQuerySchema, location="query")
    @blp.response(200, DemandSchema)
    def get(self, args, demand_id):
        """需求详情（公开信息与时间线，不含提交人身份）"""
        return present.demand_out(queries.public_demand(demand_id), args["coord"], user=actor())


# A "me too" is one statement; marshmallow's dump and Flask's JSON were a tenth of what is left of its CPU.
SUPPORT_RESULT = fastjson.Projection(SupportResultSchema)


@blp.route("/demands/<int:demand_id>/support")
class SupportDemand(MethodView):
    decorators = [login_required("resident"), *SUBMIT_LIMITS]

    @blp.response(201, SupportResultSchema)
    def post(self, demand_id):
        """“我也要”：支持一条需求（每人一次）"""
        demand = service.support_demand(current_user, demand_id)
        result = {"demand_id": demand.id, "support_count": demand.support_count, "supported": True}
        return fastjson.response(SUPPORT_RESULT(result), 201)


@blp.route("/demands/<int:demand_id>/confirmation")
class DemandConfirmation(MethodView):
    decorators = [login_required("resident")]

    @blp.arguments(CoordQuerySchema, location="query")
    @blp.arguments(DemandConfirmationSchema)
    @blp.response(200, DemandOwnSchema)
    def post(self, args, body, demand_id):
        """提交人确认“问题解决了吗？”（yes/no/unsure；no 将重新打开需求）"""
        demand = service.confirm_demand(current_user, demand_id, body["answer"], body["comment"])
        return present.demand_out(demand, args["coord"], "owner", current_user)


@blp.route("/me/demands")
class MyDemands(MethodView):
    decorators = [login_required()]

    @blp.arguments(MyDemandsQuerySchema, location="query")
    @blp.response(200, DemandOwnPageSchema)
    def get(self, args):
        """我提交的需求（含审核状态、时间线、待确认）"""
        page = queries.my_demands(current_user, args["page"], args["page_size"])
        return page.with_items(present.demands_out(page.items, args["coord"], "owner", current_user))


@blp.route("/circles/<int:circle_id>/demands")
class CircleDemands(MethodView):
    @blp.arguments(CircleDemandsQuerySchema, location="query")
    @blp.response(200, DemandPageSchema)
    @login_optional
    def get(self, args, circle_id):
        """生活圈的需求清单（公开，可按状态、类型筛选）"""
        page = queries.circle_demands(
            circle_id,
            statuses=args["status"],
            kind=args["kind"],
            business_type=args["business_type"],
            sort=args["sort"],
            page=args["page"],
            page_size=args["page_size"],
        )
        return page.with_items(present.demands_out(page.items, args["coord"], user=actor()))


@blp.route("/circles/<int:circle_id>/satisfied-list")
class SatisfiedList(MethodView):
    @blp.arguments(MyDemandsQuerySchema, location="query")
    @blp.response(200, DemandPageSchema)
    @login_optional
    def get(self, args, circle_id):
        """满意清单：已办结且提交人确认解决的需求"""
        page = queries.satisfied_list(circle_id, args["page"], args["page_size"])
        return page.with_items(present.demands_out(page.items, args["coord"], user=actor()))


@staff_blp.route("/demands")
class StaffQueue(MethodView):
    decorators = [login_required("staff", "admin")]

    @staff_blp.arguments(StaffQueueQuerySchema, location="query")
    @staff_blp.response(200, DemandStaffPageSchema)
    def get(self, args):
        """需求清单（本人负责的生活圈）：按状态、社区、业态、日期、支持数、关键词筛选，按轻重缓急、支持数或时间排序"""
        filters = {k: v for k, v in args.items() if k not in ("page", "page_size", "coord", "timeline")}
        page = queries.staff_queue(current_user, page=args["page"], page_size=args["page_size"], **filters)
        return page.with_items(present.demands_out(page.items, args["coord"], "staff", timeline=args["timeline"]))


@staff_blp.route("/demands.xlsx")
class StaffExport(MethodView):
    decorators = [login_required("staff", "admin")]

    @staff_blp.arguments(StaffExportQuerySchema, location="query")
    @staff_blp.doc(responses=file_doc(XLSX, "Excel 工作簿"))
    @read_only
    def get(self, args):
        """导出需求清单（Excel，筛选条件同列表，最多一万条）"""
        rows = queries.staff_export(current_user, **args)
        return xlsx_download("需求清单.xlsx", exports.demands_workbook(rows))


@staff_blp.route("/demands/<int:demand_id>/duplicates")
class StaffDuplicates(MethodView):
    decorators = [login_required("staff", "admin")]

    @staff_blp.arguments(CoordQuerySchema, location="query")
    @staff_blp.response(200, DuplicateListSchema)
    def get(self, args, demand_id):
        """疑似重复：同一生活圈步行半径内、同类型且同业态或内容相近的未办结需求（很可能重复的在前）"""
        _, rows, radius = queries.duplicate_candidates(current_user, demand_id)
        items = present.demands_out([row[0] for row in rows], args["coord"], "staff", timeline=False)
        for item, (_, distance, similarity, likely) in zip(items, rows, strict=True):
            item.update(distance_m=int(round(distance)), text_similarity=round(float(similarity), 2), likely=likely)
        return {"items": items, "radius_m": radius}


@staff_blp.route("/demands/<int:demand_id>")
class StaffDemand(MethodView):
    decorators = [login_required("staff", "admin")]

    @staff_blp.arguments(CoordQuerySchema, location="query")
    @staff_blp.response(200, DemandStaffSchema)
    def get(self, args, demand_id):
        """需求详情（工作人员：含内部记录）"""
        return present.demand_out(queries.staff_demand(current_user, demand_id), args["coord"], "staff")

    @staff_blp.arguments(CoordQuerySchema, location="query")
    @staff_blp.arguments(TriageSchema)
    @staff_blp.response(200, DemandStaffSchema)
    def patch(self, args, body, demand_id):
        """分拣需求：状态、轻重缓急、公开答复、合并、关联项目、内容审核"""
        demand = triage.triage_demand(current_user, demand_id, body)
        return present.demand_out(demand, args["coord"], "staff")
