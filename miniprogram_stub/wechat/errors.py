"""WeChat error codes the stub returns, with the errmsg text the real API sends.

The real API answers errors with HTTP 200 and an ``errcode`` in the body, so
every helper here produces a 200 response unless a test asks otherwise.
"""

from flask import jsonify

OK = 0
SYSTEM_ERROR = -1
INVALID_CREDENTIAL = 40001
INVALID_GRANT_TYPE = 40002
INVALID_OPENID = 40003
INVALID_CODE = 40029
INVALID_TEMPLATE_ID = 40037
INVALID_APPSECRET = 40125
CODE_BEEN_USED = 40163
ACCESS_TOKEN_MISSING = 41001
APPID_MISSING = 41002
APPSECRET_MISSING = 41004
CODE_MISSING = 41008
ACCESS_TOKEN_EXPIRED = 42001
USER_REFUSED = 43101
DATA_FORMAT_ERROR = 47001
ARGUMENT_INVALID = 47003

MESSAGES = {
    OK: "ok",
    SYSTEM_ERROR: "system error",
    INVALID_CREDENTIAL: "invalid credential, access_token is invalid or not latest",
    INVALID_GRANT_TYPE: "invalid grant_type",
    INVALID_OPENID: "invalid openid",
    INVALID_CODE: "invalid code",
    INVALID_TEMPLATE_ID: "invalid template_id",
    INVALID_APPSECRET: "invalid appsecret",
    CODE_BEEN_USED: "code been used",
    ACCESS_TOKEN_MISSING: "access_token missing",
    APPID_MISSING: "appid missing",
    APPSECRET_MISSING: "appsecret missing",
    CODE_MISSING: "missing code",
    ACCESS_TOKEN_EXPIRED: "access_token expired",
    USER_REFUSED: "user refuse to accept the msg",
    DATA_FORMAT_ERROR: "data format error",
    ARGUMENT_INVALID: "argument invalid!",
}


def error_body(errcode, errmsg=None):
    return {"errcode": errcode, "errmsg": errmsg or MESSAGES.get(errcode, "stub error")}


def error(errcode, errmsg=None, status=200):
    return jsonify(error_body(errcode, errmsg)), status


def ok(**fields):
    return jsonify({"errcode": OK, "errmsg": "ok", **fields})
