"""Evaluation use cases: live evaluation (cached, full or public), staff assessments, profile listings."""

from datetime import date

from sqlalchemy import select

from app.circles.models import Circle, City
from app.circles.service import get_circle
from app.common import fastjson
from app.common.clock import now_local
from app.common.errors import NotFound, ValidationFailed
from app.common.extensions import db
from app.common.paging import paginate
from app.common.policy import authorize_circle, can_manage_circle
from app.common.tx import write_use_case
from app.evaluation import cache
from app.evaluation import evidence as evidence_outlets
from app.evaluation.facts import CircleRow, build_snapshots
from app.evaluation.grading import evaluate
from app.evaluation.models import EvaluationAssessment
from app.evaluation.profiles import (
    DEFAULT_PROFILE,
    get_profile,
    profile_by_code,
    scoring_profiles,
    standards_for_city,
)


def today() -> date:
    return now_local().date()


def _iso(value):
    return value.isoformat()  # dates and datetimes, the only other values a result holds


def encoded(value) -> cache.Encoded:
    """The result as JSON will carry it (dates as ISO strings): cached as this text, and answered as it
    reads back (`fastjson.loads`), so fresh and cached answers are alike."""
    # No value of a result is NaN or infinite (every share guards against an empty whole).
    return cache.Encoded(fastjson.dumps(value, default=_iso))


def circle_rows(circles: list[Circle]) -> list[CircleRow]:
    return [
        CircleRow(c.id, c.name, c.city_id, c.city.tier, c.circle_type, c.population)
        for c in sorted(circles, key=lambda c: c.id)
    ]


def evaluate_circles(
    circles: list[Circle], at: date | None = None, use_cache=True, ttl_s: int | None = None, evidence=True
) -> dict:
    """Results of circles of any cities, from the cache where fresh. The rest are computed set-based: one
    batch of facts per scoring profile and standards profile (a province sharing them is one batch, a
    single circle a batch of one: the same code path either way). `ttl_s`: how long fresh results stay
    cached (the nightly refresh keeps them until the next one). `evidence`: with each counted outlet's
    name, address and distance (`evidence_outlets`, see evidence.py); what only a whole result shown or
    exported needs, so city views and the nightly pass leave it out."""
    at = at or today()
    results = _scored(circles, at, use_cache, ttl_s)
    if evidence:
        outlets = _evidence(circles, results, at, use_cache, ttl_s)
        results = {cid: evidence_outlets.attach(result, outlets[cid]) for cid, result in results.items()}
    return results


def _scored(circles: list[Circle], at: date, use_cache: bool, ttl_s: int | None) -> dict:
    keys, fields, batches = {}, {}, {}
    for c in circles:
        profile = get_profile(c.city.scoring_profile)
        keys[c.id] = cache.circle_key(c.id)
        fields[keys[c.id]] = cache.circle_field(c, "evaluation", profile.tag, at)
        batches.setdefault((profile.code, c.city.standards_profile), []).append(c)
    cached = cache.get_many(fields) if use_cache else {}
    results = {cid: cached[key] for cid, key in keys.items() if key in cached}
    for batch in batches.values():
        missing = [c for c in batch if c.id not in results]
        if not missing:
            continue
        city = missing[0].city
        profile = get_profile(city.scoring_profile)
        snaps = build_snapshots(circle_rows(missing), profile, standards_for_city(city), at)
        now = now_local()
        texts = {cid: encoded(evaluate(snap, profile, now)) for cid, snap in snaps.items()}
        cache.put_many({keys[cid]: (fields[keys[cid]], text) for cid, text in texts.items()}, ttl_s)
        results.update({cid: fastjson.loads(text) for cid, text in texts.items()})
    return results


