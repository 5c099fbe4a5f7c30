from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint
from geoalchemy2.shape import to_shape

from app.common import fastjson, geo, inputs
from app.common.clock import local_zone
from app.common.policy import login_optional, login_required
from app.common.reads import read_only
from app.common.schemas import BaseSchema, coord_field
from app.outlets import present, service
from app.outlets.census_routes import census_blp
from app.outlets.models import HISTORY_COLUMNS
from app.outlets.schemas import NearbyPageSchema, NearbyQuerySchema, OutletHistorySchema
from app.usage import service as usage

blp = Blueprint("outlets", __name__, url_prefix="/api/v1/outlets", description="网点：附近搜索与详情")
staff_blp = Blueprint("outlets_staff", __name__, url_prefix="/api/v1/staff/outlets", description="网点历史（工作人员）")
blueprints = [blp, staff_blp, census_blp]  # the census is the console's side of the same domain

# The hot path answers without marshmallow's dump (app/common/fastjson.py); the schemas stay the documented
# shape, and tests/common/test_fastjson.py holds the projections equal to their dump.
NEARBY_PAGE = fastjson.Projection(NearbyPageSchema)
# … and reads its valid queries without marshmallow's load (app/common/inputs.py FastQuery; errors unchanged).
inputs.fast_query(NearbyQuerySchema)


@blp.route("/nearby")
class Nearby(MethodView):
    @blp.arguments(NearbyQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, NearbyPageSchema)
    @login_optional
    @read_only
    def get(self, lat, lng, coord, **filters):
        """附近的网点与此刻（或下一次）在附近出摊的流动摊点（默认 GCJ-02；登录居民记一次当日使用）"""
        query = service.NearbyQuery(lng=lng, lat=lat, **{**filters, "types": tuple(filters["types"])})
        page, radius = service.search_nearby(query)
        usage.record_search(usage.searching_resident(), lng, lat)  # 居民使用率 (evaluation item 9)
        page = page.with_items(present.items(page.items, coord))
        return fastjson.response(NEARBY_PAGE(page.envelope(radius=radius, coord=coord)))


class CoordOnlySchema(BaseSchema):
    coord = coord_field()


def _version_out(version, coord: str) -> dict:
    point = to_shape(version.location)
    row = {key: getattr(version, key) for key in HISTORY_COLUMNS if key != "location"}
    return {
        **row,
        # Local time: the dates a census or a closure is stated in.
        "valid_from": version.valid_from.astimezone(local_zone()),
        "valid_to": version.valid_to and version.valid_to.astimezone(local_zone()),
        "location": geo.point_out(point.x, point.y, coord),
    }


@staff_blp.route("/<int:outlet_id>/history")
class OutletHistory(MethodView):
    decorators = [login_required("staff", "bureau", "admin")]

    @staff_blp.arguments(CoordOnlySchema, location="query")
    @staff_blp.response(200, OutletHistorySchema)
    def get(self, args, outlet_id):
        """网点的历史：开业、关停、业态与属性变化及其日期（过去期次的评价按此计算）"""
        versions = service.outlet_history(current_user, outlet_id)
        return {"outlet_id": outlet_id, "items": [_version_out(v, args["coord"]) for v in versions]}
