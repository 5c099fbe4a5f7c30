"""The one mechanism for who may do what: roles on the route, circle scope in the use case.

It lies below every domain (circles and auth import it like the rest): it knows a user only by what auth's User
offers (`has_role`, `scope_circle_ids`, `scope_city_ids`) and the request's token (flask-jwt-extended, whose user
loader auth registers)."""

from functools import wraps

from flask import request
from flask_jwt_extended import current_user, verify_jwt_in_request

from app.common.errors import Forbidden, NotFound
from app.common.extensions import db
from app.common.openapi import CONSOLE_LOGIN, LOGIN, OPTIONAL_LOGIN
from app.common.reads import presents_token

_VERIFIED = "circle.token_verified"  # request.environ: this request's token has been verified here


def _verify_token(optional: bool):
    verify_jwt_in_request(optional=optional)
    request.environ[_VERIFIED] = True


def actor():
    """The logged-in user of this request, or None (optional login). The token is verified once per request: a
    view behind `login_required` (or a second caller) reuses that verification instead of decoding the token
    and loading the user again. A request without a token is anonymous without asking the extension (the
    public searches' hot path)."""
    if not request.environ.get(_VERIFIED):
        if not presents_token():
            return None
        _verify_token(optional=True)
    return current_user if current_user else None


def login_required(*roles, console=False):
    """Route decorator: a valid token is needed (401); with roles, one of them too (403).

    It declares itself in the OpenAPI document (app/common/openapi.py): `security` bearer (and, for the routes
    made for the web console, `console=True`, its cookie), 401 and 403, and the roles (`x-roles`)."""
    security = CONSOLE_LOGIN if console else LOGIN

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not (request.environ.get(_VERIFIED) and current_user):  # (the rate limit's key may have verified it)
                _verify_token(optional=False)
            if roles and not current_user.has_role(*roles):
                raise Forbidden("当前账号无此权限", code="role_forbidden")
            return view(*args, **kwargs)

        wrapper._roles, wrapper._security = roles, security
        return wrapper

    decorate._roles, decorate._security = roles, security
    return decorate


def login_optional(view):
    """Route decorator: anyone may call, and the view reads a token when one is sent (`actor()`: staff see
    more). Only a declaration: the OpenAPI document's `security` says "none or bearer" (app/common/openapi.py);
    the view decides what a bad token means (401 from `actor()`; the nearby search ignores it)."""
    view._security = OPTIONAL_LOGIN
    return view


# Routes only the bureau (商务局) or an admin may call: official grades, survey periods, city settings,
# accounts. Community staff prepare and propose; the bureau decides.
BUREAU = ("bureau", "admin")


def _admin_or_in_scope(user, role: str, scope: str, place_id) -> bool:
    """Admins everywhere; a user of `role` where `place_id` is among the user's `scope` ids."""
    if user is None:
        return False
    if user.has_role("admin"):
        return True
    return user.has_role(role) and place_id is not None and place_id in getattr(user, scope)


def can_manage_circle(user, circle_id) -> bool:
    """Admins everywhere; staff in their circles; a bureau in every circle of its cities (bureau ⊇ staff)."""
    return _admin_or_in_scope(user, "staff", "scope_circle_ids", circle_id)


def can_manage_outlet(user, outlet) -> bool:
    """An outlet's own merchant (its owner), or staff in scope of its circle (who act for a shop without a
    smartphone, and check what it shows)."""
    if user is None:
        return False
    owner = outlet.owner_user_id
    return (owner is not None and owner == user.id) or can_manage_circle(user, outlet.circle_id)


def can_manage_city(user, city_id) -> bool:
    """Admins everywhere; a bureau in its cities."""
    return _admin_or_in_scope(user, "bureau", "scope_city_ids", city_id)


def authorize_city(user, city_id):
    """City settings and accounts: the bureau of that city, or an admin."""
    if not can_manage_city(user, city_id):
        raise Forbidden("不在您负责的城市范围内", code="out_of_scope")


def authorize_circle(user, circle_id):
    """Staff act only inside their circles; admins everywhere."""
    if not can_manage_circle(user, circle_id):
        raise Forbidden("不在您负责的生活圈范围内", code="out_of_scope")


def circle_row(user, model, row_id: int, missing: tuple[str, str]):
    """A row of a table with a `circle_id`, for staff: 404 (`missing` = message, code) when there is none,
    403 outside the user's circles."""
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(missing[0], code=missing[1])
    authorize_circle(user, row.circle_id)
    return row


def within_scope(query, circle_column, user, circle_id=None):
    """A staff list: one circle (403 unless the user manages it), or every circle the user manages (admins: all)."""
    if circle_id is not None:
        authorize_circle(user, circle_id)
        return query.where(circle_column == circle_id)
    if user.has_role("admin"):
        return query
    return query.where(circle_column.in_(user.scope_circle_ids))


def user_or_ip():
    """Rate-limit key: the logged-in user where there is one, else the client address."""
    user = actor()
    return f"user:{user.id}" if user is not None else f"ip:{request.remote_addr}"
