"""一单 (缺什么补什么): what a circle and each of its communities lack against the city's standards profile
and the residents' accepted needs. Each line: what, how many, why (the rule or the needs with their
support counts) and a priority rank (六个一 first, then residents' support, then the size of the gap)."""

import math

from sqlalchemy import text

from app.common.extensions import db
from app.demands.stats import open_needs
from app.evaluation.blind_spots import required_groups
from app.taxonomy.registry import taxonomy

# Outlets of each type per community and (grouping row) for the whole circle.
COUNTS_SQL = """
SELECT GROUPING(o.community_id) = 1 AS whole, o.community_id, u.code, count(DISTINCT o.id) AS n
FROM outlets o CROSS JOIN LATERAL unnest(o.types) AS u(code)
WHERE o.circle_id = :id AND o.status = 'approved'
GROUP BY GROUPING SETS ((o.community_id, u.code), (u.code))
"""
WHOLE = "circle"
MIN_BLIND_SHARE = 0.01

# Per community: is an outlet of the care type within the radius of the community (or of the circle
# when the community has no boundary)?
CARE_SQL = """
SELECT m.id, bool_or(ST_DWithin(o.location, coalesce(m.boundary, c.boundary)::geography, :radius)) AS near
FROM communities m JOIN circles c ON c.id = m.circle_id
LEFT JOIN outlets o ON o.status = 'approved' AND :care = ANY(o.types)
     AND ST_DWithin(o.location, coalesce(m.boundary, c.boundary)::geography, :radius)
WHERE m.circle_id = :id
GROUP BY m.id
"""


def _name(code: str) -> str:
    found = taxonomy().business_type(code)
    return found.name_zh if found else code


def _six(code: str) -> str | None:
    found = taxonomy().business_type(code)
    return found.six_ones if found else None


def _line(what, name, missing, required, have, rule, why, community=None, six=None) -> dict:
    return {
        "what": what,
        "what_name": name,
        "scope": "community" if community else "circle",
        "community_id": community.id if community else None,
        "community_name": community.name if community else None,
        "required": required,
        "have": have,
        "missing": missing,
        "rule": rule,
        "why": why,
        "six_ones": six if six is not None else _six(what),
        "needs": [],
        "support_count": 0,
    }


def _count_lines(circle, standards, groups, counts, remote, population) -> list[dict]:
    lines = []
    communities = list(circle.communities)
    counted = [m for m in communities if m.boundary is not None]
    for group in groups if standards else []:
        rule = standards.rules[group["code"]]
        covering, name = group["covering"], group["name_zh"]

        def have(community_id, covering=covering):
            return sum(counts.get((community_id, c), 0) for c in covering)

        extra = sum(1 for c in covering for r in remote.get(c, []) if r["kind"] == "mobile" or group["online_counts"])
        circle_have = sum(counts.get((WHOLE, c), 0) for c in covering) + extra
        if rule.get("per_community"):
            need = int(rule["per_community"])
            if counted and len(counted) == len(communities):
                for m in counted:
                    if have(m.id) < need:
                        why = f"配置标准：每个社区不少于 {need} 个（{m.name} 现有 {have(m.id)} 个）"
                        lines.append(
                            _line(group["code"], name, need - have(m.id), need, have(m.id), "per_community", why, m)
                        )
            else:
                need_all = need * max(1, len(communities))
                if circle_have < need_all:
                    n = max(1, len(communities))
                    why = f"配置标准：每个社区不少于 {need} 个，共 {n} 个社区（社区边界缺失，按全圈合计）"
                    lines.append(
                        _line(group["code"], name, need_all - circle_have, need_all, circle_have, "per_community", why)
                    )
        if rule.get("per_people") and population:
            count, people = rule["per_people"]
            need = math.ceil(population / people) * int(count)
            if circle_have < need:
                why = f"配置标准：每 {people} 人不少于 {count} 个，服务人口 {population} 人"
                lines.append(_line(group["code"], name, need - circle_have, need, circle_have, "per_people", why))
        if rule.get("per_circle"):
            need = int(rule["per_circle"])
            if circle_have < need:
                why = f"配置标准：每个生活圈不少于 {need} 个"
                lines.append(_line(group["code"], name, need - circle_have, need, circle_have, "per_circle", why))
    return lines


def _elderly_lines(circle, standards) -> list[dict]:
    rules = (standards.elderly if standards else None) or {}
    if not rules:
        return []
    care = rules["care_type"]
    lines = []
    checks = [
        (
            "elderly_care",
            rules.get("care_radius_m"),
            lambda m: (
                _share(m.share_60_plus) >= rules["share_60_min"] or _share(m.share_65_plus) >= rules["share_65_min"]
            ),
            "60 岁以上占比 ≥ {a} 或 65 岁以上占比 ≥ {b}",
        ),
        (
            "day_care",
            rules.get("day_care_radius_m"),
            lambda m: _share(m.share_80_plus) > rules["share_80_over"],
            "80 岁以上占比 > {c}",
        ),
    ]
    for rule_code, radius, applies, condition in checks:
        if not radius:
            continue
        near = dict(db.session.execute(text(CARE_SQL), {"id": circle.id, "care": care, "radius": radius}).all())
        for m in circle.communities:
            if applies(m) and not near.get(m.id):
                cond = condition.format(
                    a=f"{rules['share_60_min']:.0%}",
                    b=f"{rules['share_65_min']:.0%}",
                    c=f"{rules.get('share_80_over', 0):.0%}",
                )
                label = "日间照料中心" if rule_code == "day_care" else _name(care)
                why = f"老龄化规则：{cond}，须在步行 {radius} 米范围内有{label}"
                lines.append(_line(care, label, 1, 1, 0, rule_code, why, m, "一老"))
    return lines


