"""Extension objects, created here and bound to the app in create_app()."""

import flask_smorest
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
jwt = JWTManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

# Unknown parameters are refused everywhere (schemas say unknown=RAISE), so a typo such as
# `type=` for `types=` gets a 422 instead of silently unfiltered results.
Blueprint.ARGUMENTS_PARSER = Parser(unknown=None)
