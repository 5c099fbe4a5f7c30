"""What the activity generators know about one demo circle once its outlets are in the database."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.demo.scenarios import Scenario

RESIDENT_PREFIX = "demo-resident-"  # openids of the synthetic residents
STAFF_USERNAME = "demo-staff"  # the synthetic staff member who opens surveys, runs events, assesses
SOURCE_CLIENT = "demo-data"  # demands.source_client of the synthetic needs


def stream(seed: int, *parts) -> random.Random:
    """One random stream per purpose and circle (string seeds hash alike in every process), so a change
    to one part of the demo does not reshuffle the others."""
    return random.Random(":".join(map(str, (seed, *parts))))


@dataclass(frozen=True)
class OutletRef:
    id: int
    name: str
    types: tuple[str, ...]
    lng: float
    lat: float
    community_id: int | None
    address: str


@dataclass
class CircleContext:
    id: int
    external_id: str
    name: str
    city: str
    street: str | None
    district: str
    population: int
    communities: dict[int, str]  # id → name
    outlets: list[OutletRef]
    scenario: Scenario
    provisional: str | None  # the 有没有 type the outlets give
    present: set[str]  # business types within their walking radius (basic and quality)
    missing_basic: list[str]
    residents: list[int] = field(default_factory=list)  # user ids, filled once the users are written

    @property
    def short(self) -> str:
        return self.name.removesuffix("一刻钟便民生活圈").removesuffix("社区生活圈").removesuffix("生活圈")

    def community_name(self, outlet: OutletRef) -> str:
        return self.communities.get(outlet.community_id, self.short)


@dataclass(frozen=True)
class Clock:
    """The load's notion of now: this local year's first moment and the current moment."""

    year_start: datetime
    now: datetime

    def moment(self, rng: random.Random, after: datetime | None = None, before: datetime | None = None) -> datetime:
        low, high = after or self.year_start, before or self.now - timedelta(minutes=5)
        if high <= low:
            return low
        return low + timedelta(seconds=rng.uniform(0, (high - low).total_seconds()))
