"""Survey arithmetic as pure functions: satisfied shares with Wilson intervals, the 3% sample rule."""

import math

SCALE = (1, 2, 3, 4, 5)
SATISFIED = (4, 5)  # 满意 and 非常满意
SAMPLE_RULE_PERCENT = 3  # a sample is valid with answers from at least 3% of the service population
Z_95 = 1.959964


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """Wilson score interval of a proportion; sound for small samples and shares near 0 or 1."""
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def question(distribution: dict[int, int]) -> dict:
    """Share satisfied (4-5 points) with its 95% interval, mean and distribution of one 5-point question."""
    counts = {score: int(distribution.get(score, 0)) for score in SCALE}
    n = sum(counts.values())
    satisfied = sum(counts[s] for s in SATISFIED)
    interval = wilson_interval(satisfied, n)
    return {
        "responses": n,
        "satisfied": satisfied,
        "satisfied_share": round(satisfied / n, 4) if n else None,
        "ci_low": round(interval[0], 4) if interval else None,
        "ci_high": round(interval[1], 4) if interval else None,
        "mean": round(sum(s * c for s, c in counts.items()) / n, 2) if n else None,
        "distribution": {str(s): counts[s] for s in SCALE},
    }


def sample(responses: int, population: int | None) -> dict:
    """The 3% rule: valid when responses reach 3% of the circle's service population (rounded up)."""
    if not population:
        return {"population": population, "sample_share": None, "sample_required": None, "sample_valid": False}
    required = -(-population * SAMPLE_RULE_PERCENT // 100)  # integer ceiling: 100 × 0.03 is 3.0000000000000004
    return {
        "population": population,
        "sample_share": round(responses / population, 4),
        "sample_required": required,
        "sample_valid": responses >= required,
    }
