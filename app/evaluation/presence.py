"""Step 1 — 有没有 (presence table, 100 points) → provisional type. Pure functions over a snapshot."""

from app.evaluation.profiles import ScoringProfile
from app.evaluation.snapshot import CircleSnapshot
from app.taxonomy.registry import taxonomy

TYPE_NAMES = {"quality": "品质型", "improved": "提升型", "basic": "基础型"}


def quality_types() -> list[str]:
    return [t.code for t in taxonomy().business_types if t.tier == "quality"]


def remote_providers(snapshot: CircleSnapshot, code: str, profile: ScoringProfile) -> list[dict]:
    """Mobile stalls always count; online same-day services only for the profile's types (早餐, 维修)."""
    online_ok = code in profile.presence.get("online_same_day_types", [])
    return [r for r in snapshot.remote.get(code, []) if r["kind"] == "mobile" or (r["kind"] == "online" and online_ok)]


def score_presence(snapshot: CircleSnapshot, profile: ScoringProfile) -> dict:
    rules = profile.presence
    present, missing, evidence, via = [], [], {}, {}
    for code in rules["basic_types"]:
        outlets = list(snapshot.present.get(code, []))
        remote = remote_providers(snapshot, code, profile)
        if outlets or remote:
            present.append(code)
            evidence[code] = sorted(set(outlets) | {r["outlet_id"] for r in remote})
            if remote:
                via[code] = remote
        else:
            missing.append(code)
    basic_score = rules["basic_points"] * len(present)

    quality_present = [code for code in quality_types() if snapshot.present.get(code)]
    quality_score = min(rules["quality_max"], rules["quality_points"] * len(quality_present))
    return {
        "score": basic_score + quality_score,
        "basic": {
            "score": basic_score,
            "max": rules["basic_points"] * len(rules["basic_types"]),
            "points_each": rules["basic_points"],
            "present": present,
            "missing": missing,
            "evidence": evidence,
            "via_mobile_or_online": via,
            "rule": (
                f"必备基本保障类业态 {len(rules['basic_types'])} 种，每种具备得 {rules['basic_points']} 分："
                "生活圈内或边界外该业态步行半径内有已审核在营网点；每周至少出摊一次的流动摊点计入；"
                f"{'、'.join(_names(rules.get('online_same_day_types', [])))}可由线上当日服务计入"
            ),
        },
        "quality": {
            "score": quality_score,
            "max": rules["quality_max"],
            "points_each": rules["quality_points"],
            "present": quality_present,
            "evidence": {code: sorted(snapshot.present[code]) for code in quality_present},
            "rule": (
                f"品质提升类业态每具备一种得 {rules['quality_points']} 分，最多 {rules['quality_max']} 分"
                f"（步行 15 分钟、{rules['quality_radius_m']} 米内）"
            ),
        },
    }


def provisional_type(score: float, profile: ScoringProfile) -> str | None:
    for key in ("quality", "improved", "basic"):
        if score >= profile.provisional[key]:
            return key
    return None


def _names(codes) -> list[str]:
    return [taxonomy().business_type(code).name_zh for code in codes]
