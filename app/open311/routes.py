from flask import jsonify, request
from flask.views import MethodView
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from app.common.errors import AppError, flatten_details, handle_http_exception
from app.common.openapi import may_answer
from app.extensions import limiter
from app.open311 import present, service
from app.open311.schemas import (
    JurisdictionQuerySchema,
    RequestCreatedSchema,
    RequestCreateSchema,
    RequestQuerySchema,
    RequestSchema,
    ServiceSchema,
)

blp = Blueprint("open311", __name__, url_prefix="/open311/v2", description="Open311 GeoReport v2（WGS-84 坐标）")


def open311_error(error):
    """GeoReport's own error shape: a JSON array of {code, description}; 422 becomes the spec's 400."""
    if isinstance(error, AppError):
        status, message, details = error.status, error.message, error.details
    elif isinstance(error, HTTPException):
        data = getattr(error, "data", None) or {}
        status, message = error.code or 500, error.description or "请求有误"
        details = flatten_details(data["messages"]) if "messages" in data else {}
        if details:
            message = "请求参数有误"
    else:  # pragma: no cover - the app-wide handler covers the rest
        raise error
    status = 400 if status == 422 else status
    errors = [{"code": status, "description": message}]
    for field, messages in details.items():
        if isinstance(messages, list):
            errors.append({"code": status, "description": f"{field}: {'；'.join(map(str, messages))}"})
    response = jsonify(errors)
    response.status_code = status
    return response


blp.register_error_handler(AppError, open311_error)
blp.register_error_handler(HTTPException, open311_error)
# For the OpenAPI document (app/common/openapi.py): GeoReport's error list, 400 where the rest of the API says 422.
blp.error_schema = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "required": ["code", "description"],
    },
}
blp.error_status_map = {422: 400}


@blp.app_errorhandler(NotFound)
@blp.app_errorhandler(MethodNotAllowed)
def _unrouted(error):
    """A path under /open311/ that matches no route (e.g. an id beyond int4) is still answered in GeoReport's shape."""
    if request.path.startswith(blp.url_prefix + "/"):
        return open311_error(error)
    return handle_http_exception(error)


@blp.route("/services.json")
class Services(MethodView):
    @blp.arguments(JurisdictionQuerySchema, location="query")
    @blp.response(200, ServiceSchema(many=True))
    def get(self, args):
        """服务列表：需求类型（缺什么按业态细分）"""
        return service.services()


@blp.route("/requests.json")
class Requests(MethodView):
    decorators = [limiter.limit("30/minute", key_func=get_remote_address, methods=["POST"])]

    @blp.arguments(RequestQuerySchema, location="query")
    @blp.response(200, RequestSchema(many=True))
    @may_answer(404)
    def get(self, args):
        """查询请求（按编号、服务、状态 open/closed、起止日期）"""
        demands = service.list_requests(
            ids=[int(i) for i in args["service_request_id"]],
            service_codes=args["service_code"],
            statuses=args["status"],
            start=args["start_date"],
            end=args["end_date"],
        )
        return present.requests_out(demands)

    @blp.arguments(RequestCreateSchema, location="json_or_form")
    @blp.response(201, RequestCreatedSchema(many=True))
    @may_answer(403, 404)
    def post(self, body):
        """提交请求（需要 api_key；表单或 JSON；lat/long 为 WGS-84）"""
        demand = service.create_request(body.pop("api_key"), body)
        notice = "已受理，内容审核后公开" if demand.moderation == "held" else ""
        return [{"service_request_id": str(demand.id), "service_notice": notice, "account_id": None}]


@blp.route("/requests/<int:request_id>.json")
class RequestDetail(MethodView):
    @blp.arguments(JurisdictionQuerySchema, location="query")
    @blp.response(200, RequestSchema(many=True))
    def get(self, args, request_id):
        """单个请求（规范要求返回数组）"""
        return present.requests_out([service.get_request(request_id)])
