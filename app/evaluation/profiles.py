"""How circles are scored with the scoring profiles and city plans (loaded by app/taxonomy/scoring.py): the
profile a city uses, the standards and radii it sets, and both read in full for the API."""

from app.common.errors import Conflict, NotFound
from app.taxonomy.registry import taxonomy
from app.taxonomy.scoring import DEFAULT_PROFILE, Plan, ScoringProfile, plans, scoring_profiles


def get_profile(code: str | None) -> ScoringProfile:
    profile = scoring_profiles().get(code or DEFAULT_PROFILE)
    if profile is None:
        raise Conflict(f"城市配置的评价规则不存在：{code}", code="scoring_profile_unknown")
    return profile


def profile_by_code(code: str) -> ScoringProfile:
    profile = scoring_profiles().get(code)
    if profile is None:
        raise NotFound("评价规则不存在", code="scoring_profile_not_found")
    return profile


def plan_for_city(city) -> Plan | None:
    """The city's plan: by its standards profile code, else by its own code."""
    return plans().get(city.standards_profile or "") or plans().get(city.code)


def standards_for_city(city):
    return taxonomy().standards.get(city.standards_profile or "")


def radius_for(city_standards, type_code: str) -> int:
    """The walking radius a type must cover: the city's standards first (因城施策), else the taxonomy's."""
    rule = (city_standards.rules if city_standards else {}).get(type_code) or {}
    if rule.get("radius_m"):
        return int(rule["radius_m"])
    return taxonomy().business_type(type_code).radius_m


def standards_detail(code: str) -> dict:
    """A standards profile in full, as a bureau reads it: the must-have types with the radius each must
    cover (and whether the city or the national taxonomy sets it), the required counts, the elderly and
    quality thresholds, every business type's effective radius, and the city plan's targets."""
    standards = taxonomy().standards.get(code)
    if standards is None:
        raise NotFound("配置标准不存在", code="standards_profile_not_found")

    def type_row(type_code: str, rule: dict) -> dict:
        business_type = taxonomy().business_type(type_code)
        counts = {k: rule[k] for k in ("per_community", "per_people", "per_circle", "max_within") if k in rule}
        return {
            "code": type_code,
            "name_zh": business_type.name_zh,
            "tier": business_type.tier,
            "radius_m": radius_for(standards, type_code),
            "radius_source": "city" if rule.get("radius_m") else "taxonomy",
            "walk_minutes": business_type.walk_minutes,
            "counts": counts,
            "counts_with": rule.get("counts_with", []),
            "online_same_day_counts": bool(rule.get("online_same_day_counts")),
            "six_ones": business_type.six_ones,
        }

    plan = plans().get(code)
    return {
        "code": standards.code,
        "name_zh": standards.name_zh,
        "source": standards.source,
        "note": standards.note,
        "must_have": [type_row(c, rule or {}) for c, rule in standards.rules.items()],
        "types": [type_row(t.code, standards.rules.get(t.code) or {}) for t in taxonomy().business_types],
        "elderly": standards.elderly,
        "quality": standards.quality,
        "plan": plan
        and {
            "code": plan.code,
            "name_zh": plan.name_zh,
            "targets": plan.targets,
            "progress_share": {str(y): v for y, v in plan.progress_share.items()},
            "progress_count": {str(y): v for y, v in plan.progress_count.items()},
        },
    }


def scoring_detail(code: str) -> dict:
    """A scoring profile in full: 有没有 must-have basic types and points, type and grade thresholds, stars
    and every 好不好 item's rule (the chain-rate threshold by city tier among them)."""
    profile = profile_by_code(code)
    names = {t.code: t.name_zh for t in taxonomy().business_types}
    return {
        **{k: getattr(profile, k) for k in ("code", "version", "tag", "name_zh", "source", "note")},
        **{k: getattr(profile, k) for k in ("presence", "provisional", "grade", "stars", "service")},
        "must_have": [{"code": c, "name_zh": names[c]} for c in profile.presence["basic_types"]],
        "chain_rate_min": profile.item("chain_rate")["min_share"],
    }
