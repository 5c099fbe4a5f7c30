"""The demo's live year, written once the outlets are in: residents and their survey answers and ratings,
needs and projects, promotion events and staff assessments, each circle as its scenario says.

Scenarios are spread by the 有没有 type the evaluation gives each circle's outlets (so the demo shows
rated and unrated circles of every type); everything else follows from the seed.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select, text

from app.circles.models import Circle
from app.common.clock import local_zone, now_local
from app.common.extensions import db
from app.demo import civic, needs, records, residents, scenarios
from app.demo.context import CircleContext, Clock, OutletRef, stream
from app.evaluation.facts import build_snapshots
from app.evaluation.models import EvaluationAssessment
from app.evaluation.presence import provisional_type, score_presence
from app.evaluation.profiles import get_profile, standards_for_city
from app.evaluation.service import circle_rows
from app.events.models import Event
from app.ratings.models import Rating
from app.surveys.models import SurveyResponse
from app.usage.models import PlatformUse

OUTLETS_SQL = """
SELECT id, name, types, ST_X(location::geometry) AS lng, ST_Y(location::geometry) AS lat, community_id, address,
       circle_id
FROM outlets WHERE circle_id = ANY(:ids) AND status = 'approved' AND NOT mobile ORDER BY id
"""


@dataclass
class ActivityResult:
    residents: int = 0
    survey_answers: int = 0
    ratings: int = 0
    events: int = 0
    needs: int = 0
    projects: int = 0
    assessments: int = 0
    scenarios: dict[str, int] = field(default_factory=dict)


def clock_now() -> Clock:
    now = now_local()
    return Clock(datetime(now.year, 1, 1, tzinfo=local_zone()), now)


def load_activity(seed: int, cities: dict, specs: dict, staff: int) -> ActivityResult:
    """`cities`: key → City; `specs`: circle external_id → CircleSpec; `staff`: the demo staff member's
    user id. Writes; the caller commits."""
    clock = clock_now()
    contexts = _contexts(seed, cities, specs, clock)
    result = ActivityResult()
    for ctx in contexts:
        result.scenarios[ctx.scenario.key] = result.scenarios.get(ctx.scenario.key, 0) + 1
    records.note_scenarios({ctx.id: ctx.scenario.name_zh for ctx in contexts})

    answers = _write_residents(seed, contexts, clock, result)
    _write_surveys(seed, contexts, answers, staff, clock, result)
    rows = [r for c in contexts for r in residents.search_rows(c, clock, stream(seed, c.external_id, "searches"))]
    records.insert_rows(PlatformUse, rows)

    rows = [r for c in contexts for r in residents.rating_rows(c, clock, stream(seed, c.external_id, "ratings"))]
    # A demo rating kept by the reload (a merchant replied to it) stays as it is; the loader then refreshes
    # outlets.rating_avg / rating_count.
    records.insert_rows(Rating, rows, skip_existing=True)
    result.ratings = len(rows)

    rows = [r for c in contexts for r in civic.event_rows(c, staff, clock, stream(seed, c.external_id, "events"))]
    records.insert_rows(Event, rows)
    result.events = len(rows)

    rows = [r for c in contexts for r in civic.assessment_rows(c, staff, clock, stream(seed, c.external_id, "staff"))]
    records.insert_rows(EvaluationAssessment, rows)
    result.assessments = len(rows)

    projects, needs_rows = [], []
    for ctx in contexts:
        made, wanted = needs.needs_and_projects(ctx, staff, clock, stream(seed, ctx.external_id, "needs"))
        for need in wanted:  # project indexes are per circle; make them global
            need["_project"] = None if need["_project"] is None else need["_project"] + len(projects)
        projects += made
        needs_rows += wanted
    records.write_needs(projects, needs_rows, staff)
    result.projects, result.needs = len(projects), len(needs_rows)
    return result


def _write_residents(seed: int, contexts: list[CircleContext], clock: Clock, result: ActivityResult) -> dict:
    """Each circle's residents (survey respondents first); returns circle id → survey answers."""
    answers, users, spans = {}, [], {}
    for ctx in contexts:
        rng = stream(seed, ctx.external_id, "residents")
        answers[ctx.id] = residents.survey_size(ctx, rng)
        count = residents.resident_count(ctx, answers[ctx.id], rng)
        spans[ctx.id] = (len(users), len(users) + count)
        users += residents.user_rows(ctx, len(users) + 1, count, clock, rng)
    user_ids = records.upsert_residents(users)
    for ctx in contexts:
        ctx.residents = user_ids[slice(*spans[ctx.id])]
    result.residents = len(users)
    return answers


def _write_surveys(seed, contexts: list[CircleContext], answers: dict, staff: int, clock: Clock, result):
    """This year's survey period of each circle (unless staff opened one already) and its answers."""
    year = clock.now.year
    busy = records.busy_survey_circles([c.id for c in contexts], year)
    periods = records.survey_periods(
        [
            {"circle_id": c.id, "title": f"{c.name} {year} 年满意度调查", "starts_on": date(year, 1, 1)}
            | {"ends_on": date(year, 12, 31), "created_by": staff, "created_at": clock.year_start}
            for c in contexts
            if c.id not in busy
        ]
    )
    rows = [
        row
        for c in contexts
        if c.id in periods
        for row in residents.survey_rows(c, periods[c.id], answers[c.id], clock, stream(seed, c.external_id, "survey"))
    ]
    records.insert_rows(SurveyResponse, rows)
    result.survey_answers = len(rows)


def _contexts(seed: int, cities: dict, specs: dict, clock: Clock) -> list[CircleContext]:
    """Each demo circle with its outlets, its 有没有 type and the scenario that type's spread gives it."""
    city_keys = {city.id: key for key, city in cities.items()}
    circles = db.session.scalars(
        select(Circle).where(Circle.city_id.in_(city_keys), Circle.synthetic.is_(True)).order_by(Circle.external_id)
    ).all()
    outlets: dict[int, list[OutletRef]] = {c.id: [] for c in circles}
    for row in db.session.execute(text(OUTLETS_SQL), {"ids": list(outlets)}):
        ref = OutletRef(row.id, row.name, tuple(row.types), row.lng, row.lat, row.community_id, row.address)
        outlets[row.circle_id].append(ref)
    presence = {}
    for city in cities.values():
        profile = get_profile(city.scoring_profile)
        mine = [c for c in circles if c.city_id == city.id]
        for circle_id, snap in build_snapshots(
            circle_rows(mine), profile, standards_for_city(city), clock.now.date()
        ).items():
            scored = score_presence(snap, profile)
            present = {code for code, ids in snap.present.items() if ids} | set(scored["basic"]["present"])
            presence[circle_id] = (provisional_type(scored["score"], profile), present, scored["basic"]["missing"])
    chosen = scenarios.assign({cid: kind for cid, (kind, _, _) in presence.items()}, stream(seed, "scenarios"))
    contexts = []
    for c in circles:
        spec = specs[c.external_id]
        kind, present, missing = presence[c.id]
        contexts.append(
            CircleContext(
                c.id,
                c.external_id,
                c.name,
                city_keys[c.city_id],
                spec.street,
                spec.district,
                c.population,
                {m.id: m.name for m in c.communities},
                outlets[c.id],
                chosen[c.id],
                kind,
                present,
                missing,
            )  # fmt: skip
        )
    return [ctx for ctx in contexts if ctx.outlets]
