"""Community populations and age structure. The plans give only circle populations and a few words on
who lives there ("老年人和中青年人为主", "年轻人和外来人口为主"); the split and the shares are synthetic."""

import random
from dataclasses import dataclass

# Ranges of the 60+ share and the 0-3 share by how old the plan says the residents are.
AGE_PROFILES = {
    "old": ((0.17, 0.29), (0.012, 0.024)),
    "mixed": ((0.12, 0.23), (0.018, 0.032)),
    "young": ((0.09, 0.16), (0.028, 0.045)),
}
VERY_OLD_PER_CITY = 2  # communities given 80+ > 10%, so the day-care rule has cases to show


@dataclass
class People:
    population: int
    share_60_plus: float
    share_65_plus: float
    share_80_plus: float
    share_0_3: float


def age_profile(spec) -> str:
    words = spec.profile.get("people_profile", "")
    if "老年" in words:
        return "old"
    if "年轻" in words or spec.circle_type == "new_residential":
        return "young"
    return "mixed"


def split_population(total: int, parts: int, rng: random.Random) -> list[int]:
    """Plausibly uneven shares (each 0.6-1.4 of the mean), rounded so they add up to the total."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    exact = [total * w / sum(weights) for w in weights]
    counts = [int(x) for x in exact]
    for i in sorted(range(parts), key=lambda i: counts[i] - exact[i])[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _shares(profile: str, rng: random.Random) -> tuple[float, float, float, float]:
    (lo60, hi60), (lo03, hi03) = AGE_PROFILES[profile]
    s60 = rng.uniform(lo60, hi60)
    s65 = s60 * rng.uniform(0.60, 0.72)
    s80 = s65 * rng.uniform(0.15, 0.30)
    return s60, s65, s80, rng.uniform(lo03, hi03)


def community_people(spec, rng: random.Random) -> list[People]:
    profile = age_profile(spec)
    result = []
    for population in split_population(spec.population, len(spec.communities), rng):
        s60, s65, s80, s03 = _shares(profile, rng)
        result.append(People(population, round(s60, 3), round(s65, 3), round(s80, 3), round(s03, 3)))
    return result


def make_very_old(people: list[People], rng: random.Random) -> None:
    """The oldest communities of a city get 80+ above 10% (and so 60+/65+ well above the thresholds)."""
    for p in sorted(people, key=lambda p: -p.share_60_plus)[:VERY_OLD_PER_CITY]:
        p.share_60_plus = round(max(p.share_60_plus, rng.uniform(0.33, 0.38)), 3)
        p.share_65_plus = round(p.share_60_plus * rng.uniform(0.74, 0.80), 3)
        p.share_80_plus = round(rng.uniform(0.105, 0.125), 3)
