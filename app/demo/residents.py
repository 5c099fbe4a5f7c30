"""Synthetic residents of each circle: their user rows, their answers to this year's satisfaction survey
(sample size and satisfaction as the circle's scenario says) and their ratings of the circle's outlets."""

import math
import random

from app.common.clock import local_zone
from app.demo import catalog, texts
from app.demo.context import RESIDENT_PREFIX, CircleContext, Clock

APP_ONLY = (0.001, 0.002)  # residents using the app who did not answer the survey, ÷ population
RATED_OUTLETS = 0.35  # share of a circle's outlets with ratings
COMMENT_SHARE = 0.15


def survey_size(ctx: CircleContext, rng: random.Random) -> int:
    return math.ceil(ctx.population * rng.uniform(*ctx.scenario.sample))


def resident_count(ctx: CircleContext, answers: int, rng: random.Random) -> int:
    return answers + max(12, round(ctx.population * rng.uniform(*APP_ONLY)))


def user_rows(ctx: CircleContext, first: int, count: int, clock: Clock, rng: random.Random) -> list[dict]:
    rows = []
    for n in range(first, first + count):
        named = rng.random() < 0.6
        rows.append(
            {
                "openid": f"{RESIDENT_PREFIX}{n}",
                "display_name": rng.choice(catalog.SURNAMES) + rng.choice(texts.NICKNAMES) if named else None,
                "roles": ["resident"],
                "home_circle_id": ctx.id,
                "disabled": False,
                "created_at": clock.moment(rng),
            }
        )
    return rows


def _scores(n: int, share: float, rng: random.Random) -> list[int]:
    """n answers with at least `share` of them satisfied (4-5 points), shuffled."""
    satisfied = min(n, math.ceil(n * share))
    scores = [5 if rng.random() < 0.55 else 4 for _ in range(satisfied)]
    scores += [rng.choices((3, 2, 1), weights=(65, 25, 10))[0] for _ in range(n - satisfied)]
    rng.shuffle(scores)
    return scores


def survey_rows(ctx: CircleContext, period_id: int, answers: int, clock: Clock, rng: random.Random) -> list[dict]:
    respondents = ctx.residents[:answers]
    type_scores = _scores(len(respondents), rng.uniform(*ctx.scenario.type_satisfied), rng)
    service_scores = _scores(len(respondents), rng.uniform(*ctx.scenario.service_satisfied), rng)
    rows = []
    for user_id, type_score, service_score in zip(respondents, type_scores, service_scores, strict=True):
        comment = None
        if rng.random() < COMMENT_SHARE:
            mood = "good" if min(type_score, service_score) >= 4 else "fair" if type_score >= 3 else "poor"
            comment = rng.choice(texts.SURVEY_COMMENTS[mood])
        answered_at = clock.moment(rng)
        rows.append(
            {
                "period_id": period_id,
                "circle_id": ctx.id,
                "user_id": user_id,
                "source": "online",
                "home_check": "location",  # demo residents answer from home
                "distance_m": 0,
                "answered_on": answered_at.astimezone(local_zone()).date(),
                "type_satisfaction": type_score,
                "service_satisfaction": service_score,
                "comment": comment,
                "comment_check": "pass" if comment else None,
                "created_at": answered_at,
            }
        )
    return rows


def search_rows(ctx: CircleContext, clock: Clock, rng: random.Random) -> list[dict]:
    """Each demo resident searched the circle on a day this year (居民使用率 counts platform users)."""
    days = {(user_id, clock.moment(rng).astimezone(local_zone()).date()) for user_id in ctx.residents}
    return [{"circle_id": ctx.id, "user_id": u, "day": d, "kind": "search"} for u, d in sorted(days)]


def rating_rows(ctx: CircleContext, clock: Clock, rng: random.Random) -> list[dict]:
    """Ratings of a share of the circle's outlets by its residents, one per resident and outlet."""
    rows = []
    for outlet in ctx.outlets:
        if rng.random() >= RATED_OUTLETS:
            continue
        count = min(len(ctx.residents), 1 + int(rng.expovariate(1 / 4)), 25)
        mean = min(4.9, max(2.2, rng.gauss(4.0 + ctx.scenario.rating_mood, 0.45)))
        for user_id in rng.sample(ctx.residents, count):
            stars = min(5, max(1, round(rng.gauss(mean, 0.9))))
            tags = rng.sample(texts.RATING_TAGS[stars], rng.randint(0, 2))
            when = clock.moment(rng)
            rows.append(
                {
                    "outlet_id": outlet.id,
                    "user_id": user_id,
                    "stars": stars,
                    "text": rng.choice(texts.RATING_TEXTS[stars]) if rng.random() < 0.7 else "",
                    "tags": tags,
                    "photo_ids": [],
                    "status": "visible",
                    "content_check": "pass",
                    "created_at": when,
                    "updated_at": when,
                }
            )
    return rows
