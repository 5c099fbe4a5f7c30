from flask.views import MethodView
from flask_smorest import Blueprint

from app.common import fastjson
from app.common.reads import read_only
from app.places.page import outlet_page
from app.places.schemas import DetailQuerySchema, OutletDetailSchema

blp = Blueprint("places", __name__, url_prefix="/api/v1/outlets", description="网点详情")
# The hot path answers without marshmallow's dump (app/common/fastjson.py); the schema stays the documented
# shape, and tests/common/test_fastjson.py holds the projection equal to its dump.
DETAIL = fastjson.Projection(OutletDetailSchema)


@blp.route("/<int:outlet_id>")
class OutletDetail(MethodView):
    @blp.arguments(DetailQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, OutletDetailSchema)
    @read_only
    def get(self, outlet_id, lat, lng, coord):
        """网点详情：营业时间（流动摊点为出摊时间表）、服务、价目、照片、最近评价"""
        return fastjson.response(DETAIL(outlet_page(outlet_id, coord, None if lat is None else (lng, lat))))
