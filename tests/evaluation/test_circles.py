"""Five small circles built through the real tables, each item's points worked out by hand."""

from app.evaluation.presence import quality_types
from app.evaluation.profiles import get_profile

BASIC = get_profile("mofcom-2023").presence["basic_types"]
QUALITY_20 = quality_types()[:19] + ["childcare"]
BREAKFAST_8 = [
    f"breakfast_{k}" for k in ("baozi", "youtiao", "mantou", "jianbing", "doujiang", "porridge", "eggs", "huntun")
]
REPAIR_8 = [
    "key_cutting",
    "lock_opening",
    "shoe_repair",
    "watch_repair",
    "bike_repair",
    "phone_repair",
    "appliance_repair",
    "tailoring",
]


def points(result) -> dict[int, float]:
    return {item["no"]: item["points"] for item in result["service"]["items"]}


def items(result) -> dict[int, dict]:
    return {item["no"]: item for item in result["service"]["items"]}


def fill_basic(c, codes, chain=0, owner=None, **special):
    """One outlet per type; the first `chain` are chain outlets; `special` gives a type's extra fields."""
    made = {}
    for n, code in enumerate(codes):
        made[code] = c.outlet(code, chain=n < chain, owner_user_id=owner, **special.get(code, {}))
    return made


def test_quality_circle_excellent(world, make):
    c = world.circle(tier="tier1", population=100)
    owner = make.user("merchant").id
    stores = [
        c.outlet(
            "convenience_store",
            open_24h=True,
            chain=True,
            owner_user_id=owner,
            services=["parcel_collect", "bill_payment", "print_copy", "top_up"],
        ),
        c.outlet(
            "convenience_store",
            open_24h=True,
            chain=True,
            owner_user_id=owner,
            services=["housekeeping_booking", "laundry_booking", "atm"],
        ),
    ]
    made = fill_basic(
        c,
        BASIC[1:],
        chain=1,
        owner=owner,
        community_supermarket={"delivery": True},
        breakfast={"delivery": True, "services": BREAKFAST_8},
    )
    c.offers(made["repair"], *REPAIR_8)
    fill_basic(c, QUALITY_20, chain=9, owner=owner)
    c.outlet("water_dispenser", owner_user_id=owner)
    c.outlet("parcel_point", open_24h=True, owner_user_id=owner)
    c.users(50)  # half the population use the platform
    c.survey([5] * 10, [5] * 9 + [2])
    project = c.project(status="done")
    c.need(project=project, status="done")
    c.need(supports=3)
    c.events(6)
    c.assess("vegetable_market", to_standard=True, area_sufficient=True, missing_services=[])
    c.assess("elderly_care", to_standard=True)
    c.assess("childcare", to_standard=True, area_sufficient=False)
    c.assess("smart_environment", meets=True)
    c.assess("harmony", level="full")

    result = c.evaluate()
    basic = result["presence"]["basic"]
    assert basic["score"] == 60 and basic["missing"] == []
    assert basic["evidence"]["convenience_store"] == sorted(s.id for s in stores)
    assert result["presence"]["quality"]["score"] == 40 and result["presence"]["score"] == 100
    assert result["provisional_type"] == "quality"
    # 1: needs & projects listed 4 + the one project done 4; 2: 10/10 satisfied; 3: 9/10 = 90%;
    # 4: 7 add-on kinds, two 24-h stores 4 + 8 breakfast kinds 4 + delivery 1 + retail delivery 1;
    # 5: market to standard 5 + 8 repair kinds 5; 6: elderly 5 + childcare 5 − 1 (area);
    # 7: 12 chain of 38 outlets = 31.6% ≥ 30% (tier 1); 8: 6 events; 9: QR 2, 5 terminal kinds
    # (locker, vending, unmanned store, water, ATM) 2, all outlets on the platform 2, 50 of 100
    # residents 2, environment 2; 10: full 8.
    assert points(result) == {1: 8, 2: 16, 3: 16, 4: 10, 5: 10, 6: 9, 7: 6, 8: 6, 9: 10, 10: 8}
    assert result["service"]["score"] == 99
    assert (result["grade"], result["final_type"], result["stars"]) == ("excellent", "quality", 5)
    evidence = items(result)
    assert evidence[7]["evidence"]["chain_outlets"] == 12 and evidence[7]["evidence"]["outlets"] == 38
    assert evidence[2]["evidence"]["responses"] == 10 and evidence[2]["evidence"]["sample_needed"] == 3
    assert evidence[1]["evidence"]["projects_done"] == 1 and evidence[1]["evidence"]["accepted"] == 2
    assert set(evidence[9]["evidence"]["parts"][1]["kinds"]) == {
        "parcel_locker",
        "vending",
        "unmanned_store",
        "water",
        "bank_self_service",
    }
    assert evidence[5]["evidence"]["parts"][1]["kind_count"] == 8
    assert evidence[10]["source"] == "staff" and evidence[10]["evidence"]["note"] == "现场检查"
    assert result["kpis"]["six_ones_coverage"] == 1.0 and result["inputs"]["surveys"] == "ok"


