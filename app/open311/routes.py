"""GeoReport v2 routes. Every resource answers as `.json` or `.xml` (the spec's default format), and every
error on these routes is the spec's list of {code, description} in the format asked for."""

from flask import Response, current_app, jsonify, request
from flask.views import MethodView
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint
from werkzeug import exceptions as werkzeug_exceptions
from werkzeug.exceptions import HTTPException

from app.common.errors import AppError, NotFound, flatten_details, handle_http_exception
from app.common.extensions import limiter
from app.common.openapi import may_answer
from app.open311 import present, service
from app.open311.schemas import (
    JurisdictionQuerySchema,
    RequestCreatedSchema,
    RequestCreateSchema,
    RequestQuerySchema,
    RequestSchema,
    RequestTokenSchema,
    ServiceDefinitionSchema,
    ServiceSchema,
)
from app.open311.xml import document

PREFIX = "/open311/v2"
blp = Blueprint(
    "open311", __name__, url_prefix=PREFIX, description="Open311 GeoReport v2（WGS-84 坐标；.json 或 .xml）"
)
FORMAT = "<any(json, xml):fmt>"


def _xml(body: bytes, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/xml")


def _asked_xml() -> bool:
    fmt = (request.view_args or {}).get("fmt")
    return fmt == "xml" if fmt else request.path.endswith(".xml")


def open311_error(error):
    """GeoReport's own error shape: a list of {code, description}; 422 becomes the spec's 400."""
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
    if _asked_xml():
        return _xml(document("errors", "error", errors), status)
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


FALLBACK = "_open311_unknown"
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _unknown_resource(rest):
    """Any other path or method under /open311/v2 answers in the spec's error format: 405 (with Allow) when
    the resource exists with other methods, else 404 (an unknown resource or format)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in _METHODS:
        try:
            endpoint, _ = adapter.match(request.path, method=method)
        except HTTPException:
            continue
        if endpoint != FALLBACK:
            allowed.append(method)
    if allowed:
        error = AppError(
            "不支持该请求方法", code="method_not_allowed", status=405, headers={"Allow": ", ".join(allowed)}
        )
        response = open311_error(error)
        response.headers["Allow"] = ", ".join(allowed)
        return response
    return open311_error(NotFound("资源不存在（支持 .json 与 .xml）", code="not_found"))


# Registered on the app, not the blueprint, so it stays out of the OpenAPI document.
blp.record_once(
    lambda state: state.app.add_url_rule(f"{PREFIX}/<path:rest>", FALLBACK, _unknown_resource, methods=_METHODS)
)


@blp.app_errorhandler(werkzeug_exceptions.NotFound)
@blp.app_errorhandler(werkzeug_exceptions.MethodNotAllowed)
def _unrouted(error):
    """Werkzeug does not fall back to `<path:rest>` when a route's converter refuses a value (an id beyond int4):
    such a 404 under /open311/v2 still answers in the spec's error format."""
    if request.path.startswith(PREFIX + "/"):
        return open311_error(error)
    return handle_http_exception(error)


def respond(fmt: str, data, root: str, item: str | None, status: int = 200):
    """XML is built here; JSON is left to the response schema."""
    if fmt == "xml":
        return _xml(document(root, item, data), status)
    return data


@blp.route(f"/services.{FORMAT}")
class Services(MethodView):
    @blp.arguments(JurisdictionQuerySchema, location="query")
    @blp.response(200, ServiceSchema(many=True))
    def get(self, args, fmt):
        """服务列表：需求类型（缺什么按业态细分；代码可直接放进路径）"""
        service.jurisdiction(args.get("jurisdiction_id"))
        return respond(fmt, service.services(), "services", "service")


@blp.route(f"/services/<service_code>.{FORMAT}")
class ServiceDefinition(MethodView):
    @blp.arguments(JurisdictionQuerySchema, location="query")
    @blp.response(200, ServiceDefinitionSchema)
    def get(self, args, service_code, fmt):
        """服务定义：提交请求时可附带的属性（attribute[code]）；旧代码 missing_type:xxx 仍可用"""
        service.jurisdiction(args.get("jurisdiction_id"))
        return respond(fmt, service.service_definition(service_code), "service_definition", None)


@blp.route(f"/requests.{FORMAT}")
class Requests(MethodView):
    decorators = [limiter.limit("30/minute", key_func=get_remote_address, methods=["POST"])]

    @blp.arguments(RequestQuerySchema, location="query")
    @blp.response(200, RequestSchema(many=True))
    @may_answer(404)
    def get(self, args, fmt):
        """查询请求（按编号、服务、状态 open/closed、起止日期；jurisdiction_id 为城市代码）"""
        demands = service.list_requests(
            ids=[int(i) for i in args["service_request_id"]],
            service_codes=args["service_code"],
            statuses=args["status"],
            start=args["start_date"],
            end=args["end_date"],
            city=service.jurisdiction(args.get("jurisdiction_id")),
        )
        return respond(fmt, present.requests_out(demands), "service_requests", "request")

    @blp.arguments(RequestCreateSchema, location="json_or_form")
    @blp.response(201, RequestCreatedSchema(many=True))
    @may_answer(403, 404)
    def post(self, body, fmt):
        """提交请求（需要 api_key；表单或 JSON；lat/long 为 WGS-84；属性见服务定义）"""
        demand = service.create_request(body.pop("api_key"), body)
        notice = "已受理，内容审核后公开" if demand.moderation == "held" else ""
        created = [
            {
                "service_request_id": str(demand.id),
                "token": service.token_for(demand),
                "service_notice": notice,
                "account_id": None,
            }
        ]
        return respond(fmt, created, "service_requests", "request", status=201)


@blp.route(f"/requests/<int:request_id>.{FORMAT}")
class RequestDetail(MethodView):
    @blp.arguments(JurisdictionQuerySchema, location="query")
    @blp.response(200, RequestSchema(many=True))
    def get(self, args, request_id, fmt):
        """单个请求（规范要求返回数组）"""
        demand = service.get_request(request_id, service.jurisdiction(args.get("jurisdiction_id")))
        return respond(fmt, present.requests_out([demand]), "service_requests", "request")


@blp.route(f"/tokens/<token>.{FORMAT}")
class Token(MethodView):
    @blp.arguments(JurisdictionQuerySchema, location="query")
    @blp.response(200, RequestTokenSchema(many=True))
    def get(self, args, token, fmt):
        """由提交时返回的 token 查询请求编号"""
        service.jurisdiction(args.get("jurisdiction_id"))
        demand = service.request_for_token(token)
        rows = [{"service_request_id": str(demand.id), "token": token}]
        return respond(fmt, rows, "service_requests", "request")
