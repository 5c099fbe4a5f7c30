"""The hot path's responses skip marshmallow's dump (app/common/fastjson.py): for many real items, the
projection gives exactly what the documented response schema's dump gives, and the API sends it."""

import json
import random

import pytest
from marshmallow import Schema, fields

from app.common import fastjson, geo
from app.outlets import present
from app.outlets.schemas import NearbyPageSchema
from app.outlets.search import NearbyQuery, search_nearby
from app.places.schemas import OutletDetailSchema
from app.repair import present as repair_present
from app.repair import service as repair
from app.repair.schemas import RepairNearbyPageSchema
from app.repair.search import RepairQuery, search_repair

CENTER = (116.8492, 40.3775)
HOURS = [
    {},
    {"mon": [["07:00", "20:00"]], "sat": [["09:00", "12:00"], ["14:00", "18:00"]]},
    {d: [["22:00", "02:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
]


@pytest.fixture
def many_outlets(make, db):
    rnd = random.Random(13)
    outlets = []
    for i in range(60):
        outlet = make.outlet(
            CENTER[0] + rnd.uniform(-0.008, 0.008),
            CENTER[1] + rnd.uniform(-0.006, 0.006),
            types=rnd.sample(["convenience_store", "repair", "breakfast", "barber"], rnd.randint(1, 2)),
            name=rnd.choice(["好邻居便利店", "老王修鞋", "早点铺", "理发"]) + str(i),
            hours=rnd.choice(HOURS),
            open_24h=rnd.random() < 0.1,
            closed_on_holidays=rnd.random() < 0.3,
            phone=rnd.choice([None, "13900001111", "010-6904xxxx"]),
            photos=rnd.choice([[], ["/api/v1/uploads/a/file"], [{"url": "/x.jpg"}, "/y.jpg"]]),
            chain=rnd.random() < 0.5,
            brand=rnd.choice([None, "好邻居"]),
            online=rnd.random() < 0.5,
            delivery=rnd.random() < 0.5,
            avg_spend=rnd.choice([None, 12.5, 30]),
            description=rnd.choice([None, "社区老店"]),
            services=rnd.choice([[], ["代收快递", "缴费"]]),
        )
        if rnd.random() < 0.6:
            outlet.rating_avg, outlet.rating_count = rnd.uniform(1, 5), rnd.randint(1, 99)
        if "repair" in outlet.types:
            repair.set_offers(outlet, [{"code": "key_cutting", "price_min": 5, "price_max": rnd.choice([None, 8])}])
        outlets.append(outlet)
    stall = make.outlet(CENTER[0], CENTER[1], types=["repair"], name="流动修鞋摊")
    repair.set_offers(stall, [{"code": "shoe_repair", "price_min": 10}])
    stall.mobile = True
    repair.set_schedule(stall, [{"lng": CENTER[0] + 0.001, "lat": CENTER[1], "hours": {"sat": [["08:00", "12:00"]]}}])
    db.session.flush()
    return outlets


@pytest.mark.parametrize("coord", ["gcj02", "wgs84"])
def test_nearby_pages_project_as_the_schema_dumps(app, many_outlets, client, coord):
    page_schema, projection = NearbyPageSchema(), fastjson.Projection(NearbyPageSchema)
    with app.test_request_context():
        for page in (1, 2, 3):
            found, radius = search_nearby(NearbyQuery(lng=CENTER[0], lat=CENTER[1], page=page))
            body = found.with_items(present.items(found.items, coord)).envelope(radius=radius, coord=coord)
            assert (body["page"], body["page_size"], body["has_more"]) == (page, 20, True)
            assert len(body["items"]) == 20
            assert projection(body) == page_schema.dump(body)
    # And the API sends the same document (orjson) as the schema's dump would have.
    with app.test_request_context():
        found, radius = search_nearby(NearbyQuery(lng=CENTER[0], lat=CENTER[1]))
        want = page_schema.dump(
            found.with_items(present.items(found.items, coord)).envelope(radius=radius, coord=coord)
        )
    lng, lat = geo.from_wgs84(*CENTER, coord)  # the same WGS-84 point, sent in `coord`
    response = client.get(f"/api/v1/outlets/nearby?lng={lng!r}&lat={lat!r}&coord={coord}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert json.loads(response.get_data()) == json.loads(json.dumps(want))


def test_repair_pages_project_as_the_schema_dumps(app, many_outlets, client):
    page_schema, projection = RepairNearbyPageSchema(), fastjson.Projection(RepairNearbyPageSchema)
    with app.test_request_context():
        found = search_repair(RepairQuery(lng=CENTER[0], lat=CENTER[1], page_size=50))
        assert len(found.items) > 10 and any(r["mobile"] for r in found.items)
        body = found.with_items(repair_present.items(found.items, "wgs84")).envelope(radius=1000, coord="wgs84")
        assert (body["page"], body["page_size"]) == (1, 50)
        assert projection(body) == page_schema.dump(body)
    response = client.get(f"/api/v1/repair/nearby?lng={CENTER[0]}&lat={CENTER[1]}&page_size=50&coord=wgs84")
    assert json.loads(response.get_data()) == json.loads(json.dumps(page_schema.dump(body)))


def test_outlet_details_project_as_the_schema_dumps(app, many_outlets, client):
    from app.places.page import outlet_page

    schema, projection = OutletDetailSchema(), fastjson.Projection(OutletDetailSchema)
    with app.test_request_context():
        for outlet in many_outlets:
            for here in (None, CENTER):
                detail = outlet_page(outlet.id, "gcj02", here)
                assert projection(detail) == schema.dump(detail)
    outlet = many_outlets[0]
    response = client.get(f"/api/v1/outlets/{outlet.id}?coord=wgs84")
    with app.test_request_context():
        want = schema.dump(outlet_page(outlet.id, "wgs84", None))
    got = json.loads(response.get_data())
    assert {k: v for k, v in got.items() if k != "open_now"} == {
        k: v for k, v in json.loads(json.dumps(want)).items() if k != "open_now"
    }


def test_a_field_that_needs_marshmallow_is_refused_when_the_projection_is_built():
    class Stamped(Schema):
        at = fields.DateTime(format="%Y-%m-%d")

    with pytest.raises(TypeError, match="DateTime"):
        fastjson.Projection(Stamped)

    class Sized(Schema):
        size = fields.Decimal()

    with pytest.raises(TypeError, match="Decimal"):
        fastjson.Projection(Sized)


def test_iso_datetimes_and_uuids_project_as_the_schema_dumps():
    """A need's answer (app/demands/routes.py) has ISO timestamps and upload ids (UUIDs)."""
    import uuid
    from datetime import UTC, datetime, timedelta, timezone

    from app.uploads.schemas import UploadId

    class Stamped(Schema):
        at = fields.DateTime(allow_none=True)
        upload = UploadId(allow_none=True)
        ids = fields.List(UploadId())

    stamps = [
        datetime(2026, 12, 2, 4, 30, 1, 123456, tzinfo=UTC),
        datetime(2026, 12, 2, 12, 30, tzinfo=timezone(timedelta(hours=8))),
        datetime(2026, 1, 1),  # naive
        None,
    ]
    ids = [uuid.UUID(int=7), str(uuid.UUID(int=2**100)), None]
    projection = fastjson.Projection(Stamped)
    for at in stamps:
        for upload in ids:
            item = {"at": at, "upload": upload, "ids": [i for i in ids if i is not None]}
            assert projection(item) == Stamped().dump(item)
            assert fastjson.response(projection(item)).get_data() == fastjson.response(Stamped().dump(item)).get_data()