def test_improved_circle_pass(world, make):
    c = world.circle(tier="tier2", population=200)
    owner = make.user("merchant").id
    codes = [code for code in BASIC if code not in ("hardware_store", "recycling")]
    made = fill_basic(
        c,
        codes,
        chain=8,
        owner=owner,
        convenience_store={
            "open_24h": True,
            "services": ["parcel_collect", "bill_payment", "print_copy", "top_up", "hot_food"],
        },
        community_supermarket={"delivery": True},
        breakfast={"services": BREAKFAST_8[:5]},
    )
    c.offers(made["repair"], *REPAIR_8[:6])
    fill_basic(c, quality_types()[:16], owner=owner)
    c.survey([5] * 8 + [3] * 2, [5] * 9 + [1])
    c.need()
    c.project()
    c.events(3)
    c.assess("vegetable_market", to_standard=True, area_sufficient=False, missing_services=["public_scale"])
    c.assess("elderly_care", to_standard=True)
    c.assess("smart_environment", meets=True)
    c.assess("harmony", level="full")

    result = c.evaluate()
    assert result["presence"]["basic"]["missing"] == ["hardware_store", "recycling"]
    assert result["presence"]["score"] == 13 * 4 + 16 * 2 == 84 and result["provisional_type"] == "improved"
    # 1: lists 4, project not done 0; 2: 80% → 10; 3: 90% → 16; 4: 5 kinds & one 24-h store 2 +
    # 5 breakfast kinds 2 + retail delivery 1; 5: market 5 − 1 − 0.6 + repair 5 − 2 × 0.6;
    # 6: elderly 5, no childcare; 7: 8 of 29 = 27.6% ≥ 25%; 8: 3; 9: QR 2 + 2 kinds 2 − 3 × 0.4 +
    # on-boarding 2 + no resident users 0 + environment 2; 10: 8.
    assert points(result) == {1: 4, 2: 10, 3: 16, 4: 5, 5: 7.2, 6: 5, 7: 6, 8: 3, 9: 6.8, 10: 8}
    assert result["service"]["score"] == 71
    assert (result["grade"], result["final_type"], result["stars"]) == ("pass", "improved", 4)


def test_basic_circle_pass(world, make):
    c = world.circle(population=100)
    codes = [code for code in BASIC if code not in ("housekeeping", "property_service", "recycling")]
    fill_basic(
        c,
        codes,
        chain=5,
        convenience_store={"services": ["parcel_collect", "bill_payment", "print_copy"]},
        breakfast={"delivery": True},
    )
    fill_basic(c, quality_types()[:12])
    c.users(50)
    c.survey([4] * 5, [5] * 5)
    c.need(project=c.project(status="done"), status="done")
    c.events(10)
    c.assess("vegetable_market", to_standard=True)
    c.assess("harmony", level="full")

    result = c.evaluate()
    assert result["presence"]["score"] == 12 * 4 + 12 * 2 == 72 and result["provisional_type"] == "basic"
    # 4: no 24-h store 0 + no breakfast kinds listed 0 + breakfast delivery 1; 5: market 5 + a repair
    # point with no priced item 0; 6: no facilities; 7: 5 of 24 = 20.8% ≥ 20%; 8: 10 events → 6;
    # 9: QR 2 + vending & unmanned store 0.8 + no on-boarding 0 + 50% users 2 + environment 0.
    assert points(result) == {1: 8, 2: 16, 3: 16, 4: 1, 5: 5, 6: 0, 7: 6, 8: 6, 9: 4.8, 10: 8}
    assert result["service"]["score"] == 70.8
    assert (result["grade"], result["final_type"], result["stars"]) == ("pass", "basic", 3)
    assert items(result)[6]["evidence"]["parts"][0]["message"] == "生活圈内及步行范围内无此类设施"


