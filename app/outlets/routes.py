from flask.views import MethodView
from flask_smorest import Blueprint

from app.common import geo
from app.outlets import present, service
from app.outlets.schemas import DetailQuerySchema, NearbyPageSchema, NearbyQuerySchema, OutletDetailSchema
from app.usage import service as usage

blp = Blueprint("outlets", __name__, url_prefix="/api/v1/outlets", description="网点：附近搜索与详情")


@blp.route("/nearby")
class Nearby(MethodView):
    @blp.arguments(NearbyQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, NearbyPageSchema)
    @blp.doc(security=[{}, {"bearerAuth": []}])
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