def _share(value) -> float:
    return value or 0.0


def _quality_lines(circle, standards, snapshot) -> list[dict]:
    rules = (standards.quality if standards else None) or {}
    if not rules:
        return []
    present = [
        code for code, ids in snapshot.present.items() if ids and taxonomy().business_type(code).tier == "quality"
    ]
    groups = {taxonomy().business_type(code).group for code in present}
    lines = []
    if len(groups) < rules.get("min_groups", 0):
        need = rules["min_groups"]
        why = f"每个生活圈品质提升类业态不少于 {need} 类（现有：{'、'.join(sorted(groups)) or '无'}）"
        lines.append(
            _line("quality_groups", "品质提升类业态类别", need - len(groups), need, len(groups), "quality_groups", why)
        )
    if len(present) < rules.get("min_types", 0):
        need = rules["min_types"]
        why = f"每个生活圈品质提升类业态不少于 {need} 种"
        lines.append(
            _line("quality_types", "品质提升类业态种类", need - len(present), need, len(present), "quality_types", why)
        )
    required = (rules.get("required_groups") or {}).get(circle.circle_type) or []
    if required and not groups & set(required):
        why = f"{circle.circle_type} 类生活圈必备品质业态类别：{' 或 '.join(required)}"
        lines.append(
            _line(f"group:{required[0]}", f"品质业态类别 {'/'.join(required)}", 1, 1, 0, "required_group", why)
        )
    min_share = (rules.get("min_share") or {}).get(circle.circle_type)
    total, quality = snapshot.outlets_total, snapshot.quality_outlet_count
    if min_share and total and quality / total < min_share:
        missing = math.ceil((min_share * total - quality) / (1 - min_share))
        why = f"品质提升类网点占比应不低于 {min_share:.0%}（现为 {quality}/{total}）"
        lines.append(_line("quality_share", "品质提升类网点", missing, None, quality, "quality_share", why))
    return lines


def _radius_lines(blind: list[dict]) -> list[dict]:
    """A type whose radius leaves a blind spot of at least MIN_BLIND_SHARE of the circle (slivers at
    corners are not worth a facility) needs one more outlet per separate blind area."""
    lines = []
    for feature in blind:
        p = feature["properties"]
        if p["parts"] and p["area_share"] >= MIN_BLIND_SHARE:
            people = "" if p["people_share_uncovered"] is None else f"、约 {p['people_share_uncovered']:.0%} 的居民"
            why = f"服务半径 {p['radius_m']} 米未覆盖 {p['area_share']:.0%} 的面积{people}（步行盲区 {p['parts']} 处）"
            lines.append(_line(p["type"], p["name_zh"], p["parts"], None, None, "radius", why))
    return lines


def _attach_needs(lines: list[dict], groups: list[dict], circle_id: int) -> list[dict]:
    """Accepted 缺什么 needs join the line of their type (or of its 菜篮子 group), else make their own."""
    group_of = {c: g["code"] for g in groups for c in g["covering"]}
    by_type: dict[str, list[dict]] = {}
    for need in open_needs(circle_id):
        if need.business_type:
            by_type.setdefault(group_of.get(need.business_type, need.business_type), []).append(need)
    for code, group in by_type.items():
        summary = [{"id": n.id, "text": n.text, "supports": n.supports} for n in group]
        target = next((ln for ln in lines if ln["what"] == code), None)
        if target is None:
            why = f"居民需求：{len(group)} 条已受理需求"
            target = _line(code, _name(code), 1, None, None, "needs", why)
            lines.append(target)
        target["needs"] = summary
        target["support_count"] = sum(n.supports for n in group) + len(group)
    return lines


def circle_gaps(circle, standards, profile, snapshot, blind: list[dict]) -> list[dict]:
    """The gap lines of one circle, ranked; `blind` are its blind-spot features (blind_spots.compute)."""
    rows = db.session.execute(text(COUNTS_SQL), {"id": circle.id})
    counts = {(WHOLE if row.whole else row.community_id, row.code): row.n for row in rows}
    groups = required_groups(standards, profile)
    lines = _count_lines(circle, standards, groups, counts, snapshot.remote, snapshot.population)
    lines += _elderly_lines(circle, standards) + _quality_lines(circle, standards, snapshot) + _radius_lines(blind)
    lines = _attach_needs(lines, groups, circle.id)
    lines.sort(key=lambda ln: (ln["six_ones"] is None, -ln["support_count"], -(ln["missing"] or 0), ln["what"]))
    for rank, line in enumerate(lines, 1):
        line["priority"] = rank
    return lines