def test_failing_service_not_rated(world):
    c = world.circle(population=100)
    fill_basic(c, BASIC)
    fill_basic(c, QUALITY_20)
    result = c.evaluate()
    assert result["presence"]["score"] == 100 and result["provisional_type"] == "quality"
    # Nothing but QR payment (2) and two terminal kinds (0.8); market, elderly and childcare await staff.
    assert points(result) == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 8: 0, 9: 2.8, 10: 0}
    assert result["grade"] == "fail" and result["final_type"] is None and result["stars"] == 0
    assert result["not_rated_reason"].startswith("好不好评价为不合格")
    part = items(result)[5]["evidence"]["parts"][0]
    assert part["message"] == "待工作人员评定是否达标" and part["outlets"]


def test_survey_sample_too_small(world):
    c = world.circle(population=1000)  # 3% → 30 answers needed
    fill_basic(c, BASIC)
    c.survey([5] * 29, [5] * 29)
    result = c.evaluate()
    survey = items(result)[2]["evidence"]
    assert survey["responses"] == 29 and survey["sample_needed"] == 30 and survey["sample_valid"] is False
    assert survey["satisfied_share"] == 1.0
    assert points(result)[2] == 0 and points(result)[3] == 0
    assert result["presence"]["score"] == 60 and result["provisional_type"] is None
    assert result["not_rated_reason"] == "有没有得分低于 70 分，未达到基础型"


def test_mobile_stalls_and_same_day_services_count_where_they_serve(world):
    from app.repair import service as repair

    c = world.circle(population=100)
    online = c.outlet("breakfast", dx=4000, dy=0, on_site_service=True, service_circle_ids=[c.id])
    far_barber = c.outlet("barber", dx=4000, dy=100, on_site_service=True, service_radius_m=10_000)
    stall = c.outlet("repair", dx=6000, dy=0, mobile=True)
    repair.set_schedule(
        stall, [{"lng": c.at(100, 100)[0], "lat": c.at(100, 100)[1], "hours": {"sun": [["08:00", "11:00"]]}}]
    )
    c.offers(stall, "key_cutting", "shoe_repair")
    home_only = c.outlet("hardware_store", "laundry", dx=0, dy=0, mobile=True)  # no schedule: counts nowhere
    result = c.evaluate()
    basic = result["presence"]["basic"]
    assert basic["evidence"]["breakfast"] == [online.id] and basic["evidence"]["repair"] == [stall.id]
    assert basic["via_mobile_or_online"]["breakfast"][0]["kind"] == "online"
    assert basic["via_mobile_or_online"]["repair"][0]["kind"] == "mobile"
    # Same-day service counts for breakfast and repair only; a stall without a schedule is nowhere.
    assert "barber" in basic["missing"] and far_barber.id not in sum(basic["evidence"].values(), [])
    assert {"hardware_store", "laundry"} <= set(basic["missing"]) and home_only.id
    repair_part = items(result)[5]["evidence"]["parts"][1]
    assert repair_part["kinds"] == {"key_cutting": [stall.id], "shoe_repair": [stall.id]}
    assert repair_part["points"] == 1.4  # 5 − 6 missing kinds × 0.6
    store_part = items(result)[4]["evidence"]["parts"][2]
    assert store_part["name"] == "早餐配送到家" and store_part["outlets"] == [online.id] and store_part["points"] == 1