def _evidence(circles: list[Circle], results: dict, at: date, use_cache: bool, ttl_s: int | None) -> dict:
    """circle id → its evidence outlets, cached per circle next to its result (same input version)."""
    keys, fields = {}, {}
    for c in circles:
        keys[c.id] = cache.circle_key(c.id)
        fields[keys[c.id]] = cache.circle_field(c, "evidence", get_profile(c.city.scoring_profile).tag, at)
    cached = cache.get_many(fields) if use_cache else {}
    found = {cid: cached[key] for cid, key in keys.items() if key in cached}
    missing = {cid: results[cid] for cid in keys if cid not in found}
    if missing:
        fresh = evidence_outlets.describe(missing, at)
        cache.put_many({keys[cid]: (fields[keys[cid]], outlets) for cid, outlets in fresh.items()}, ttl_s)
        found.update(fresh)
    return found


def evaluate_circle(circle_id: int, at: date | None = None, use_cache=True) -> dict:
    circle = get_circle(circle_id)
    return evaluate_circles([circle], at, use_cache)[circle.id]


def public_summary(result: dict) -> dict:
    """What residents and anonymous visitors see: scores, types and rules, not the staff evidence."""
    summary = {**result, "service": {**result["service"]}}
    summary["service"]["items"] = [{**i, "evidence": {}} for i in result["service"]["items"]]
    summary["detail"] = "public"
    return summary


def evaluation_for(user, circle_id: int) -> dict:
    result = evaluate_circle(circle_id)
    return {**result, "detail": "full"} if can_manage_circle(user, circle_id) else public_summary(result)


# --- staff assessments --------------------------------------------------------------------------------


@write_use_case
def record_assessment(actor, circle_id: int, data: dict) -> EvaluationAssessment:
    """Staff enter an item the platform cannot observe (with a note and date); it counts from that date."""
    get_circle(circle_id)
    authorize_circle(actor, circle_id)
    assessed_on = data.get("assessed_on") or today()
    if assessed_on > today():
        raise ValidationFailed(details={"assessed_on": ["评定日期不能晚于今天"]})
    row = EvaluationAssessment(
        circle_id=circle_id,
        item=data["item"],
        value=data["value"],
        note=data["note"],
        assessed_on=assessed_on,
        user_id=actor.id,
    )
    db.session.add(row)
    return row


def list_assessments(actor, circle_id: int, page: int, page_size: int):
    get_circle(circle_id)
    authorize_circle(actor, circle_id)
    query = (
        select(EvaluationAssessment)
        .where(EvaluationAssessment.circle_id == circle_id)
        .order_by(EvaluationAssessment.assessed_on.desc(), EvaluationAssessment.id.desc())
    )
    return paginate(query, page, page_size)


def service_codes(code: str | None = None) -> dict:
    """The outlets.services codes the profile counts (add-ons, breakfast kinds, terminals) and the service
    lists staff pick missing items from: what merchant and staff forms offer."""
    profile = profile_by_code(code or DEFAULT_PROFILE)
    items = profile.service

    def listed(mapping: dict) -> list[dict]:
        return [{"code": k, "name_zh": v} for k, v in mapping.items()]

    return {
        "profile": profile.code,
        "store_add_ons": listed(items["store_breakfast"]["add_ons"]),
        "breakfast_items": listed(items["store_breakfast"]["breakfast_items"]),
        "market_services": listed(items["market_repair"]["market_services"]),
        "elderly_services": listed(items["elderly_child"]["elderly_services"]),
        "childcare_services": listed(items["elderly_child"]["childcare_services"]),
        "smart_terminals": [
            {"code": t["code"], "name_zh": t["name"], "types": t["types"], "services": t.get("services", [])}
            for t in items["smart"]["terminals"]
        ],
    }


def list_profiles() -> list[dict]:
    """Every scoring profile with its rules and the cities that use it."""
    cities = db.session.execute(select(City.id, City.name, City.scoring_profile).order_by(City.id)).all()
    return [
        {
            **{k: getattr(p, k) for k in ("code", "version", "tag", "name_zh", "source", "note")},
            **{k: getattr(p, k) for k in ("presence", "provisional", "grade", "stars", "service")},
            "cities": [{"id": c.id, "name": c.name} for c in cities if c.scoring_profile == p.code],
        }
        for p in scoring_profiles().values()
    ]


def get_city(city_id: int) -> City:
    city = db.session.get(City, city_id)
    if city is None:
        raise NotFound("城市不存在", code="city_not_found")
    return city
