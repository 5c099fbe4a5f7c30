"""Scoring profiles (有没有 + 好不好 rules as data) and city plans (targets, build progress), loaded once.

Profiles live in data/scoring/*.toml, plans in data/scoring/plans/*.toml. A profile is identified by code
and version; its content digest guards against edits without a version bump (the cache key and frozen
snapshots carry both, so a changed profile never rewrites past results). Data like the business types and
standards, so every domain may read them (a city's settings show its chain-rate threshold); how a circle
is scored with them is the evaluation's (app/evaluation/profiles.py).
"""

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from app.taxonomy.registry import taxonomy

DATA = Path(__file__).resolve().parent / "data" / "scoring"
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
