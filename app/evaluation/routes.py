import json

from flask import Response
from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from app.common.files import XLSX, file_doc, xlsx_download
from app.common.openapi import may_answer
from app.common.policy import BUREAU, actor, login_optional, login_required
from app.common.reads import read_only
from app.evaluation import exports, profiles, proposals, reports, service, snapshots
from app.evaluation.report_schemas import (
    BlindSpotsQuerySchema,
    CircleMapSchema,
    CityEvaluationQuerySchema,
    CityEvaluationSchema,
    FeatureCollectionSchema,
    GapsQuerySchema,
    GapsSchema,
    MapQuerySchema,
    PublicGapsSchema,
    ScoringDetailSchema,
    ScoringProfileSchema,
    ServiceCodesQuerySchema,
    ServiceCodesSchema,
    StandardsDetailSchema,
)
from app.evaluation.schemas import (
    AssessmentCreateSchema,
    AssessmentPageSchema,
    AssessmentSchema,
    EvaluationSchema,
    HistoryQuerySchema,
    ProposalCreateSchema,
    ProposalPageSchema,
    ProposalSchema,
    SnapshotCreateSchema,
    SnapshotPageSchema,
    SnapshotSchema,
)

blp = Blueprint(
    "evaluation", __name__, url_prefix="/api/v1", description="生活圈评价：有没有、好不好、一图一单一账两表"
)


@blp.route("/circles/<int:circle_id>/evaluation")
class CircleEvaluation(MethodView):
    @blp.response(200, EvaluationSchema)
    @login_optional
    @read_only
    def get(self, circle_id):
        """生活圈评价：有没有、好不好逐项得分与依据（工作人员、管理员完整；居民为公开摘要）"""
        return service.evaluation_for(actor(), circle_id)


@blp.route("/circles/<int:circle_id>/evaluation-history")
class EvaluationHistory(MethodView):
    @blp.arguments(HistoryQuerySchema, location="query")
    @blp.response(200, SnapshotPageSchema)
    @login_optional
    @read_only
    def get(self, args, circle_id):
        """生活圈历次定档评价（类型可升可降）"""
        return snapshots.history(actor(), circle_id, args["page"], args["page_size"])


@blp.route("/staff/circles/<int:circle_id>/evaluation-snapshots")
class EvaluationSnapshots(MethodView):
    decorators = [login_required(*BUREAU)]

    @blp.arguments(SnapshotCreateSchema)
    @blp.response(201, SnapshotSchema)
    def post(self, body, circle_id):
        """定档：冻结本期评价结果（正式评价；仅商务局、管理员）"""
        row = snapshots.freeze_snapshot(current_user, circle_id, body["period"])
        return snapshots.snapshot_item(row, True, None)


