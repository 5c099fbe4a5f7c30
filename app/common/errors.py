"""The contract's error envelope: {"error": {"code", "message" (中文), "details"}}.

Services raise AppError subclasses with a stable snake_case code; one set of handlers turns these,
request-parsing errors and unexpected exceptions into the envelope.
"""

import logging
import re

from flask import current_app, jsonify
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from app.common.appdb import app_db

log = logging.getLogger(__name__)


class AppError(Exception):
    status = 400
    code = "bad_request"
    message = "请求有误"

    def __init__(self, message=None, *, code=None, details=None, status=None, headers=None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.code = code or self.code
        self.status = status or self.status
        self.details = details or {}
        self.headers = headers or {}


class ValidationFailed(AppError):
    status, code, message = 422, "validation_error", "请求参数有误"


class NotFound(AppError):
    status, code, message = 404, "not_found", "资源不存在"


class Conflict(AppError):
    status, code, message = 409, "conflict", "与现有数据冲突"


class Unauthorized(AppError):
    status, code, message = 401, "unauthorized", "请先登录"


class Forbidden(AppError):
    status, code, message = 403, "forbidden", "无权执行此操作"


class UpstreamError(AppError):
    status, code, message = 502, "upstream_error", "上游服务暂时不可用"


_HTTP_CODES = {
    400: ("bad_request", "请求格式有误"),
    401: ("unauthorized", "请先登录"),
    403: ("forbidden", "无权执行此操作"),
    404: ("not_found", "资源不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "与现有数据冲突"),
    413: ("payload_too_large", "请求体过大"),
    414: ("uri_too_long", "请求地址过长"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("validation_error", "请求参数有误"),
    431: ("headers_too_large", "请求头过大"),
    429: ("rate_limited", "请求过于频繁，请稍后再试"),
    500: ("internal_error", "服务器内部错误"),
    503: ("service_unavailable", "服务暂时不可用，请稍后重试"),
}

# marshmallow/webargs speak English; residents read Chinese.
_MESSAGES_ZH = {
    "Missing data for required field.": "必填字段缺失",
    "Unknown field.": "未知字段",
    "Field may not be null.": "不能为空",
    "Not a valid number.": "不是有效的数字",
    "Not a valid integer.": "不是有效的整数",
    "Not a valid string.": "不是有效的字符串",
    "Not a valid boolean.": "不是有效的布尔值",
    "Not a valid list.": "不是有效的列表",
    "Not a valid mapping type.": "不是有效的对象",
    "Not a valid datetime.": "不是有效的日期时间",
    "Not a valid date.": "不是有效的日期",
    "Invalid input type.": "输入类型有误",
    "Invalid value.": "取值无效",
    "Special numeric values (nan or infinity) are not permitted.": "不允许 NaN 或无穷大",
    "Shorter than minimum length 1.": "不能为空",
    "Invalid JSON body.": "JSON 格式有误",
}


_PATTERNS_ZH = [
    (re.compile(r"^Must be greater than or equal to (.+) and less than or equal to (.+)\.$"), "应在 {0} 到 {1} 之间"),
    (re.compile(r"^Must be greater than or equal to (.+)\.$"), "应不小于 {0}"),
    (re.compile(r"^Must be less than or equal to (.+)\.$"), "应不大于 {0}"),
    (re.compile(r"^Length must be between (.+) and (.+)\.$"), "长度应在 {0} 到 {1} 之间"),
    (re.compile(r"^Shorter than minimum length (.+)\.$"), "长度不能少于 {0}"),
    (re.compile(r"^Longer than maximum length (.+)\.$"), "长度不能超过 {0}"),
    (re.compile(r"^Must be one of: (.+)\.$"), "取值必须是：{0}"),
]


def translate(message):
    if isinstance(message, str):
        if message in _MESSAGES_ZH:
            return _MESSAGES_ZH[message]
        for pattern, template in _PATTERNS_ZH:
            match = pattern.match(message)
            if match:
                return template.format(*match.groups())
        return message
    if isinstance(message, list):
        return [translate(m) for m in message]
    if isinstance(message, dict):
        return {k: translate(v) for k, v in message.items()}
    return message


def flatten_details(messages):
    """webargs nests errors by location ({"query": {"lat": [...]}}); the contract wants field → messages."""
    if not isinstance(messages, dict):
        return {"_request": translate(messages if isinstance(messages, list) else [str(messages)])}
    if set(messages) <= {"json", "query", "form", "files", "headers", "path", "view_args", "json_or_form"}:
        flat = {}
        for location_errors in messages.values():
            flat.update(flatten_details(location_errors))
        return flat
    return {str(field): translate(errors) for field, errors in messages.items()}


def envelope(code, message, details=None, status=400, headers=None):
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_app_error(error: AppError):
    return envelope(error.code, error.message, error.details, error.status, error.headers)


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    code, message = _HTTP_CODES.get(status, ("http_error", error.description or "请求有误"))
    data = getattr(error, "data", None) or {}
    details = {}
    headers = dict(data.get("headers") or {})
    if "messages" in data or "errors" in data:
        details = flatten_details(data.get("errors") or data.get("messages"))
        if status == 400 or any("Invalid JSON" in str(v) for v in details.values()):
            code, message, status = "invalid_json", "请求体不是有效的 JSON", 400
    if status == 429:
        retry_after = (
            getattr(error, "retry_after", None) or error.get_headers() and dict(error.get_headers()).get("Retry-After")
        )
        headers.setdefault("Retry-After", str(retry_after or 60))
    if status == 405:
        headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or [])
    return envelope(code, data.get("message") or message, details, status, headers)


def database_unavailable(error: Exception) -> bool:
    """PostgreSQL down, restarting, unreachable, or no pooled connection free in time."""
    if isinstance(error, sa_exc.OperationalError | sa_exc.TimeoutError):
        return True
    return isinstance(error, sa_exc.DBAPIError) and bool(error.connection_invalidated)


def handle_database_unavailable(error: Exception):
    """503 with Retry-After instead of 500: the client retries, and the pool reconnects by itself."""
    log.warning("database unavailable: %s", str(error).splitlines()[0] if str(error) else type(error).__name__)
    retry_after = str(current_app.config.get("DATABASE_RETRY_AFTER_S", 2))
    return envelope("service_unavailable", "服务暂时不可用，请稍后重试", {}, 503, {"Retry-After": retry_after})


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    if database_unavailable(error):
        return handle_database_unavailable(error)
    log.exception("unhandled error")
    return envelope("internal_error", "服务器内部错误", {}, 500)


def _constraint_columns(name: str | None) -> list[str]:
    """The columns of a named constraint or unique index, from the models' metadata (names are stable:
    app/common/extensions.py's naming convention)."""
    if not name:
        return []
    for table in app_db().metadata.tables.values():
        for item in (*table.constraints, *table.indexes):
            if item.name == name:
                return [column.name for column in getattr(item, "columns", ())]
    return []


# SQLSTATE → (status, code, message, per-field message); constraint names are mapped to fields.
_CONSTRAINT_ERRORS = {
    "23505": (409, "conflict", "与现有数据冲突", "已被占用"),  # unique
    "23P01": (409, "conflict", "与现有数据冲突", "与已有记录重叠"),  # exclusion
    "23503": (422, "validation_error", "引用的对象不存在", "引用的对象不存在"),  # foreign key (insert/update)
    "23502": (422, "validation_error", "请求参数有误", "必填字段缺失"),  # not null
    "23514": (422, "validation_error", "请求参数有误", "取值不符合要求"),  # check
}


def handle_integrity_error(error):
    """A constraint the use case did not check first (or lost a race on): the envelope, never a 500.

    The session is rolled back so the request (and the worker's next one) can go on."""
    app_db().session.rollback()
    orig = getattr(error, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None)
    diag = getattr(orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    status, code, message, field_message = _CONSTRAINT_ERRORS.get(
        sqlstate, (409, "conflict", "与现有数据冲突", "与现有数据冲突")
    )
    if sqlstate == "23503" and "still referenced" in (getattr(diag, "message_detail", "") or ""):
        status, code, message, field_message = 409, "conflict", "仍被其他数据引用，不能删除", "仍被引用"
    columns = _constraint_columns(constraint) or [c for c in [getattr(diag, "column_name", None)] if c]
    details = {column: [field_message] for column in columns} or {"_constraint": [constraint or sqlstate]}
    log.warning("constraint %s (%s) refused a write: answered %s", constraint, sqlstate, status)
    return envelope(code, message, details, status)


def handle_data_error(error):
    """A value PostgreSQL cannot hold (too long, out of range) that a schema let through: 422, and a warning
    so the schema gets the bound (app/common/inputs.py bounds integers and text for every field)."""
    app_db().session.rollback()
    diag = getattr(getattr(error, "orig", None), "diag", None)
    column = getattr(diag, "column_name", None) or "_request"
    log.warning("database refused a value: %s", getattr(diag, "message_primary", error))
    return envelope("validation_error", "请求参数有误", {column: ["取值超出允许范围"]}, 422)


def register_error_handlers(app, api):
    from sqlalchemy.exc import DataError, IntegrityError

    # flask-smorest registers its own HTTPException handler; ours replaces it to keep one envelope.
    api.handle_http_exception = handle_http_exception
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(Exception, handle_unexpected)


def one_line_reason(error: Exception) -> str:
    """An AppError or database error as one Chinese line, for per-row import reports."""
    if isinstance(error, AppError):
        if error.details:
            return "；".join(
                f"{field}: {'，'.join(map(str, msgs if isinstance(msgs, list) else [msgs]))}"
                for field, msgs in error.details.items()
            )
        return error.message
    # A database constraint the checks did not anticipate; its name says which.
    diag = getattr(getattr(error, "orig", None), "diag", None)
    return f"数据库拒绝：{getattr(diag, 'constraint_name', None) or type(getattr(error, 'orig', error)).__name__}"
