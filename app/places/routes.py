from flask.views import MethodView
from flask_smorest import Blueprint

from app.places.page import outlet_page
from app.places.schemas import DetailQuerySchema, OutletDetailSchema

blp = Blueprint("places", __name__, url_prefix="/api/v1/outlets", description="网点详情")


@blp.route("/<int:outlet_id>")
class OutletDetail(MethodView):
    @blp.arguments(DetailQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, OutletDetailSchema)
    def get(self, outlet_id, lat, lng, coord):
        """网点详情：营业时间（流动摊点为出摊时间表）、服务、价目、照片、最近评价"""
        return outlet_page(outlet_id, coord, None if lat is None else (lng, lat))
