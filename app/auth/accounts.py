"""Staff, bureau and admin accounts: who may create and change which, every change in the audit log.

An admin manages every account. A bureau (商务局) manages the community staff of its cities: it creates
them, sets their circles (inside its cities), disables them and resets their passwords; it may not create
or change bureau or admin accounts. `actor=None` is the operator at the command line (`flask users`).
"""

from argon2 import PasswordHasher
from sqlalchemy import exists, or_, select

from app.audit import service as audit
from app.audit.models import AuditEntry
from app.auth.models import User, staff_circles, user_cities
from app.circles.models import Circle, City
from app.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.common.extensions import db
from app.common.paging import paginate
from app.common.tx import write_use_case

_hasher = PasswordHasher()
MIN_PASSWORD = 8
CREATABLE = {"admin": ("staff", "bureau", "admin", "merchant"), "bureau": ("staff",)}


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(details={"password": [f"密码至少 {MIN_PASSWORD} 位"]})
    return _hasher.hash(password)


def role_of(user: User) -> str:
    for role in ("admin", "bureau", "staff", "merchant", "resident"):
        if role in (user.roles or ()):
            return role
    return "resident"


def snapshot(user: User) -> dict:
    """What an audit entry keeps of an account (never the password hash)."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": role_of(user),
        "disabled": bool(user.disabled),
        "circle_ids": [c.id for c in user.circles],
        "city_ids": [c.id for c in user.cities],
    }


def account_dict(user: User) -> dict:
    return {
        "id": user.id,
        **snapshot(user),
        "roles": list(user.roles),
        "last_login_at": user.last_login_at,
        "created_at": user.created_at,
    }


def _circles(ids) -> list[Circle]:
    ids = sorted(set(ids or ()))
    found = list(db.session.scalars(select(Circle).where(Circle.id.in_(ids)))) if ids else []
    missing = sorted(set(ids) - {c.id for c in found})
    if missing:
        raise ValidationFailed(details={"circle_ids": [f"生活圈不存在：{missing}"]})
    return found


def _cities(ids) -> list[City]:
    ids = sorted(set(ids or ()))
    found = list(db.session.scalars(select(City).where(City.id.in_(ids)))) if ids else []
    missing = sorted(set(ids) - {c.id for c in found})
    if missing:
        raise ValidationFailed(details={"city_ids": [f"城市不存在：{missing}"]})
    return found


def _check_scope(actor, role: str, circles: list[Circle], cities: list[City]):
    """The scope fits the role, and a bureau hands out only circles of its own cities."""
    if role == "staff" and not circles:
        raise ValidationFailed(details={"circle_ids": ["社区工作人员至少负责一个生活圈"]})
    if role == "bureau" and not cities:
        raise ValidationFailed(details={"city_ids": ["商务局账号至少负责一个城市"]})
    if role != "staff" and circles:
        raise ValidationFailed(details={"circle_ids": ["只有社区工作人员按生活圈负责"]})
    if role != "bureau" and cities:
        raise ValidationFailed(details={"city_ids": ["只有商务局账号按城市负责"]})
    if actor is not None and not actor.has_role("admin"):
        outside = sorted(c.id for c in circles if c.city_id not in actor.scope_city_ids)
        if outside:
            raise Forbidden("不在您负责的城市范围内", code="out_of_scope", details={"circle_ids": outside})


def _may_create(actor, role: str):
    if actor is None:
        return
    allowed = next((CREATABLE[r] for r in ("admin", "bureau") if actor.has_role(r)), ())
    if role not in allowed:
        raise Forbidden("当前账号不能创建该角色的账号", code="role_forbidden", details={"role": role})


def _visible(query, actor):
    """Accounts a bureau may see: staff with a circle in its cities, and bureau accounts of its cities."""
    if actor is None or actor.has_role("admin"):
        return query
    city_ids = actor.scope_city_ids or [-1]
    in_circles = exists().where(
        staff_circles.c.user_id == User.id,
        staff_circles.c.circle_id == Circle.id,
        Circle.city_id.in_(city_ids),
    )
    in_cities = exists().where(user_cities.c.user_id == User.id, user_cities.c.city_id.in_(city_ids))
    return query.where(or_(in_circles, in_cities))


def get_account(actor, account_id: int) -> User:
    user = db.session.scalar(_visible(select(User).where(User.id == account_id, User.username.isnot(None)), actor))
    if user is None:
        raise NotFound("账号不存在", code="account_not_found")
    return user


def _managed(actor, account_id: int) -> User:
    """The account, if the actor may change it: admins any; a bureau only its cities' staff."""
    user = get_account(actor, account_id)
    if actor is not None and not actor.has_role("admin"):
        if role_of(user) != "staff" or any(c.city_id not in actor.scope_city_ids for c in user.circles):
            raise Forbidden("只能管理本市的社区工作人员账号", code="role_forbidden")
    return user


