"""The facts one circle's evaluation is scored from: plain data, so tests can score hand-built snapshots.

`facts.build_snapshots` fills these from SQL aggregates; `scoring.evaluate` turns one into the result.
Lists of ints are outlet ids (the evidence); None means the input is not available ("no data").
"""

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Assessment:
    """A staff judgement of an item the platform cannot observe (latest per item counts)."""

    item: str
    value: dict
    note: str
    assessed_on: date
    user_id: int | None = None
    id: int | None = None

    def evidence(self) -> dict:
        return {
            "assessment_id": self.id,
            "value": self.value,
            "note": self.note,
            "assessed_on": self.assessed_on.isoformat(),
            "assessed_by": self.user_id,
        }


@dataclass
class CircleSnapshot:
    circle_id: int
    name: str = ""
    city_id: int | None = None
    city_tier: str = "other"
    circle_type: str | None = None
    population: int | None = None  # service population (circle, else the sum of its communities)
    year: int = 2025
    at: date | None = None
    # Approved outlets of each type inside the circle or within the type's radius of its boundary.
    present: dict[str, list[int]] = field(default_factory=dict)
    # Mobile stalls scheduled at least weekly and online same-day services reaching the circle:
    # type -> [{"outlet_id", "kind": "mobile"|"online", "note"}].
    remote: dict[str, list[dict]] = field(default_factory=dict)
    # Counts over the approved outlets inside the circle.
    outlets_total: int = 0
    chain_count: int = 0
    online_count: int = 0
    quality_brand_count: int = 0
    quality_outlet_count: int = 0
    consumption_places: int = 0
    qr_payment_places: int = 0
    stores: list[int] = field(default_factory=list)
    stores_24h: list[int] = field(default_factory=list)
    store_add_ons: dict[str, list[int]] = field(default_factory=dict)  # add-on code -> store ids
    breakfast_items: dict[str, list[int]] = field(default_factory=dict)  # breakfast kind -> outlet ids
    breakfast_delivery: list[int] = field(default_factory=list)
    retail_delivery: list[int] = field(default_factory=list)
    terminals: dict[str, list[int]] = field(default_factory=dict)  # smart terminal kind -> outlet ids
    repair_kinds: dict[str, list[int]] | None = None  # repair service code -> outlet ids offering it
    onboarded_outlets: int | None = None  # outlets run by a merchant account on this platform
    resident_users: int = 0  # residents who used the platform in this circle this year (app.usage)
    resident_usage: dict | None = None  # … of them: searched / filed / rated
    demand: dict | None = None  # app.demands: needs and projects of the year
    survey: dict | None = None  # app.surveys: the current period's results
    events: int | None = None  # app.events: promotion events this year
    assessments: dict[str, Assessment] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)  # input name -> "ok" | "no_data" (why)
