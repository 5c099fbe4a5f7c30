"""A city's settings: its tier (which sets the 好不好 chain-rate threshold), its standards profile (因城施策:
must-have types, radii, counts) and its scoring profile. Set by the city's bureau or an admin (API), by an
operator (`flask cities set`) or by a circles import; every change is audited and re-evaluates the city
(the evaluation session hook drops the cached results of all its circles when a city row changes).
"""

from sqlalchemy import select

from app.audit import service as audit
from app.circles.models import CITY_TIERS, City
from app.common.errors import NotFound, ValidationFailed
from app.common.extensions import db
from app.common.policy import authorize_city
from app.common.tx import write_use_case
from app.taxonomy.registry import taxonomy
from app.taxonomy.scoring import scoring_profiles

SETTINGS = ("tier", "standards_profile", "scoring_profile")
TIER_NAMES = {"tier1": "一线城市", "tier2": "二线城市", "other": "其他城市"}


def find_city(ref) -> City:
    """A city by id, code or name (as operators and import files name it)."""
    ref = str(ref).strip()
    query = select(City).where((City.code == ref) | (City.name == ref))
    if ref.isdigit():
        query = select(City).where((City.id == int(ref)) | (City.code == ref) | (City.name == ref))
    city = db.session.scalars(query.order_by(City.id)).first()
    if city is None:
        raise NotFound(f"城市不存在：{ref}", code="city_not_found")
    return city


def get_city(city_id: int) -> City:
    city = db.session.get(City, city_id)
    if city is None:
        raise NotFound("城市不存在", code="city_not_found")
    return city


def chain_rate_min(city: City) -> float | None:
    profile = scoring_profiles().get(city.scoring_profile)
    if profile is None:
        return None
    shares = profile.item("chain_rate")["min_share"]
    return shares.get(city.tier, shares["other"])


def settings_dict(city: City) -> dict:
    return {
        "id": city.id,
        "code": city.code,
        "name": city.name,
        "province": city.province,
        "tier": city.tier,
        "tier_name": TIER_NAMES.get(city.tier),
        "standards_profile": city.standards_profile,
        "scoring_profile": city.scoring_profile,
        "chain_rate_min": chain_rate_min(city),
    }


def validate_settings(changes: dict) -> dict:
    """Known tier and profiles, or 422 naming the field (used by the API, the CLI and the importer)."""
    errors = {}
    if "tier" in changes and changes["tier"] not in CITY_TIERS:
        errors["tier"] = [f"应为 {'、'.join(CITY_TIERS)} 之一"]
    standards = changes.get("standards_profile")
    if standards is not None and standards not in taxonomy().standards:
        errors["standards_profile"] = [f"配置标准不存在，可选：{'、'.join(sorted(taxonomy().standards))}"]
    if "scoring_profile" in changes and changes["scoring_profile"] not in scoring_profiles():
        errors["scoring_profile"] = [f"评价规则不存在，可选：{'、'.join(sorted(scoring_profiles()))}"]
    if errors:
        raise ValidationFailed(details=errors)
    return {key: changes[key] for key in SETTINGS if key in changes}


def apply_settings(actor, city: City, changes: dict, reason: str | None = None, source: str = "api") -> bool:
    """Sets what changed and audits it (no commit: the caller's unit of work). True when anything changed."""
    changes = validate_settings(changes)
    before = {key: getattr(city, key) for key in SETTINGS}
    after = {**before, **changes}
    if after == before:
        return False
    for key, value in changes.items():
        setattr(city, key, value)
    audit.record(
        actor,
        "city_settings_changed",
        city_id=city.id,
        reason=reason,
        before=before,
        after={**after, "source": source},
    )
    return True


@write_use_case
def update_settings(actor, city_id: int, changes: dict, reason: str | None = None, source: str = "api") -> City:
    city = get_city(city_id)
    if actor is not None:
        authorize_city(actor, city.id)
    apply_settings(actor, city, changes, reason, source)
    return city
