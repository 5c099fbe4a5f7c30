from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from app.auth.policy import BUREAU, actor, login_required, user_or_ip
from app.extensions import limiter
from app.surveys import results, service
from app.surveys.schemas import (
    CommentPageSchema,
    CommentsQuerySchema,
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
SECURED = [{"bearerAuth": []}]


@blp.route("/circles/<int:circle_id>/survey")
class SurveyView(MethodView):
    @blp.response(200, SurveyViewSchema)
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
    @blp.doc(security=SECURED)
    def post(self, body, circle_id):
        """提交满意度评价（每人每个生活圈每期一次）"""
        response, period = service.submit_response(current_user, circle_id, **body)
        return {
            **{k: getattr(response, k) for k in ("id", "circle_id", "type_satisfaction", "service_satisfaction")},
            "comment": response.comment,
            "created_at": response.created_at,
            "period": service.period_dict(period),
            "home_circle_id": current_user.home_circle_id,
        }


@blp.route("/staff/circles/<int:circle_id>/survey-periods")
class SurveyPeriods(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.response(200, PeriodListSchema)
    @blp.doc(security=SECURED)
    def get(self, circle_id):
        """生活圈的调查期及各期答卷数"""
        return {"items": service.list_periods(current_user, circle_id)}

    @login_required(*BUREAU)
    @blp.arguments(PeriodCreateSchema)
    @blp.response(201, PeriodSchema)
    @blp.doc(security=SECURED)
    def post(self, body, circle_id):
        """开启调查期（商务局、管理员；默认当年全年；可补开往年以录入纸质问卷；同一生活圈的调查期不能重叠）"""
        return service.period_dict(service.open_period(current_user, circle_id, **body), 0)


@blp.route("/staff/circles/<int:circle_id>/survey-periods/<int:period_id>")
class SurveyPeriodEdit(MethodView):
    decorators = [login_required("staff", "admin")]

    @login_required(*BUREAU)
    @blp.arguments(PeriodUpdateSchema)
    @blp.response(200, PeriodSchema)
    @blp.doc(security=SECURED)
    def patch(self, body, circle_id, period_id):
        """修改调查期（商务局、管理员：改名、调整日期或提前结束）"""
        return service.period_dict(service.update_period(current_user, circle_id, period_id, body))


@blp.route("/staff/circles/<int:circle_id>/survey-results")
class SurveyResults(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.arguments(ResultsQuerySchema, location="query")
    @blp.response(200, ResultsSchema)
    @blp.doc(security=SECURED)
    def get(self, args, circle_id):
        """调查结果：答卷数、样本占比（3% 规则）、满意率及 95% 置信区间"""
        return results.survey_results(current_user, circle_id, args["period_id"])


@blp.route("/staff/circles/<int:circle_id>/survey-comments")
class SurveyComments(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.arguments(CommentsQuerySchema, location="query")
    @blp.response(200, CommentPageSchema)
    @blp.doc(security=SECURED)
    def get(self, args, circle_id):
        """居民留言（不显示作答人）"""
        return results.list_comments(current_user, circle_id, **args)
