"""好不好 items with several parts: 4 一店一早, 5 一菜一修, 6 一老一小, 9 智慧服务.

Each part is listed in the item's evidence ("parts") with its own points, rule and source; the item's
source is "staff" when any part used a staff assessment (parts awaiting one say so).
"""

from app.evaluation.items import NO_DATA, item, num, pct
from app.evaluation.snapshot import CircleSnapshot

# Who counts as a platform user of a circle (app.usage): not survey answerers or home settings.
USAGE_RULE = "当年在本生活圈使用过本平台的居民：登录后搜索附近网点、提出或附议需求、评价网点，按人去重，除以服务人口"


def _part(name: str, points: float, maximum: float, source: str = "computed", **evidence) -> dict:
    return {"name": name, "points": num(max(0.0, points)), "max": maximum, "source": source, **evidence}


def _combine(cfg: dict, parts: list[dict], rule: str) -> dict:
    source = "staff" if any("assessment" in p for p in parts) else "computed"
    return item(cfg, sum(p["points"] for p in parts), rule, {"parts": parts}, source)


def _ids(mapping: dict, codes) -> dict:
    return {code: sorted(mapping[code]) for code in codes if mapping.get(code)}


def score_store_breakfast(s: CircleSnapshot, cfg: dict) -> dict:
    kinds = _ids(s.store_add_ons, cfg["add_ons"])
    store_points = next(
        (
            p
            for need_kinds, need_24h, p in cfg["store_tiers"]
            if len(kinds) >= need_kinds and len(s.stores_24h) >= need_24h
        ),
        0,
    )
    stores = _part(
        "便利店一店多能",
        store_points,
        cfg["store_tiers"][0][2],
        stores=sorted(s.stores),
        stores_24h=sorted(s.stores_24h),
        add_on_kinds=kinds,
        add_on_kind_count=len(kinds),
    )
    assessment = s.assessments.get("breakfast_variety")
    observed = _ids(s.breakfast_items, cfg["breakfast_items"])
    variety = int(assessment.value["count"]) if assessment else len(observed)
    breakfast = _part(
        "早餐品类",
        next((p for need, p in cfg["breakfast_tiers"] if variety >= need), 0),
        cfg["breakfast_tiers"][0][1],
        "staff" if assessment else "computed",
        variety=variety,
        observed_items=observed,
        **({"assessment": assessment.evidence()} if assessment else {}),
    )
    online = [r["outlet_id"] for r in s.remote.get("breakfast", []) if r["kind"] == "online"]
    delivering = sorted(set(s.breakfast_delivery) | set(online))
    bf_delivery = _part(
        "早餐配送到家",
        cfg["breakfast_delivery_points"] if delivering else 0,
        cfg["breakfast_delivery_points"],
        outlets=delivering,
    )
    retail = _part(
        "零售配送到家",
        cfg["retail_delivery_points"] if s.retail_delivery else 0,
        cfg["retail_delivery_points"],
        outlets=sorted(s.retail_delivery),
    )
    tiers = "；".join(f"叠加便民服务 {k} 类以上且 24 小时便利店 {h} 家以上得 {p} 分" for k, h, p in cfg["store_tiers"])
    bf_tiers = "；".join(f"{k} 类以上得 {p} 分" for k, p in cfg["breakfast_tiers"])
    rule = (
        f"便利店（按生活圈内全部便利店计）{tiers}。早餐主食+汤粥类 {bf_tiers}（按早餐网点登记的品类计，"
        f"工作人员评定优先）。有配送到家的早餐网点得 {cfg['breakfast_delivery_points']} 分，"
        f"有配送到家的零售网点得 {cfg['retail_delivery_points']} 分"
    )
    return _combine(cfg, [stores, breakfast, bf_delivery, retail], rule)


def _facility(s: CircleSnapshot, name: str, types, key: str, points: float, area_cut: float, service_cut: float):
    """A facility judged to standard by staff: full points, minus area shortfall and missing services."""
    present = sorted({i for code in types for i in s.present.get(code, [])})
    assessment = s.assessments.get(key)
    if not present:
        return _part(name, 0, points, outlets=[], message="生活圈内及步行范围内无此类设施")
    if assessment is None:
        return _part(name, 0, points, "staff", outlets=present, message="待工作人员评定是否达标")
    value = assessment.value
    if not value.get("to_standard"):
        return _part(name, 0, points, "staff", outlets=present, assessment=assessment.evidence())
    missing = list(value.get("missing_services") or [])
    score = points - (0 if value.get("area_sufficient", True) else area_cut) - service_cut * len(missing)
    return _part(
        name, score, points, "staff", outlets=present, missing_services=missing, assessment=assessment.evidence()
    )