@write_use_case
def create_account(actor, username, password, role, circle_ids=(), city_ids=(), display_name=None) -> User:
    _may_create(actor, role)
    if role not in ("staff", "bureau", "admin", "merchant"):
        raise ValidationFailed(details={"role": ["只能创建 staff、bureau、merchant 或 admin 账号"]})
    password_hash = hash_password(password)
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(f"用户名已存在：{username}", code="username_taken")
    circles, cities = _circles(circle_ids), _cities(city_ids)
    _check_scope(actor, role, circles, cities)
    user = User(username=username, password_hash=password_hash, roles=[role], display_name=display_name)
    user.circles, user.cities = circles, cities
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "account_created", subject_user_id=user.id, after=snapshot(user))
    return user


@write_use_case
def update_account(actor, account_id: int, changes: dict) -> User:
    """Display name, scope (circles or cities), disabled; the role stays (create a new account instead)."""
    user = _managed(actor, account_id)
    before = snapshot(user)
    if "circle_ids" in changes or "city_ids" in changes:
        circles = _circles(changes["circle_ids"]) if "circle_ids" in changes else list(user.circles)
        cities = _cities(changes["city_ids"]) if "city_ids" in changes else list(user.cities)
        _check_scope(actor, role_of(user), circles, cities)
        user.circles, user.cities = circles, cities
    if changes.get("disabled") and actor is not None and user.id == actor.id:
        raise Conflict("不能停用自己的账号", code="cannot_disable_self")
    if "disabled" in changes:
        user.disabled = bool(changes["disabled"])
    if "display_name" in changes:
        user.display_name = (changes["display_name"] or "").strip() or None
    after = snapshot(user)
    if after != before:
        action = {True: "account_disabled", False: "account_enabled"}.get(
            after["disabled"] if after["disabled"] != before["disabled"] else None, "account_updated"
        )
        audit.record(actor, action, subject_user_id=user.id, before=before, after=after, reason=changes.get("reason"))
    return user


@write_use_case
def reset_password(actor, account_id: int, password: str, reason: str | None = None) -> User:
    user = _managed(actor, account_id)
    user.password_hash = hash_password(password)
    audit.record(actor, "password_reset", subject_user_id=user.id, reason=reason)
    return user


def list_accounts(actor, role=None, city_id=None, q=None, disabled=None, page=1, page_size=20):
    query = _visible(select(User).where(User.username.isnot(None)), actor)
    if role:
        query = query.where(User.roles.contains([role]))
    if city_id is not None:
        query = query.where(
            or_(
                exists().where(
                    staff_circles.c.user_id == User.id,
                    staff_circles.c.circle_id == Circle.id,
                    Circle.city_id == city_id,
                ),
                exists().where(user_cities.c.user_id == User.id, user_cities.c.city_id == city_id),
            )
        )
    if q:
        pattern = f"%{q.strip()}%"
        query = query.where(or_(User.username.ilike(pattern), User.display_name.ilike(pattern)))
    if disabled is not None:
        query = query.where(User.disabled.is_(disabled))
    return paginate(query.order_by(User.id), page, page_size, count=True)


def account_audit(actor, account_id: int, page=1, page_size=20):
    user = get_account(actor, account_id)
    query = select(AuditEntry).where(AuditEntry.subject_user_id == user.id)
    return paginate(query.order_by(AuditEntry.id.desc()), page, page_size, count=True)
