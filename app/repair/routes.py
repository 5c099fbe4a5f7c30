from flask.views import MethodView
from flask_smorest import Blueprint

from app.common import fastjson, inputs
from app.common.openapi import may_answer
from app.common.reads import read_only
from app.repair import present, service
from app.repair.coverage import service_coverage
from app.repair.schemas import CoverageQuerySchema, CoverageSchema, RepairNearbyPageSchema, RepairNearbyQuerySchema

blp = Blueprint("repair", __name__, url_prefix="/api/v1/repair", description="小修小补便民地图")
REPAIR_PAGE = fastjson.Projection(RepairNearbyPageSchema)  # the hot path's dump (app/common/fastjson.py)
inputs.fast_query(RepairNearbyQuerySchema)  # and its load, for valid queries (app/common/inputs.py FastQuery)


@blp.route("/nearby")
class RepairNearby(MethodView):
    @blp.arguments(RepairNearbyQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, RepairNearbyPageSchema)
    @read_only
    def get(self, lat, lng, coord, services, **rest):
        """附近的小修小补点（流动摊点按此刻或下一次出摊地点，上门服务按服务范围）"""
        query = service.RepairQuery(lng=lng, lat=lat, services=tuple(services), **rest)
        page = service.search_repair(query)
        page = page.with_items(present.items(page.items, coord))
        return fastjson.response(REPAIR_PAGE(page.envelope(radius=query.radius, coord=coord)))


@blp.route("/services")
class RepairServices(MethodView):
    @blp.arguments(CoverageQuerySchema, location="query")
    @blp.response(200, CoverageSchema)
    @may_answer(404)
    def get(self, args):
        """生活圈内各维修服务项目的网点数及缺少的项目（好不好评价：不少于 8 类）"""
        return service_coverage(args["circle_id"])
