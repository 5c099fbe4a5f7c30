from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from app.common.extensions import limiter
from app.common.policy import BUREAU, actor, login_optional, login_required, user_or_ip
from app.surveys import entry, home, merchant, results, service
from app.surveys.schemas import (
    BatchFileSchema,
    BatchResultSchema,
    CommentPageSchema,
    CommentsQuerySchema,
    HomeConfirmedSchema,
    MerchantPaperResponseSchema,
    MerchantResponseCreateSchema,
    MerchantResponseSchema,
    MerchantResultsSchema,
    PaperResponseResultSchema,
    PaperResponseSchema,
    PeriodCreateSchema,
    PeriodListSchema,
    PeriodSchema,
    PeriodUpdateSchema,
    ResponseCreateSchema,
    ResponseSchema,
    ResultsQuerySchema,
    ResultsSchema,
    SurveyViewSchema,
)

blp = Blueprint("surveys", __name__, url_prefix="/api/v1", description="满意度调查（业态满意、服务满意）")


@blp.route("/circles/<int:circle_id>/survey")
class SurveyView(MethodView):
    @blp.response(200, SurveyViewSchema)
    @login_optional
    def get(self, circle_id):
        """生活圈当前的满意度调查（登录时告知是否已作答）"""
        return service.resident_view(actor(), circle_id)


@blp.route("/circles/<int:circle_id>/survey-responses")
class SurveyResponses(MethodView):
    decorators = [
        login_required("resident"),
        limiter.limit("5/minute;20/day", key_func=user_or_ip),
        limiter.limit("60/minute", key_func=get_remote_address),
    ]

    @blp.arguments(ResponseCreateSchema)
    @blp.response(201, ResponseSchema)
    def post(self, body, circle_id):
        """提交满意度评价：每人每期一次，只为居住的生活圈（按作答位置核验，或已由社区确认）"""
        body.pop("coord")  # the location is WGS-84 once parsed; the answer carries no coordinates
        response, period = service.submit_response(current_user, circle_id, **body)
        return {
            **{k: getattr(response, k) for k in ("id", "circle_id", "type_satisfaction", "service_satisfaction")},
            "comment": response.comment,
            "created_at": response.created_at,
            "period": service.period_dict(period),
            "home_circle_id": current_user.home_circle_id,
            "home_check": response.home_check,
            "distance_m": response.distance_m,
        }


