"""Open311 GeoReport v2 over the residents' needs: service list, filing and reading requests."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, select

from app.common.clock import local_zone
from app.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.common.models import utcnow
from app.demands import service as demands
from app.demands.models import CLOSED_STATUSES, DEMAND_KINDS, OPEN_STATUSES, Demand
from app.extensions import db
from app.open311.models import ApiKey
from app.taxonomy.registry import taxonomy

MISSING_PREFIX = "missing_type:"
DEFAULT_WINDOW = timedelta(days=90)  # the spec's default when no dates are given
MAX_RESULTS = 1000
_KIND_DESCRIPTIONS = {
    "service_quality": "网点服务质量问题（脏乱、态度、价格不明等）",
    "outlet_closed": "地图上的网点已经关门或搬走",
    "other": "其他便民生活需求",
}


def services() -> list[dict]:
    """Demand kinds, with "missing" split per business type (缺什么)."""
    items = [
        {
            "service_code": f"{MISSING_PREFIX}{t.code}",
            "service_name": f"缺少{t.name_zh}",
            "description": f"附近步行 {t.walk_minutes} 分钟内缺少{t.name_zh}",
            "metadata": False,
            "type": "realtime",
            "keywords": ",".join(filter(None, [t.code, t.name_zh, t.six_ones])),
            "group": DEMAND_KINDS["missing_type"],
        }
        for t in taxonomy().business_types
    ]
    items += [
        {
            "service_code": kind,
            "service_name": DEMAND_KINDS[kind],
            "description": description,
            "metadata": False,
            "type": "realtime",
            "keywords": kind,
            "group": DEMAND_KINDS[kind],
        }
        for kind, description in _KIND_DESCRIPTIONS.items()
    ]
    return items


def service_of(code: str) -> tuple[str, str | None]:
    """service_code → (kind, business_type)."""
    if code.startswith(MISSING_PREFIX):
        business_type = code.removeprefix(MISSING_PREFIX)
        if taxonomy().business_type(business_type) is not None:
            return "missing_type", business_type
    elif code in _KIND_DESCRIPTIONS:
        return code, None
    raise NotFound(f"service_code 不存在：{code}", code="service_not_found")


def service_code(demand: Demand) -> str:
    return f"{MISSING_PREFIX}{demand.business_type}" if demand.kind == "missing_type" else demand.kind


def _hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def authenticate(raw_key: str | None) -> ApiKey:
    key = raw_key and db.session.scalar(select(ApiKey).where(ApiKey.key_hash == _hash(raw_key), ApiKey.active))
    if not key:
        raise Forbidden("api_key 无效或已停用", code="invalid_api_key")
    return key


def create_request(raw_key: str | None, data: dict) -> Demand:
    """Files a need from an Open311 client: same placement and content check as the mini-program."""
    key = authenticate(raw_key)
    kind, business_type = service_of(data["service_code"])
    key.last_used_at = utcnow()
    fields = {
        "kind": kind,
        "business_type": business_type,
        "text": data["description"],
        "address": data.get("address_string") or "",
        "lng": data["long"],
        "lat": data["lat"],
    }
    check_openid = current_app.config.get("OPEN311_CHECK_OPENID", "open311-client")
    return demands.submit_demand(
        None, fields, source="open311", source_client=key.name, check_openid=check_openid, require_reason=False
    )


def list_requests(*, ids, service_codes, statuses, start, end) -> list[Demand]:
    query = select(Demand).where(Demand.moderation == "visible")
    if ids:
        query = query.where(Demand.id.in_(ids))
    elif start is None and end is None:
        start = utcnow() - DEFAULT_WINDOW
    if service_codes:
        wanted = [service_of(code) for code in service_codes]
        query = query.where(
            or_(*[and_(Demand.kind == k, Demand.business_type == t) if t else Demand.kind == k for k, t in wanted])
        )
    if statuses and set(statuses) != {"open", "closed"}:
        query = query.where(Demand.status.in_(OPEN_STATUSES if statuses == ["open"] else CLOSED_STATUSES))
    for bound, compare in ((start, Demand.created_at.__ge__), (end, Demand.created_at.__le__)):
        if bound is not None:
            query = query.where(compare(bound if bound.tzinfo else bound.replace(tzinfo=local_zone())))
    return list(db.session.scalars(query.order_by(Demand.created_at.desc(), Demand.id.desc()).limit(MAX_RESULTS)))


def get_request(request_id: int) -> Demand:
    demand = db.session.get(Demand, request_id)
    if demand is None or demand.moderation != "visible":
        raise NotFound("请求不存在", code="request_not_found")
    return demand


def create_api_key(name: str) -> str:
    """Adds a client and returns its key (shown once; only its hash is stored)."""
    if db.session.scalar(select(ApiKey).where(ApiKey.name == name)):
        raise Conflict(f"名称已存在：{name}", code="duplicate_name")
    raw_key = secrets.token_urlsafe(32)
    db.session.add(ApiKey(name=name, key_hash=_hash(raw_key)))
    db.session.commit()
    return raw_key


def revoke_api_key(name: str) -> None:
    key = db.session.scalar(select(ApiKey).where(ApiKey.name == name))
    if key is None:
        raise ValidationFailed(details={"name": [f"不存在：{name}"]})
    key.active = False
    db.session.commit()
