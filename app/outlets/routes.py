from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint
from geoalchemy2.shape import to_shape

from app.auth.policy import login_optional, login_required
from app.common import geo
from app.common.clock import local_zone
from app.common.schemas import BaseSchema, coord_field
from app.outlets import present, service
from app.outlets.census_routes import census_blp
from app.outlets.models import HISTORY_COLUMNS
from app.outlets.schemas import (
    DetailQuerySchema,
    NearbyPageSchema,
    NearbyQuerySchema,
    OutletDetailSchema,
    OutletHistorySchema,
)
from app.usage import service as usage

blp = Blueprint("outlets", __name__, url_prefix="/api/v1/outlets", description="网点：附近搜索与详情")
staff_blp = Blueprint("outlets_staff", __name__, url_prefix="/api/v1/staff/outlets", description="网点历史（工作人员）")
blueprints = [blp, staff_blp, census_blp]  # the census is the console's side of the same domain


@blp.route("/nearby")
class Nearby(MethodView):
    @blp.arguments(NearbyQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, NearbyPageSchema)
    @login_optional
    def get(self, lat, lng, coord, **filters):
        """附近的网点（按步行距离排序，默认 GCJ-02 坐标；登录的居民记一次当日使用，用于居民使用率）"""
        wgs_lng, wgs_lat = geo.to_wgs84(lng, lat, coord)
        query = service.NearbyQuery(lng=wgs_lng, lat=wgs_lat, **{**filters, "types": tuple(filters["types"])})
        rows, radius, has_more = service.search_nearby(query)
        usage.record_search(usage.searching_resident(), wgs_lng, wgs_lat)  # 居民使用率 (evaluation item 9)
        return {
            "items": [present.item(row, coord) for row in rows],
            "page": query.page,
            "page_size": query.page_size,
            "has_more": has_more,
            "radius": radius,
            "coord": coord,
        }


@blp.route("/<int:outlet_id>")
class OutletDetail(MethodView):
    @blp.arguments(DetailQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, OutletDetailSchema)
    def get(self, outlet_id, lat, lng, coord):
        """网点详情：营业时间、服务、价目、照片、最近评价"""
        outlet = service.get_outlet(outlet_id)
        distance = None
        if lat is not None:
            distance = service.distance_to(outlet, *geo.to_wgs84(lng, lat, coord))
        return present.detail(outlet, service.outlet_lnglat(outlet), coord, distance)


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
        "location": present.point_out(point.x, point.y, coord),
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
