from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from app.common.clock import now_local
from app.common.policy import login_required
from app.events import service
from app.events.models import EVENT_THEMES
from app.events.present import event_out
from app.events.schemas import (
    CircleEventsQuerySchema,
    CoordQuerySchema,
    EventCreateSchema,
    EventPageSchema,
    EventSchema,
    EventUpdateSchema,
    NearbyEventsQuerySchema,
    ThemeListSchema,
)

blp = Blueprint("events", __name__, url_prefix="/api/v1", description="促消费活动")


def _lnglat(body):
    """Takes the location (WGS-84 once parsed) and `coord` out of a body → (lng, lat) or (None, None)."""
    location = body.pop("location", None)
    body.pop("coord", None)
    return (None, None) if location is None else (location["lng"], location["lat"])


@blp.route("/event-themes")
class Themes(MethodView):
    @blp.response(200, ThemeListSchema)
    def get(self):
        """活动主题"""
        return {"items": [{"code": code, "name_zh": name} for code, name in EVENT_THEMES.items()]}


@blp.route("/events/nearby")
class NearbyEvents(MethodView):
    @blp.arguments(NearbyEventsQuerySchema, location="query")
    @blp.response(200, EventPageSchema)
    def get(self, args):
        """附近即将举办和进行中的活动（按开始日期、再按距离排序）"""
        lng, lat = args["lng"], args["lat"]
        page = service.nearby_events(lng, lat, args["radius"], args["page"], args["page_size"])
        return page.map(lambda row: event_out(*row[:3], args["coord"], row.distance_m))


@blp.route("/events/<int:event_id>")
class EventDetail(MethodView):
    @blp.arguments(CoordQuerySchema, location="query")
    @blp.response(200, EventSchema)
    def get(self, args, event_id):
        """活动详情"""
        event = service.get_event(event_id)
        return event_out(event, *service.event_lnglat(event), args["coord"])


@blp.route("/circles/<int:circle_id>/events")
class CircleEvents(MethodView):
    @blp.arguments(CircleEventsQuerySchema, location="query")
    @blp.response(200, EventPageSchema)
    def get(self, args, circle_id):
        """生活圈某年的活动（默认今年）"""
        year = args["year"] or now_local().year
        page = service.circle_events(circle_id, year, args["page"], args["page_size"])
        return page.map(lambda row: event_out(*row, args["coord"]))


@blp.route("/staff/events")
class StaffEvents(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.arguments(EventCreateSchema)
    @blp.response(201, EventSchema)
    def post(self, body):
        """登记促消费活动（负责该生活圈的工作人员）"""
        coord = body.get("coord", "gcj02")
        lng, lat = _lnglat(body)
        event = service.create_event(current_user, body, lng, lat)
        return event_out(event, lng, lat, coord)


@blp.route("/staff/events/<int:event_id>")
class StaffEvent(MethodView):
    decorators = [login_required("staff", "admin")]

    @blp.arguments(EventUpdateSchema)
    @blp.response(200, EventSchema)
    def patch(self, body, event_id):
        """修改活动"""
        coord = body.get("coord", "gcj02")
        lng, lat = _lnglat(body)
        event = service.update_event(current_user, event_id, body, lng, lat)
        return event_out(event, *service.event_lnglat(event), coord)

    @blp.response(204)
    def delete(self, event_id):
        """删除活动"""
        service.delete_event(current_user, event_id)
