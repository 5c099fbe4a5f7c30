"""Step 2 — 好不好 (service quality table, 100 points), items 1-3, 7, 8, 10; items 4-6 and 9 are in
service_experience.py. Each item: points, the rule applied, the evidence, and whether staff judged it."""

import math

from app.evaluation import service_experience as experience
from app.evaluation.items import NO_DATA, item, num, pct
from app.evaluation.profiles import ScoringProfile
from app.evaluation.snapshot import CircleSnapshot


def score_needs(s: CircleSnapshot, cfg: dict) -> dict:
    rule = (
        f"建立需求清单、项目清单得 {cfg['lists_points']} 分；项目清单完成比例达到 "
        f"{pct(cfg['carried_out_min_share'])} 得 {cfg['carried_out_points']} 分"
    )
    d = s.demand
    if d is None:
        return item(cfg, 0, rule, {"data": NO_DATA, "message": "需求与项目清单暂无数据"})
    has_lists = d["accepted"] > 0 and d["projects"] > 0
    done_share = d["projects_done"] / d["projects"] if d["projects"] else None
    carried_out = has_lists and done_share is not None and done_share >= cfg["carried_out_min_share"]
    points = (cfg["lists_points"] if has_lists else 0) + (cfg["carried_out_points"] if carried_out else 0)
    return item(cfg, points, rule, {**d, "projects_done_share": done_share, "year": s.year})


def _satisfaction(s: CircleSnapshot, cfg: dict, share_key: str, what: str) -> dict:
    tiers = "；".join(f"满意度 ≥ {pct(t)} 得 {p} 分" for t, p in cfg["tiers"])
    rule = (
        f"{what}测评：样本不少于服务人口的 {pct(cfg['min_sample_share'])}，{tiers}；其他 0 分。"
        "每位居民每期一份，只计居住的生活圈（作答位置核验或社区确认）；纸质、电话问卷由工作人员录入并计入"
    )
    survey = s.survey
    if survey is None:
        return item(cfg, 0, rule, {"data": NO_DATA, "message": "满意度调查暂无数据"})
    population = survey.get("population") or s.population or 0
    # Rounded before the ceiling: 0.03 × 100 is 3.0000000000000004 in floating point.
    needed = math.ceil(round(cfg["min_sample_share"] * population, 6)) if population else None
    responses = survey.get("responses") or 0
    share = survey.get(share_key)
    evidence = {
        "period": survey.get("period"),
        "responses": responses,
        "population": population or None,
        "sample_share": responses / population if population else None,
        "sample_needed": needed,
        "satisfied_share": share,
        "answers_by_kind": survey.get("answers_by_kind"),
    }
    offline = sum((survey.get("answers_by_kind") or {}).get(k, 0) for k in ("paper", "phone"))
    if offline:
        evidence["entered_by_staff"] = f"含工作人员录入的纸质、电话问卷 {offline} 份"
    if not needed or responses < needed:
        evidence["sample_valid"] = False
        evidence["message"] = f"样本不足：{responses} 份，需不少于 {needed or '—'} 份"
        return item(cfg, 0, rule, evidence)
    evidence["sample_valid"] = True
    points = next((p for threshold, p in cfg["tiers"] if share is not None and share >= threshold), 0)
    return item(cfg, points, rule, evidence)


def score_chain_rate(s: CircleSnapshot, cfg: dict) -> dict:
    threshold = cfg["min_share"].get(s.city_tier, cfg["min_share"]["other"])
    levels = "、".join(f"{k} {pct(v)}" for k, v in cfg["min_share"].items())
    rule = f"连锁品牌网点占比达到城市门槛（{levels}）得 {cfg['max']} 分，否则 0 分"
    share = s.chain_count / s.outlets_total if s.outlets_total else None
    evidence = {
        "chain_outlets": s.chain_count,
        "outlets": s.outlets_total,
        "chain_rate": share,
        "city_tier": s.city_tier,
        "threshold": threshold,
    }
    return item(cfg, cfg["max"] if share is not None and share >= threshold else 0, rule, evidence)


def score_events(s: CircleSnapshot, cfg: dict) -> dict:
    rule = f"年内每开展一次社区促消费活动得 {cfg['points_per_event']} 分，最多 {cfg['max']} 分"
    if s.events is None:
        return item(cfg, 0, rule, {"data": NO_DATA, "message": "促消费活动暂无记录", "year": s.year})
    return item(cfg, s.events * cfg["points_per_event"], rule, {"events": s.events, "year": s.year})


def score_harmony(s: CircleSnapshot, cfg: dict) -> dict:
    levels = cfg["levels"]
    rule = (
        f"符合要求、商居和谐、安全卫生、环境美观、有地方特色得 {levels['full']} 分，"
        f"基本符合 {levels['basic']} 分，不符合 {levels['none']} 分（工作人员评定）"
    )
    assessment = s.assessments.get("harmony")
    if assessment is None:
        return item(cfg, 0, rule, {"message": "待工作人员评定"}, "staff")
    level = assessment.value.get("level")
    return item(cfg, levels.get(level, 0), rule, {"level": level, **assessment.evidence()}, "staff")


def score_service(snapshot: CircleSnapshot, profile: ScoringProfile) -> dict:
    cfg = profile.service
    items = [
        score_needs(snapshot, cfg["needs"]),
        _satisfaction(snapshot, cfg["type_satisfaction"], "type_satisfied_share", "业态满意"),
        _satisfaction(snapshot, cfg["service_satisfaction"], "service_satisfied_share", "服务满意"),
        experience.score_store_breakfast(snapshot, cfg["store_breakfast"]),
        experience.score_market_repair(snapshot, cfg["market_repair"]),
        experience.score_elderly_child(snapshot, cfg["elderly_child"]),
        score_chain_rate(snapshot, cfg["chain_rate"]),
        score_events(snapshot, cfg["events"]),
        experience.score_smart(snapshot, cfg["smart"]),
        score_harmony(snapshot, cfg["harmony"]),
    ]
    return {"score": num(sum(i["points"] for i in items)), "max": 100, "items": items}
