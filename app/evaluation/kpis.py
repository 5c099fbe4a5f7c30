"""Plan KPIs per circle (pure, from its snapshot) and per city (from the circles' results): chain rate,
online platform rate, quality-brand share, satisfaction, coverage of the 六个一, build progress."""

import math

from app.evaluation.presence import remote_providers
from app.evaluation.profiles import Plan, ScoringProfile
from app.evaluation.snapshot import CircleSnapshot
from app.taxonomy.registry import taxonomy

SIX_ONES = ("一店", "一早", "一菜", "一修", "一老", "一小")
KPI_NAMES = {
    "chain_rate": "连锁化率",
    "online_rate": "线上平台入驻率",
    "quality_brand_share": "优质品牌网点占比",
    "satisfaction": "居民满意度",
    "six_ones_coverage": "六个一覆盖率",
}


def _share(part, whole):
    return round(part / whole, 4) if whole else None


def six_ones(snapshot: CircleSnapshot, profile: ScoringProfile) -> dict[str, list[str]]:
    """Each of the 六个一 → the types that provide it here (empty: missing)."""
    found = {label: [] for label in SIX_ONES}
    for t in taxonomy().business_types:
        if t.six_ones in found and (snapshot.present.get(t.code) or remote_providers(snapshot, t.code, profile)):
            found[t.six_ones].append(t.code)
    return found


def satisfaction(survey: dict | None) -> float | None:
    """综合满意度: the mean of the type and service satisfied shares of the current survey."""
    if not survey:
        return None
    shares = [survey.get(k) for k in ("type_satisfied_share", "service_satisfied_share")]
    shares = [s for s in shares if s is not None]
    return round(sum(shares) / len(shares), 4) if shares else None


def circle_kpis(snapshot: CircleSnapshot, profile: ScoringProfile) -> dict:
    six = six_ones(snapshot, profile)
    covered = [label for label, types in six.items() if types]
    return {
        "outlets": snapshot.outlets_total,
        "chain_outlets": snapshot.chain_count,
        "online_outlets": snapshot.online_count,
        "quality_brand_outlets": snapshot.quality_brand_count,
        "chain_rate": _share(snapshot.chain_count, snapshot.outlets_total),
        "online_rate": _share(snapshot.online_count, snapshot.outlets_total),
        "quality_brand_share": _share(snapshot.quality_brand_count, snapshot.outlets_total),
        "satisfaction": satisfaction(snapshot.survey),
        "survey_responses": (snapshot.survey or {}).get("responses", 0),
        "six_ones": six,
        "six_ones_covered": covered,
        "six_ones_coverage": round(len(covered) / len(SIX_ONES), 4),
    }


def city_kpis(results: list[dict]) -> dict:
    """Totals over the circles: rates of all their outlets; satisfaction weighted by responses."""
    k = [r["kpis"] for r in results]
    outlets = sum(x["outlets"] for x in k)
    answered = [(x["satisfaction"], x["survey_responses"]) for x in k if x["satisfaction"] is not None]
    weight = sum(n for _, n in answered)
    return {
        "circles": len(results),
        "outlets": outlets,
        "chain_rate": _share(sum(x["chain_outlets"] for x in k), outlets),
        "online_rate": _share(sum(x["online_outlets"] for x in k), outlets),
        "quality_brand_share": _share(sum(x["quality_brand_outlets"] for x in k), outlets),
        "satisfaction": round(sum(s * n for s, n in answered) / weight, 4) if weight else None,
        "six_ones_coverage": round(sum(x["six_ones_coverage"] for x in k) / len(k), 4) if k else None,
        "rated_circles": sum(1 for r in results if r["final_type"]),
    }


def targets(plan: Plan | None, kpis: dict) -> list[dict]:
    """The plan's KPI targets next to the city's values."""
    if plan is None:
        return []
    rows = []
    for key, target in plan.targets.items():
        value = kpis.get(key)
        met = None if value is None else value >= target
        rows.append({"kpi": key, "name": KPI_NAMES.get(key, key), "target": target, "value": value, "met": met})
    return rows


def build_progress(plan: Plan | None, circles: list, results: dict[int, dict], year: int, frozen: dict) -> list[dict]:
    """Per plan year: circles to be built by then (plan), planned for it (circles.planned_year), and built:
    rated (基础型 or better) in the official assessments frozen for that year, or live for this year.

    `frozen`: year -> number of circles whose latest snapshot up to that year is rated."""
    if plan is None:
        return []
    total = len(circles)
    live = sum(1 for c in circles if results[c.id]["final_type"])
    rows = []
    for plan_year in sorted({*plan.progress_share, *plan.progress_count}):
        if plan_year in plan.progress_count:
            target = min(total, plan.progress_count[plan_year])
            share = _share(target, total)
        else:
            share = plan.progress_share[plan_year]
            target = math.ceil(round(share * total, 6))
        planned = sum(1 for c in circles if c.planned_year and c.planned_year <= plan_year)
        built = live if plan_year >= year else frozen.get(plan_year, 0)
        rows.append(
            {
                "year": plan_year,
                "target_share": share,
                "target_count": target,
                "planned_count": planned,
                "built_count": built,
                "built_basis": "live" if plan_year >= year else "snapshots",
                "built_share": _share(built, total),
                "status": "past" if plan_year < year else "current" if plan_year == year else "future",
                "on_track": built >= target if plan_year <= year else None,
            }
        )
    return rows
