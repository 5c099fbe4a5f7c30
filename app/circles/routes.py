from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from app.circles import present, service, settings
from app.circles.schemas import (
    CircleCreateSchema,
    CircleListQuerySchema,
    CircleListSchema,
    CirclePageSchema,
    CircleSchema,
    CircleWriteSchema,
    CitySchema,
    CitySettingsSchema,
    CitySettingsWriteSchema,
    CommunityCreateSchema,
    CommunitySchema,
    CommunityWriteSchema,
    CoordQuerySchema,
    LocateQuerySchema,
    LocateSchema,
)
from app.common.openapi import may_answer
from app.common.policy import BUREAU, login_required

blp = Blueprint("circles", __name__, url_prefix="/api/v1", description="生活圈与社区")


@blp.route("/circles/locate")
class Locate(MethodView):
    @blp.arguments(LocateQuerySchema, location="query")
    @blp.response(200, LocateSchema)
    @may_answer(404)
    def get(self, args):
        """我在哪个生活圈、哪个社区（不在任何生活圈内时 404）"""
        circle, community = service.locate(args["lng"], args["lat"])
        return {"circle": present.summary(circle), "community": community and present.community(community)}


@blp.route("/circles")
class Circles(MethodView):
    @blp.arguments(CircleListQuerySchema, location="query")
    @blp.response(200, CirclePageSchema)
    def get(self, args):
        """生活圈列表"""
        return service.list_circles(args["city_id"], args["page"], args["page_size"]).map(present.summary)


@blp.route("/circles/<int:circle_id>")
class CircleDetail(MethodView):
    @blp.arguments(CoordQuerySchema, location="query")
    @blp.response(200, CircleSchema)
    def get(self, args, circle_id):
        """生活圈详情：类型、人口、社区、边界（GeoJSON）"""
        return present.full(service.get_circle(circle_id), args["coord"])


@blp.route("/staff/circles")
class ManagedCircles(MethodView):
    decorators = [login_required(console=True)]

    @blp.response(200, CircleListSchema)
    def get(self):
        """我负责的生活圈（工作人员：所辖；管理员：全部；其他角色：无）"""
        return {"items": [present.summary(c) for c in service.managed_circles(current_user)]}


@blp.route("/cities")
class Cities(MethodView):
    @blp.response(200, CitySchema(many=True))
    def get(self):
        """城市列表"""
        return service.list_cities()


@blp.route("/cities/<int:city_id>/settings")
class CitySettings(MethodView):
    decorators = [login_required(*BUREAU)]

    @blp.response(200, CitySettingsSchema)
    def get(self, city_id):
        """城市设置：城市等级（连锁化率门槛）、配置标准、评价规则（本市商务局、管理员）"""
        city = settings.get_city(city_id)
        settings.authorize_city(current_user, city.id)
        return settings.settings_dict(city)

    @blp.arguments(CitySettingsWriteSchema)
    @blp.response(200, CitySettingsSchema)
    def patch(self, body, city_id):
        """修改城市设置（记入审计；全市生活圈重新评价）"""
        reason = body.pop("reason", None)
        return settings.settings_dict(settings.update_settings(current_user, city_id, body, reason))


@blp.route("/admin/circles")
class AdminCircles(MethodView):
    decorators = [login_required("admin")]

    @blp.arguments(CoordQuerySchema, location="query")
    @blp.arguments(CircleCreateSchema)
    @blp.response(201, CircleSchema)
    def post(self, args, body):
        """新建生活圈（管理员）"""
        return present.full(service.create_circle(body, args["coord"]), args["coord"])


@blp.route("/admin/circles/<int:circle_id>")
class AdminCircle(MethodView):
    decorators = [login_required("admin")]

    @blp.arguments(CoordQuerySchema, location="query")
    @blp.arguments(CircleWriteSchema)
    @blp.response(200, CircleSchema)
    def patch(self, args, body, circle_id):
        """修改生活圈（边界变化后，网点归属自动更新）"""
        return present.full(service.update_circle(circle_id, body, args["coord"]), args["coord"])


@blp.route("/admin/circles/<int:circle_id>/communities")
class AdminCommunities(MethodView):
    decorators = [login_required("admin")]

    @blp.arguments(CoordQuerySchema, location="query")
    @blp.arguments(CommunityCreateSchema)
    @blp.response(201, CommunitySchema)
    def post(self, args, body, circle_id):
        """在生活圈中新建社区"""
        return present.community(service.create_community(circle_id, body, args["coord"]), args["coord"])


@blp.route("/communities/<int:community_id>")
class CommunityEdit(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.arguments(CoordQuerySchema, location="query")
    @blp.arguments(CommunityWriteSchema)
    @blp.response(200, CommunitySchema)
    def patch(self, args, body, community_id):
        """修改社区人口、年龄结构、边界（管理员，或负责该生活圈的工作人员）"""
        community = service.update_community(current_user, community_id, body, args["coord"])
        return present.community(community, args["coord"])
