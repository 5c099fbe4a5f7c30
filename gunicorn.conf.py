"""gunicorn settings, read from the working directory by every gunicorn we start (make run,
scripts/live-backend.sh, the Docker image). Command-line options still override them.

gunicorn answers a request line or header beyond its limits itself, before the app sees it, with an HTML page.
The contract wants the JSON error envelope everywhere, so its error writer is replaced by one that writes it
(tests/common/test_gunicorn_errors.py). A front proxy (nginx in docker compose) has its own limits and pages.
"""

import json

import gunicorn.util

# gunicorn's ceilings (8190 is the largest request line it accepts); a longer line is a 414, a longer header a 431.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

_CODES = {
    400: ("bad_request", "请求格式有误"),
    403: ("forbidden", "无权执行此操作"),
    414: ("uri_too_long", "请求地址过长"),
    417: ("expectation_failed", "不支持该 Expect 请求头"),
    431: ("headers_too_large", "请求头过大"),
    501: ("not_implemented", "不支持该传输编码"),
}


def write_json_error(sock, status_int, reason, mesg):
    code, message = _CODES.get(status_int, ("bad_request" if status_int < 500 else "internal_error", "请求有误"))
    body = json.dumps({"error": {"code": code, "message": message, "details": {}}}, ensure_ascii=False).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    gunicorn.util.write_nonblock(sock, head.encode("latin-1") + body)


# The workers call gunicorn.util.write_error for every request gunicorn refuses; this module runs in the master
# before they fork, so all of them (any worker class) write the envelope.
gunicorn.util.write_error = write_json_error