def score_market_repair(s: CircleSnapshot, cfg: dict) -> dict:
    market = _facility(
        s,
        "菜市场",
        cfg["market_types"],
        "vegetable_market",
        cfg["market_points"],
        cfg["market_area_short_deduction"],
        cfg["market_missing_service_deduction"],
    )
    minimum, cut, full = cfg["repair_min_kinds"], cfg["repair_missing_kind_deduction"], cfg["repair_points"]
    if s.repair_kinds is None:
        repair = _part("小修小补", 0, full, data=NO_DATA, message="维修服务项目暂无数据")
    else:
        kinds = {code: sorted(ids) for code, ids in s.repair_kinds.items()}
        score = full - cut * max(0, minimum - len(kinds)) if kinds else 0
        repair = _part("小修小补", score, full, kinds=kinds, kind_count=len(kinds))
    rule = (
        f"菜市场符合 GB/T 21720-2022 标准得 {cfg['market_points']} 分，面积不足扣 "
        f"{cfg['market_area_short_deduction']} 分，服务每缺 1 项扣 {cfg['market_missing_service_deduction']} 分"
        f"（工作人员评定）；小修小补 {minimum} 类以上、明码标价得 {full} 分，每缺 1 类扣 {cut} 分"
        "（按生活圈内维修网点登记且标价的服务项目计）"
    )
    return _combine(cfg, [market, repair], rule)


def score_elderly_child(s: CircleSnapshot, cfg: dict) -> dict:
    area, service = cfg["area_short_deduction"], cfg["missing_service_deduction"]
    elderly = _facility(s, "养老服务", cfg["elderly_types"], "elderly_care", cfg["elderly_points"], area, service)
    child = _facility(s, "托育服务", cfg["childcare_types"], "childcare", cfg["childcare_points"], area, service)
    rule = (
        f"养老服务场所符合标准、面积足够、服务有保证得 {cfg['elderly_points']} 分；托育服务同样得 "
        f"{cfg['childcare_points']} 分；面积不足扣 {area} 分，服务每缺 1 项扣 {service} 分（工作人员评定）"
    )
    return _combine(cfg, [elderly, child], rule)


def score_smart(s: CircleSnapshot, cfg: dict) -> dict:
    qr_share = s.qr_payment_places / s.consumption_places if s.consumption_places else None
    qr = _part(
        "扫码支付",
        cfg["qr_points"] if qr_share is not None and qr_share >= cfg["qr_min_share"] else 0,
        cfg["qr_points"],
        places=s.consumption_places,
        qr_places=s.qr_payment_places,
        share=qr_share,
        threshold=cfg["qr_min_share"],
    )
    kinds = {t["code"]: sorted(s.terminals[t["code"]]) for t in cfg["terminals"] if s.terminals.get(t["code"])}
    need = cfg["terminal_min_kinds"]
    terminal_points = cfg["terminal_points"] - cfg["terminal_missing_kind_deduction"] * max(0, need - len(kinds))
    terminals = _part("智能服务终端", terminal_points if kinds else 0, cfg["terminal_points"], kinds=kinds)
    if s.onboarded_outlets is None:
        onboarding = _part("商户入驻率", 0, cfg["platform_onboarding_points"], data=NO_DATA, message="商户入驻暂无数据")
    else:
        share = s.onboarded_outlets / s.outlets_total if s.outlets_total else None
        ok = share is not None and share >= cfg["platform_onboarding_min_share"]
        onboarding = _part(
            "商户入驻率",
            cfg["platform_onboarding_points"] if ok else 0,
            cfg["platform_onboarding_points"],
            onboarded=s.onboarded_outlets,
            outlets=s.outlets_total,
            share=share,
            threshold=cfg["platform_onboarding_min_share"],
        )
    usage_share = s.resident_users / s.population if s.population else None
    usage = _part(
        "居民使用率",
        cfg["platform_usage_points"]
        if usage_share is not None and usage_share >= cfg["platform_usage_min_share"]
        else 0,
        cfg["platform_usage_points"],
        residents=s.resident_users,
        population=s.population,
        share=usage_share,
        threshold=cfg["platform_usage_min_share"],
        counted=USAGE_RULE,
        **{k: (s.resident_usage or {}).get(k, 0) for k in ("searched", "filed", "rated")},
    )
    assessment = s.assessments.get("smart_environment")
    environment = _part(
        "布局整洁、导视、监控",
        cfg["environment_points"] if assessment and assessment.value.get("meets") else 0,
        cfg["environment_points"],
        "staff",
        **({"assessment": assessment.evidence()} if assessment else {"message": "待工作人员评定"}),
    )
    rule = (
        f"主要消费场所扫码支付（占比 ≥ {pct(cfg['qr_min_share'])}）得 {cfg['qr_points']} 分；智能服务终端 "
        f"{need} 类以上得 {cfg['terminal_points']} 分，每少 1 类扣 {cfg['terminal_missing_kind_deduction']} 分；"
        f"本平台商户入驻率 ≥ {pct(cfg['platform_onboarding_min_share'])} 得 {cfg['platform_onboarding_points']} 分、"
        f"居民使用率（{USAGE_RULE}）≥ {pct(cfg['platform_usage_min_share'])} 得 {cfg['platform_usage_points']} 分"
        f"（原文门槛残缺，取可配置默认值）；布局整洁、导视、监控得 {cfg['environment_points']} 分（工作人员评定）"
    )
    return _combine(cfg, [qr, terminals, onboarding, usage, environment], rule)