@blp.route("/staff/circles/<int:circle_id>/survey-periods")
class SurveyPeriods(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.response(200, PeriodListSchema)
    def get(self, circle_id):
        """生活圈的调查期及各期答卷数"""
        return {"items": service.list_periods(current_user, circle_id)}

    @login_required(*BUREAU)
    @blp.arguments(PeriodCreateSchema)
    @blp.response(201, PeriodSchema)
    def post(self, body, circle_id):
        """开启调查期（商务局、管理员；默认当年全年；可补开往年以录入纸质问卷；同一生活圈的调查期不能重叠）"""
        return service.period_dict(service.open_period(current_user, circle_id, **body), 0)


@blp.route("/staff/circles/<int:circle_id>/survey-periods/<int:period_id>")
class SurveyPeriodEdit(MethodView):
    decorators = [login_required("staff", "admin")]

    @login_required(*BUREAU)
    @blp.arguments(PeriodUpdateSchema)
    @blp.response(200, PeriodSchema)
    def patch(self, body, circle_id, period_id):
        """修改调查期（商务局、管理员：改名、调整日期或提前结束）"""
        return service.period_dict(service.update_period(current_user, circle_id, period_id, body))


@blp.route("/staff/circles/<int:circle_id>/survey-results")
class SurveyResults(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.arguments(ResultsQuerySchema, location="query")
    @blp.response(200, ResultsSchema)
    def get(self, args, circle_id):
        """调查结果：答卷数、样本占比（3% 规则）、满意率及 95% 置信区间"""
        return results.survey_results(current_user, circle_id, args["period_id"])


@blp.route("/staff/circles/<int:circle_id>/survey-comments")
class SurveyComments(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.arguments(CommentsQuerySchema, location="query")
    @blp.response(200, CommentPageSchema)
    def get(self, args, circle_id):
        """居民留言（不显示作答人）"""
        return results.list_comments(current_user, circle_id, **args)


@blp.route("/staff/circles/<int:circle_id>/residents/<int:user_id>/home")
class ResidentHome(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.response(200, HomeConfirmedSchema)
    def put(self, circle_id, user_id):
        """社区确认居民居住在本生活圈（此后参加满意度调查无需定位；记入审计）"""
        resident = home.confirm_home(current_user, circle_id, user_id)
        return {"user_id": resident.id, "home_circle_id": resident.home_circle_id, "home_confirmed": True}


@blp.route("/circles/<int:circle_id>/merchant-survey-responses")
class MerchantResponses(MethodView):
    decorators = [login_required(), limiter.limit("5/minute;20/day", key_func=user_or_ip)]

    @blp.arguments(MerchantResponseCreateSchema)
    @blp.response(201, MerchantResponseSchema)
    def post(self, body, circle_id):
        """商户问卷：在本生活圈经营网点的商户每期填写一次（经营状况、缺少与过剩的业态、对营商环境的评价）"""
        row, _period = merchant.submit(current_user, circle_id, body)
        return row


@blp.route("/staff/circles/<int:circle_id>/merchant-survey-results")
class MerchantResults(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.arguments(ResultsQuerySchema, location="query")
    @blp.response(200, MerchantResultsSchema)
    def get(self, args, circle_id):
        """商户问卷结果（商务局按生活圈查看）：答卷数与来源、经营状况、营商环境评价、缺少与过剩的业态"""
        return merchant.results(current_user, circle_id, args["period_id"])


def _paper_entry(kind: str, path: str, schema, result_schema, names: tuple[str, str], summaries: tuple[str, str]):
    """Staff enter a questionnaire's paper and phone answers (entry.py): one as JSON, or a CSV batch."""
    base = f"/staff/circles/<int:circle_id>/survey-periods/<int:period_id>/{path}"

    class One(MethodView):
        decorators = [login_required("staff", "admin")]

        @blp.arguments(schema)
        @blp.response(201, result_schema)
        def post(self, body, circle_id, period_id):
            return entry.enter_one(current_user, kind, circle_id, period_id, body)

    class Batch(MethodView):
        decorators = [login_required("staff", "admin")]

        @blp.arguments(BatchFileSchema, location="files")
        @blp.response(200, BatchResultSchema)
        def post(self, form, circle_id, period_id):
            return entry.enter_batch(current_user, kind, circle_id, period_id, form["file"])

    for view, name, summary, url in zip((One, Batch), names, summaries, (base, f"{base}/batch"), strict=True):
        view.post.__doc__ = summary  # the operation's summary in the OpenAPI document
        blp.route(url, endpoint=name)(view)


_paper_entry(
    "resident",
    "paper-responses",
    PaperResponseSchema,
    PaperResponseResultSchema,
    ("PaperResponses", "PaperResponsesBatch"),
    (
        "录入一份纸质或电话满意度问卷（标明来源与录入人；往期调查期也可录入）",
        """批量录入纸质、电话满意度问卷（CSV：source,respondent_ref,answered_on,type_satisfaction,
        service_satisfaction,comment；错误行逐行报告）""",
    ),
)
_paper_entry(
    "merchant",
    "merchant-paper-responses",
    MerchantPaperResponseSchema,
    MerchantResponseSchema,
    ("MerchantPaperResponses", "MerchantPaperResponsesBatch"),
    (
        "录入一份纸质或电话商户问卷",
        """批量录入商户问卷（CSV：source,respondent_ref,answered_on,business_outlook,environment_satisfaction,
        needed_types,oversupplied_types,comment；业态用 | 分隔）""",
    ),
)
