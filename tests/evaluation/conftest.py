"""Small circles built through the real tables (outlets, repair offers, needs, projects, surveys, events,
staff assessments), so each evaluation item can be worked out by hand."""

import itertools
import math
from datetime import date, datetime

import pytest
from shapely.geometry import MultiPolygon, box, mapping
from sqlalchemy import insert

from app.auth.models import User
from app.common.clock import local_zone, now_local
from app.common.geo import point as wgs84_point
from app.demands.models import Demand, Project
from app.evaluation import service as evaluation
from app.events.models import Event
from app.repair.models import RepairOffer
from app.surveys.models import SurveyPeriod, SurveyResponse
from app.usage.models import PlatformUse
from tests.faults.committed import committed_data  # noqa: F401  (a fixture: rows really committed)

M_PER_DEG_LAT = 111_320
_ids = itertools.count(1)


class Built:
    """One test circle: a square of side 2 × half_m around `center`, and helpers to fill it."""

    def __init__(self, make, db, circle, center, staff):
        self.make, self.db, self.circle, self.center, self.staff = make, db, circle, center, staff
        self._spot = itertools.count(0)

    @property
    def id(self):
        return self.circle.id

    def at(self, dx_m: float, dy_m: float) -> tuple[float, float]:
        lng, lat = self.center
        return lng + dx_m / (M_PER_DEG_LAT * math.cos(math.radians(lat))), lat + dy_m / M_PER_DEG_LAT

    def rect(self, x0, y0, x1, y1) -> dict:
        """A rectangle given in metres from the centre, as a WGS-84 GeoJSON MultiPolygon."""
        (lng0, lat0), (lng1, lat1) = self.at(x0, y0), self.at(x1, y1)
        return mapping(MultiPolygon([box(lng0, lat0, lng1, lat1)]))

    def community(self, x0, y0, x1, y1, **fields):
        return self.make.community(self.circle, boundary=self.rect(x0, y0, x1, y1), **fields)

    def outlet(self, *types, dx=None, dy=None, **fields):
        """An approved outlet inside the circle (spread on a 40 m grid around the centre unless placed).

        It has been there since 2020 unless `created_at` says otherwise, so evaluations of past periods
        (which read the outlets as they were then) count it too.
        """
        fields.setdefault("created_at", datetime(2020, 1, 1, tzinfo=local_zone()))
        if dx is None:
            n = next(self._spot)
            dx, dy = (n % 10 - 5) * 40, (n // 10 - 3) * 40
        fields.setdefault("qr_payment", True)
        return self.make.outlet(*self.at(dx, dy), types=list(types), **fields)

    def offers(self, outlet, *codes):
        for code in codes:
            self.db.session.add(RepairOffer(outlet_id=outlet.id, service_code=code, price_min=5, unit="次"))
        self.db.session.flush()

    def users(self, n: int, home: bool = True) -> list[int]:
        """Residents who live here (home) and used the platform here today (a search), or neither."""
        rows = [
            {
                "openid": f"eval-{self.id}-{next(_ids)}",
                "roles": ["resident"],
                "home_circle_id": self.id if home else None,
            }
            for _ in range(n)
        ]
        ids = list(self.db.session.scalars(insert(User).returning(User.id), rows))
        if home:
            day = now_local().date()
            uses = [{"circle_id": self.id, "day": day, "kind": "search", "user_id": i} for i in ids]
            self.db.session.execute(insert(PlatformUse), uses)
        return ids

    def survey(self, type_scores: list[int], service_scores: list[int]):
        year = now_local().year
        period = SurveyPeriod(
            circle_id=self.id, title=f"{year} 年满意度调查", starts_on=date(year, 1, 1), ends_on=date(year, 12, 31)
        )
        self.db.session.add(period)
        self.db.session.flush()
        for user_id, t, s in zip(self.users(len(type_scores), home=False), type_scores, service_scores, strict=True):
            self.db.session.add(
                SurveyResponse(
                    period_id=period.id, circle_id=self.id, user_id=user_id, type_satisfaction=t, service_satisfaction=s
                )
            )
        self.db.session.flush()

    def need(self, business_type="breakfast", status="accepted", supports=0, project=None, text="想要早餐店"):
        demand = Demand(
            kind="missing_type",
            business_type=business_type,
            text=text,
            location=wgs84_point(*self.center),
            circle_id=self.id,
            status=status,
            support_count=supports,
            project_id=project and project.id,
        )
        self.db.session.add(demand)
        self.db.session.flush()
        return demand

    def project(self, status="planned", title="新增早餐点", **fields):
        project = Project(
            circle_id=self.id,
            title=title,
            status=status,
            progress=100 if status == "done" else fields.pop("progress", 30),
            **fields,
        )
        self.db.session.add(project)
        self.db.session.flush()
        return project

    def events(self, n: int):
        year = now_local().year
        for i in range(n):
            day = date(year, 1, 1 + i)
            self.db.session.add(
                Event(
                    circle_id=self.id,
                    title=f"邻里节{i}",
                    theme="neighbourhood",
                    location=wgs84_point(*self.center),
                    starts_on=day,
                    ends_on=day,
                    organiser="社区",
                )
            )
        self.db.session.flush()

    def assess(self, item: str, note="现场检查", **value):
        return evaluation.record_assessment(self.staff, self.id, {"item": item, "value": value, "note": note})

    def evaluate(self) -> dict:
        return evaluation.evaluate_circle(self.id, use_cache=False)


class World:
    def __init__(self, make, db):
        self.make, self.db = make, db
        self._place = itertools.count(0)

    def circle(
        self, tier="other", population=100, circle_type="old_town", standards=None, city=None, half_m=500, **fields
    ) -> Built:
        # Circles 20 km apart: no outlet of one is within walking reach of another.
        lng, lat = 116.0 + 0.25 * next(self._place), 40.0
        city = city or self.make.city(tier=tier, standards_profile=standards)
        circle = self.make.circle(
            center=(lng, lat), half_m=half_m, city=city, population=population, circle_type=circle_type, **fields
        )
        staff = self.make.user("staff", circles=[circle])
        return Built(self.make, self.db, circle, (lng, lat), staff)


@pytest.fixture
def world(make, db, redis):
    return World(make, db)
