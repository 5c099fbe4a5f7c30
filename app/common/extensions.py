"""Extension objects, created here and bound to the app in create_app()."""

import time

import flask_jwt_extended.view_decorators
import flask_smorest
from flask import current_app
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Blueprint
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

from app.common.inputs import Parser
from app.common.reads import RoutingSession
from app.common.schemas import ErrorSchema

# Stable constraint names keep Alembic migrations reproducible.
naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# RoutingSession: in requests declared read-only, ORM reads follow the read path (app/common/reads.py).
db = SQLAlchemy(metadata=MetaData(naming_convention=naming_convention), session_options={"class_": RoutingSession})
migrate = Migrate()


class Api(flask_smorest.Api):
    # Error responses carry the contract's envelope, declared per status by app/common/openapi.py: no catch-all.
    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None


api = Api()


class JWT(JWTManager):
    """Remembers the tokens it verified (per process, until they expire): a resident's token is checked on every
    request, and PyJWT decoded it three times over (claims, header, then verified), checking each base64
    character in Python: ~10 % of a "me too"'s CPU. A remembered token is answered only before its `exp`;
    after it (or for any other outcome) the library decides as before."""

    MAX = 20_000  # tokens; past that the memory starts again empty

    def __init__(self, app=None, **kwargs):
        self._verified: dict[tuple, dict] = {}
        super().__init__(app, **kwargs)

    def _decode_jwt_from_config(self, encoded_token: str, csrf_value=None, allow_expired: bool = False) -> dict:
        key = (encoded_token, csrf_value, allow_expired, current_app.config["JWT_SECRET_KEY"])
        claims = self._verified.get(key)
        if claims is not None and (allow_expired or claims.get("exp", 0) > time.time()):
            return dict(claims)
        claims = super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        if len(self._verified) >= self.MAX:
            self._verified.clear()
        self._verified[key] = dict(claims)
        return claims


jwt = JWT()


# flask-jwt-extended reads a token's header on every request, after the (remembered) verification above, by
# decoding the token's base64 segments again (PyJWT, in Python: ~3 % of a "me too"'s CPU). A token's header is
# a function of its text, so it is remembered by it; a malformed token raises as before and is not remembered.
# The library looks the function up in its module at each call: it is replaced there (tests/auth hold it so).
_HEADERS: dict[str, dict] = {}


def unverified_jwt_headers(encoded_token: str) -> dict:
    header = _HEADERS.get(encoded_token)
    if header is None:
        header = _unverified_jwt_headers(encoded_token)
        if len(_HEADERS) >= JWT.MAX:
            _HEADERS.clear()
        _HEADERS[encoded_token] = header
    return dict(header)


_unverified_jwt_headers = flask_jwt_extended.view_decorators.get_unverified_jwt_headers
flask_jwt_extended.view_decorators.get_unverified_jwt_headers = unverified_jwt_headers
limiter = Limiter(key_func=get_remote_address, default_limits=[])

# Unknown parameters are refused everywhere (schemas say unknown=RAISE), so a typo such as
# `type=` for `types=` gets a 422 instead of silently unfiltered results.
Blueprint.ARGUMENTS_PARSER = Parser(unknown=None)
