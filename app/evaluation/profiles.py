"""Scoring profiles (有没有 + 好不好 rules as data) and city plans (targets, build progress), loaded once.

Profiles live in app/taxonomy/data/scoring/*.toml, plans in …/scoring/plans/*.toml. A profile is
identified by code and version; its content digest guards against edits without a version bump (the
cache key and frozen snapshots carry both, so a changed profile never rewrites past results).
"""

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from app.common.errors import Conflict, NotFound
from app.taxonomy.registry import taxonomy

DATA = Path(__file__).resolve().parent.parent / "taxonomy" / "data" / "scoring"
DEFAULT_PROFILE = "mofcom-2023"
SERVICE_ITEMS = (
    "needs",
    "type_satisfaction",
    "service_satisfaction",
    "store_breakfast",
    "market_repair",
    "elderly_child",
    "chain_rate",
    "events",
    "smart",
    "harmony",
)


@dataclass(frozen=True)
class ScoringProfile:
    code: str
    version: int
    digest: str
    name_zh: str
    source: str
    note: str
    presence: dict = field(hash=False)
    provisional: dict = field(hash=False)
    grade: dict = field(hash=False)
    stars: dict = field(hash=False)
    service: dict = field(hash=False)
    raw: dict = field(hash=False)

    @property
    def tag(self) -> str:
        """What caches and snapshots key on: code, version and content."""
        return f"{self.code}@{self.version}:{self.digest[:10]}"

    def item(self, key: str) -> dict:
        return self.service[key]


@dataclass(frozen=True)
class Plan:
    code: str
    name_zh: str
    targets: dict = field(hash=False)
    progress_share: dict = field(hash=False)  # year -> share of circles built by the end of that year
    progress_count: dict = field(hash=False)  # year -> number of circles built (plans that count)


def _check_types(name: str, codes, known):
    unknown = sorted(set(codes) - known)
    if unknown:
        raise ValueError(f"scoring profile {name}: unknown business types {unknown}")


def _validate(name: str, raw: dict):
    known = taxonomy().type_codes
    presence = raw["presence"]
    _check_types(name, presence["basic_types"], known)
    _check_types(name, presence.get("online_same_day_types", []), known)
    missing = [key for key in SERVICE_ITEMS if key not in raw["service"]]
    if missing:
        raise ValueError(f"scoring profile {name}: service items missing {missing}")
    items = raw["service"]
    for key in ("store_types", "breakfast_types", "retail_types"):
        _check_types(name, items["store_breakfast"][key], known)
    _check_types(name, items["market_repair"]["market_types"] + items["market_repair"]["repair_types"], known)
    _check_types(name, items["elderly_child"]["elderly_types"] + items["elderly_child"]["childcare_types"], known)
    for terminal in items["smart"]["terminals"]:
        _check_types(name, terminal["types"], known)
    total = sum(items[key]["max"] for key in SERVICE_ITEMS)
    if total != 100:
        raise ValueError(f"scoring profile {name}: service items add up to {total}, not 100")
    if presence["basic_points"] * len(presence["basic_types"]) + presence["quality_max"] != 100:
        raise ValueError(f"scoring profile {name}: presence points do not add up to 100")


@cache
def scoring_profiles() -> dict[str, ScoringProfile]:
    profiles = {}
    for path in sorted(DATA.glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
        _validate(path.name, raw)
        profiles[raw["code"]] = ScoringProfile(
            code=raw["code"],
            version=int(raw["version"]),
            digest=hashlib.sha256(text.encode()).hexdigest(),
            name_zh=raw["name_zh"],
            source=raw.get("source", ""),
            note=raw.get("note", "").strip(),
            presence=raw["presence"],
            provisional=raw["provisional"],
            grade=raw["grade"],
            stars=raw["stars"],
            service=raw["service"],
            raw=raw,
        )
    return profiles


@cache
def plans() -> dict[str, Plan]:
    found = {}
    for path in sorted((DATA / "plans").glob("*.toml")):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        found[raw["code"]] = Plan(
            code=raw["code"],
            name_zh=raw.get("name_zh", ""),
            targets=raw.get("targets", {}),
            progress_share={int(y): float(v) for y, v in raw.get("progress_share", {}).items()},
            progress_count={int(y): int(v) for y, v in raw.get("progress_count", {}).items()},
        )
    return found


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
