"""Repair points made directly (offers, stall schedules, service areas) and a clock tests can set."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.common import clock
from app.repair import service as repair

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2026-03-14 is a Saturday and no public holiday.
SAT_10 = datetime(2026, 3, 14, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def at(monkeypatch):
    """Sets "now" (Asia/Shanghai) for present_now / open_now."""

    def set_now(moment: datetime):
        monkeypatch.setattr(clock, "now_local", lambda: moment)

    set_now(SAT_10)
    return set_now


@pytest.fixture
def repair_point(make, db):
    def create(lng, lat, offers=(("key_cutting", 5, None),), types=("repair",), schedule=None, **fields):
        outlet = make.outlet(lng, lat, types=list(types), **fields)
        repair.set_offers(outlet, [{"code": c, "price_min": lo, "price_max": hi} for c, lo, hi in offers])
        if schedule is not None:
            outlet.mobile = True
            repair.set_schedule(outlet, [{"lng": x, "lat": y, "address": a, "hours": h} for x, y, a, h in schedule])
        db.session.flush()
        return outlet

    return create
