"""How well each demo circle is run this year, so the live evaluation shows every outcome.

A scenario fixes what residents and staff did: how many residents answered the survey and how satisfied
they were, how many promotion events took place, how far the needs and projects got, and what staff
assessed on site. Scenarios are spread within each 有没有 type (the provisional type the circle's
outlets give), so 品质型, 提升型 and 基础型 circles each have some that are rated and some that are not.
"""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    key: str
    name_zh: str
    sample: tuple[float, float]  # survey answers ÷ population (the valid sample is 3%)
    type_satisfied: tuple[float, float]  # share of 4-5 point answers, 业态满意
    service_satisfied: tuple[float, float]  # 服务满意
    events: tuple[int, int]
    needs: tuple[int, int]
    projects: str  # "done": every project finished · "mixed": some under way · "planned" · "none"
    staff: str  # what staff assessed on site: "good", "fair", "partial", "poor" or "none"
    rating_mood: float  # shifts the outlets' average stars


SCENARIOS = {
    s.key: s
    for s in (
        Scenario(
            "exemplary", "示范", (0.031, 0.040), (0.915, 0.965), (0.91, 0.955), (6, 8), (7, 12), "done", "good", 0.3
        ),
        Scenario("solid", "良好", (0.031, 0.037), (0.905, 0.93), (0.82, 0.88), (5, 7), (5, 10), "done", "fair", 0.1),
        Scenario(
            "ordinary", "一般", (0.004, 0.016), (0.78, 0.92), (0.75, 0.9), (2, 5), (4, 9), "mixed", "partial", 0.0
        ),
        Scenario(
            "lagging", "滞后", (0.031, 0.036), (0.62, 0.76), (0.58, 0.75), (0, 2), (6, 12), "planned", "poor", -0.4
        ),
        Scenario("starting", "起步", (0.0, 0.004), (0.7, 0.95), (0.7, 0.95), (0, 1), (1, 4), "none", "none", 0.0),
    )
}
RATED = ("exemplary", "solid")  # run well enough to pass the 好不好 table when the survey sample is valid
# Share of a provisional type's circles given a rated scenario (at least one each); None: below 基础型.
RATED_SHARE = {"quality": 0.18, "improved": 0.6, "basic": 0.6, None: 0.5}
OTHERS = (("lagging", 0.12), ("starting", 0.35))  # the rest is "ordinary"


def assign(types_by_circle: dict[int, str | None], rng: random.Random) -> dict[int, Scenario]:
    """circle id → scenario, spread within each provisional type (deterministic for the rng's seed)."""
    chosen: dict[int, Scenario] = {}
    groups: dict[str | None, list[int]] = {}
    for circle_id, kind in sorted(types_by_circle.items()):
        groups.setdefault(kind, []).append(circle_id)
    for kind in sorted(groups, key=str):
        ids = groups[kind]
        rng.shuffle(ids)
        rated = max(1, round(RATED_SHARE[kind] * len(ids)))
        keys = ["exemplary" if i < (rated + 1) // 2 else "solid" for i in range(rated)]
        rest = len(ids) - rated
        for key, share in OTHERS:
            keys += [key] * round(share * rest)
        keys = (keys + ["ordinary"] * len(ids))[: len(ids)]
        chosen.update({circle_id: SCENARIOS[key] for circle_id, key in zip(ids, keys, strict=True)})
    return chosen
