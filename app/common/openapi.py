"""Error responses in the OpenAPI document, derived from each route so that no route file declares them by hand.

Every operation declares, with the contract's envelope (`ErrorSchema`), each error status it can answer:

| status | when | derived from |
|---|---|---|
| 401 | missing, expired or bad token | `login_required` / `login_optional` on the route (they declare `security`) |
| 403 | the role does not allow it; or the object in the path is another's | `login_required(<roles>)`; login + path |
| 404 | the object in the path does not exist (also: an id outside int4) | the path has parameters |
| 400 | the body is not JSON | a JSON request body |
| 409 | a unique constraint or a state conflict | POST / PUT / PATCH / DELETE |
| 413, 415 | body too large; not JSON (or multipart for uploads) | POST / PUT / PATCH |
| 422 | a parameter or the body is invalid | `blp.arguments(...)` (flask-smorest adds it) |
| 429 | rate limit | `limiter.limit(...)` on the view or its class |
| 503 | the database is unavailable | every operation |

A blueprint that answers errors in another shape (Open311's `[{code, description}]`) sets `blp.error_schema` (a JSON
schema) and, if its statuses differ, `blp.error_status_map` (e.g. `{422: 400}`).

What cannot be seen from the route (a 404 for an id in the body, a 403 from a scope rule in a use case, 502 when
WeChat fails) is declared next to the route with `@may_answer(404, 502)`. There is no catch-all `default`: a status
an operation answers but does not declare fails the schemathesis run in `make test` (scripts/api-fuzz.sh).
"""

from http import HTTPStatus

from apispec import BasePlugin
from flask_limiter import Limit

# `security` as the route decorators of app/common/policy.py declare it (never written on a route by hand):
LOGIN = [{"bearerAuth": []}]  # login_required
CONSOLE_LOGIN = [{"bearerAuth": []}, {"cookieAuth": []}]  # login_required(console=True): the console's cookie too
OPTIONAL_LOGIN = [{}, {"bearerAuth": []}]  # login_optional: anyone, and a bad token is a 401
WRITE_METHODS = {"post", "put", "patch", "delete"}
BODY_METHODS = {"post", "put", "patch"}
ALWAYS = (503,)


def may_answer(*statuses: int):
    """Declares error statuses of a view method that its route does not show (see the module's table)."""

    def decorate(func):
        func._may_answer = tuple(getattr(func, "_may_answer", ())) + statuses
        return func

    return decorate


def _limited(view, func, method) -> bool:
    """A limit on the view class (`decorators`, which may name methods) or on the method itself."""
    for decorator in getattr(getattr(view, "view_class", None), "decorators", ()):
        if isinstance(decorator, Limit) and (not decorator.methods or method.lower() in decorator.methods):
            return True
    # The limiter marks its wrappers; a MethodView's view function inherits the mark from its class decorators.
    return func is not view and getattr(func, "__wrapper-limiter-instance", None) is not None


def _declared(name, *funcs):
    """What the method's or else the view's decorators declared (`_roles`, `_security`), or None."""
    for func in funcs:
        value = getattr(func, name, None)
        if value is not None:
            return value
    return None


def _roles(*funcs):
    """None: no login needed; (): any logged-in user; else the roles of login_required(...)."""
    roles = _declared("_roles", *funcs)
    return None if roles is None else tuple(roles)


def error_statuses(rule, method: str, view, func, operation: dict) -> set[int]:
    statuses = set(ALWAYS)
    roles = _roles(func, view)
    security = operation.get("security") or []
    if roles is not None or any("bearerAuth" in requirement for requirement in security):
        statuses.add(401)
    if roles or (roles is not None and rule.arguments):
        statuses.add(403)
    if rule.arguments:
        statuses.add(404)
    if method in WRITE_METHODS:
        statuses.add(409)
    if method in BODY_METHODS:
        statuses |= {413, 415}
    content = (operation.get("requestBody") or {}).get("content") or {}
    if "application/json" in content:
        statuses |= {400, 422}
    if operation.get("parameters"):
        statuses.add(422)
    if _limited(view, func, method):
        statuses.add(429)
    statuses.update(getattr(func, "_may_answer", ()))
    return statuses


class ErrorResponsesPlugin(BasePlugin):
    """apispec plugin: adds the derived error responses to each operation as flask-smorest documents it."""

    def __init__(self, app):
        self.app = app

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        view = self.app.view_functions.get(rule.endpoint)
        view_class = getattr(view, "view_class", None)
        blueprint = self.app.blueprints.get(rule.endpoint.rpartition(".")[0])
        error_schema = getattr(blueprint, "error_schema", None)
        status_map = getattr(blueprint, "error_status_map", {})
        for method, operation in operations.items():
            func = getattr(view_class, method, None) or view
            security = _declared("_security", func, view)
            if security is not None:
                operation.setdefault("security", security)
            roles = _roles(func, view)
            if roles is not None:
                operation["x-roles"] = list(roles)  # who may call it; [] = any logged-in user
            responses = operation.setdefault("responses", {})
            responses.pop("default", None)
            statuses = {status_map.get(s, s) for s in error_statuses(rule, method, view, func, operation)}
            if error_schema is not None:
                for status in [s for s in responses if str(s).isdigit() and int(s) >= 400]:
                    del responses[status]
            for status in sorted(statuses):
                if error_schema is None:
                    responses.setdefault(str(status), HTTPStatus(status).name)
                else:
                    responses[str(status)] = {
                        "description": HTTPStatus(status).phrase,
                        "content": {"application/json": {"schema": error_schema}},
                    }