@blp.route("/staff/circles/<int:circle_id>/evaluation-proposals")
class EvaluationProposals(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.arguments(ProposalCreateSchema)
    @blp.response(201, ProposalSchema)
    def post(self, body, circle_id):
        """社区提请定档：按期次计算评价结果并附说明，由商务局定档"""
        return proposals.propose(current_user, circle_id, body["period"], body.get("note"))

    @blp.arguments(HistoryQuerySchema, location="query")
    @blp.response(200, ProposalPageSchema)
    def get(self, args, circle_id):
        """提请定档记录（新的在前）"""
        return proposals.list_proposals(current_user, circle_id, args["page"], args["page_size"])


@blp.route("/staff/circles/<int:circle_id>/assessments")
class Assessments(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.arguments(AssessmentCreateSchema)
    @blp.response(201, AssessmentSchema)
    def post(self, body, circle_id):
        """录入工作人员评定项（菜市场达标、一老一小、商居和谐等），附说明和日期"""
        return service.record_assessment(current_user, circle_id, body)

    @blp.arguments(HistoryQuerySchema, location="query")
    @blp.response(200, AssessmentPageSchema)
    def get(self, args, circle_id):
        """工作人员评定记录"""
        return service.list_assessments(current_user, circle_id, args["page"], args["page_size"])


@blp.route("/circles/<int:circle_id>/gaps")
class Gaps(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.arguments(GapsQuerySchema, location="query")
    @blp.response(200, GapsSchema)
    @read_only
    def get(self, args, circle_id):
        """一单：缺什么补什么（按配置标准与居民需求，六个一优先）"""
        return reports.circle_gaps(current_user, circle_id, args["community_id"])


@blp.route("/circles/<int:circle_id>/gap-summary")
class PublicGaps(MethodView):
    @blp.response(200, PublicGapsSchema)
    def get(self, circle_id):
        """生活圈还缺什么（一单的公开版：缺什么、在哪、为什么，按优先级；居民可看）"""
        return reports.public_gaps(circle_id)


@blp.route("/circles/<int:circle_id>/blind-spots")
class BlindSpots(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.arguments(BlindSpotsQuerySchema, location="query")
    @blp.response(200, FeatureCollectionSchema)
    @read_only
    def get(self, args, circle_id):
        """一账：各必备业态的步行服务盲区（GeoJSON，含面积与覆盖人口比例）"""
        return reports.circle_blind_spots(current_user, circle_id, args["types"], args["coord"])


@blp.route("/circles/<int:circle_id>/map.geojson")
class CircleMap(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.arguments(MapQuerySchema, location="query")
    @blp.doc(
        responses={
            "200": {
                "description": "GeoJSON FeatureCollection",
                "content": {"application/geo+json": {"schema": CircleMapSchema}},
            }
        },
    )
    @read_only
    def get(self, args, circle_id):
        """一图：生活圈边界、社区、网点与步行盲区（GeoJSON）"""
        data = reports.circle_map(current_user, circle_id, args["coord"])
        return Response(json.dumps(data, ensure_ascii=False), mimetype="application/geo+json")


@blp.route("/circles/<int:circle_id>/ledger.xlsx")
class CircleLedger(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.doc(responses=file_doc(XLSX, "Excel 工作簿"))
    @read_only
    def get(self, circle_id):
        """导出生活圈台账（Excel：两张评价表、一单、一账、两表、需求清单）"""
        return xlsx_download(*exports.circle_workbook(current_user, circle_id))


@blp.route("/cities/<int:city_id>/evaluation")
class CityEvaluation(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.arguments(CityEvaluationQuerySchema, location="query")
    @blp.response(200, CityEvaluationSchema)
    @read_only
    def get(self, args, city_id):
        """城市总览：各生活圈类型、等级、星级、指标与建设进度"""
        return reports.city_evaluation(current_user, city_id, use_cache=not args["fresh"])


@blp.route("/cities/<int:city_id>/ledger.xlsx")
class CityLedger(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.doc(responses=file_doc(XLSX, "Excel 工作簿"))
    @read_only
    def get(self, city_id):
        """导出城市台账（Excel：评价汇总、指标、建设进度、一单与一账汇总）"""
        return xlsx_download(*exports.city_workbook(current_user, city_id))


@blp.route("/evaluation/service-codes")
class ServiceCodes(MethodView):
    @blp.arguments(ServiceCodesQuerySchema, location="query")
    @blp.response(200, ServiceCodesSchema)
    @may_answer(404)
    def get(self, args):
        """评价用服务代码：便利店增值服务、早餐品类（网点 services 字段）、智能终端、菜市场与一老一小服务项目"""
        return service.service_codes(args["profile"])


@blp.route("/admin/scoring-profiles")
class ScoringProfiles(MethodView):
    decorators = [login_required("admin")]

    @blp.response(200, ScoringProfileSchema(many=True))
    def get(self):
        """评价规则（有没有、好不好）各版本及使用城市"""
        return service.list_profiles()


@blp.route("/standards/<string:code>")
class StandardsDetail(MethodView):
    @blp.response(200, StandardsDetailSchema)
    def get(self, code):
        """一个城市配置标准的全文：必备业态、各业态服务半径（及来源）、配置数量、一老与品质门槛、方案目标"""
        return profiles.standards_detail(code)


@blp.route("/scoring-profiles/<string:code>")
class ScoringProfileDetail(MethodView):
    @blp.response(200, ScoringDetailSchema)
    def get(self, code):
        """一套评价规则的全文：有没有必备业态与分值、分型与等级门槛、好不好各项规则（含按城市等级的连锁化率门槛）"""
        return profiles.scoring_detail(code)
