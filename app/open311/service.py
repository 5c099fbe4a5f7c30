"""Open311 GeoReport v2 over the residents' needs: service list, filing and reading requests."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, select

from app.circles.models import Circle, City
from app.common.clock import local_zone
from app.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.common.extensions import db
from app.common.models import utcnow
from app.common.tx import atomic, write_use_case
from app.demands import service as demands
from app.demands.models import CLOSED_STATUSES, DEMAND_KINDS, EXISTING_REASONS, OPEN_STATUSES, Demand
from app.demands.service import OUTLET_KINDS
from app.open311.models import ApiKey
from app.taxonomy.registry import taxonomy

# Path-safe codes (`missing-wet_market`): clients put them in URLs (/services/{code}.json) unescaped.
# The first release used `missing_type:wet_market`; those are still accepted everywhere as aliases.
MISSING_PREFIX = "missing-"
LEGACY_MISSING_PREFIX = "missing_type:"
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
            "metadata": True,
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
            "metadata": kind in OUTLET_KINDS,
            "type": "realtime",
            "keywords": kind,
            "group": DEMAND_KINDS[kind],
        }
        for kind, description in _KIND_DESCRIPTIONS.items()
    ]
    return items


def service_of(code: str) -> tuple[str, str | None]:
    """service_code (or its legacy alias) → (kind, business_type)."""
    for prefix in (MISSING_PREFIX, LEGACY_MISSING_PREFIX):
        business_type = code.removeprefix(prefix)
        if business_type != code and taxonomy().business_type(business_type) is not None:
            return "missing_type", business_type
    if code in _KIND_DESCRIPTIONS:
        return code, None
    raise NotFound(f"service_code 不存在：{code}", code="service_not_found")


def service_code(demand: Demand) -> str:
    return code_for(demand.kind, demand.business_type)


def code_for(kind: str, business_type: str | None) -> str:
    return f"{MISSING_PREFIX}{business_type}" if kind == "missing_type" else kind


def _attributes(kind: str) -> list[dict]:
    """What a request of this service may add (GeoReport `attribute[code]`); none is required."""
    if kind == "missing_type":
        return [
            {
                "variable": True,
                "code": "existing_reason",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "附近已有同类网点时，仍提出需求的理由",
                "order": 1,
                "description": "附近已有同类网点，为什么仍不能满足？",
                "values": [{"key": key, "name": name} for key, name in EXISTING_REASONS.items()],
            }
        ]
    if kind in OUTLET_KINDS:
        return [
            {
                "variable": True,
                "code": "outlet_id",
                "datatype": "number",
                "required": False,
                "datatype_description": "网点编号（/api/v1/outlets/nearby 中的 id）",
                "order": 1,
                "description": "涉及的网点",
                "values": [],
            }
        ]
    return []


def service_definition(code: str) -> dict:
    """GET /services/{code}: the attributes a request of this service may carry."""
    kind, business_type = service_of(code)
    return {"service_code": code_for(kind, business_type), "attributes": _attributes(kind)}


def _attribute_values(kind: str, attributes: dict) -> dict:
    """`attribute[code]` values → need fields, checked against the service definition."""
    known = {a["code"]: a for a in _attributes(kind)}
    errors, fields = {}, {}
    for code, value in attributes.items():
        attribute = known.get(code)
        if attribute is None:
            errors[f"attribute[{code}]"] = ["该服务没有此属性"]
        elif attribute["datatype"] == "singlevaluelist" and value not in {v["key"] for v in attribute["values"]}:
            errors[f"attribute[{code}]"] = [f"取值必须是：{', '.join(v['key'] for v in attribute['values'])}"]
        elif attribute["datatype"] == "number" and not str(value).isdigit():
            errors[f"attribute[{code}]"] = ["应为数字"]
        else:
            fields[code] = int(value) if attribute["datatype"] == "number" else value
    if errors:
        raise ValidationFailed(details=errors)
    return fields


def jurisdiction(jurisdiction_id: str | None) -> City | None:
    """A jurisdiction is a city, named by its code (e.g. `miyun`); None serves all of them."""
    if jurisdiction_id is None:
        return None
    city = db.session.scalar(select(City).where(City.code == jurisdiction_id))
    if city is None:
        raise NotFound(f"jurisdiction_id 不存在：{jurisdiction_id}", code="jurisdiction_not_found")
    return city


def _token_mac(request_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"open311-token:{request_id}".encode(), hashlib.sha256).hexdigest()[:20]


def token_for(demand: Demand) -> str:
    """The token a client may poll with (GET /tokens/{token}); path-safe, not guessable from the id alone."""
    return f"{demand.id}-{_token_mac(demand.id)}"


def request_for_token(token: str) -> Demand:
    request_id, _, mac = token.partition("-")
    if not request_id.isdigit() or not hmac.compare_digest(mac, _token_mac(int(request_id))):
        raise NotFound("token 不存在", code="token_not_found")
    demand = db.session.get(Demand, int(request_id))
    if demand is None:
        raise NotFound("token 不存在", code="token_not_found")
    return demand


def _hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def authenticate(raw_key: str | None) -> ApiKey:
    key = raw_key and db.session.scalar(select(ApiKey).where(ApiKey.key_hash == _hash(raw_key), ApiKey.active))
    if not key:
        raise Forbidden("api_key 无效或已停用", code="invalid_api_key")
    return key


def create_request(raw_key: str | None, data: dict) -> Demand:
    """Files a need from an Open311 client: same placement and content check as the mini-program.

    The key's last use is written with the need it filed, in one use case: a refused request records nothing
    and leaves nothing pending in the session."""
    key = authenticate(raw_key)
    kind, business_type = service_of(data["service_code"])
    city = jurisdiction(data.get("jurisdiction_id"))
    fields = {
        "kind": kind,
        "business_type": business_type,
        "text": data["description"],
        "address": data.get("address_string") or "",
        "lng": data["long"],
        "lat": data["lat"],
        **_attribute_values(kind, data.get("attribute") or {}),
    }
    if city is not None:
        if demands.place(data["long"], data["lat"]).city_id != city.id:
            raise ValidationFailed("该位置不在此辖区内", details={"jurisdiction_id": ["该位置不在此辖区内"]})
    check_openid = current_app.config.get("OPEN311_CHECK_OPENID", "open311-client")
    with atomic(expire=False):  # the need's own use case runs inside it; the answer is built from what it holds
        demand = demands.submit_demand(
            None, fields, source="open311", source_client=key.name, check_openid=check_openid, require_reason=False
        )
        key.last_used_at = utcnow()
    return demand


def list_requests(*, ids, service_codes, statuses, start, end, city=None) -> list[Demand]:
    query = select(Demand).where(Demand.moderation == "visible")
    if city is not None:
        query = query.where(Demand.circle_id.in_(select(Circle.id).where(Circle.city_id == city.id)))
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


def get_request(request_id: int, city=None) -> Demand:
    demand = db.session.get(Demand, request_id)
    in_city = city is None or (demand is not None and db.session.get(Circle, demand.circle_id).city_id == city.id)
    if demand is None or demand.moderation != "visible" or not in_city:
        raise NotFound("请求不存在", code="request_not_found")
    return demand


@write_use_case
def create_api_key(name: str) -> str:
    """Adds a client and returns its key (shown once; only its hash is stored)."""
    if db.session.scalar(select(ApiKey).where(ApiKey.name == name)):
        raise Conflict(f"名称已存在：{name}", code="duplicate_name")
    raw_key = secrets.token_urlsafe(32)
    db.session.add(ApiKey(name=name, key_hash=_hash(raw_key)))
    return raw_key


@write_use_case
def revoke_api_key(name: str) -> None:
    key = db.session.scalar(select(ApiKey).where(ApiKey.name == name))
    if key is None:
        raise ValidationFailed(details={"name": [f"不存在：{name}"]})
    key.active = False
