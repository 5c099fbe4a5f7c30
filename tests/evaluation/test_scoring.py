"""The scoring rules on hand-built snapshots: every item's points worked out from the tables by hand."""

from datetime import date

import pytest

from app.evaluation.grading import evaluate, final_of, grade_of
from app.evaluation.presence import provisional_type, quality_types
from app.evaluation.profiles import get_profile, scoring_profiles
from app.evaluation.snapshot import Assessment, CircleSnapshot

BASIC = get_profile("mofcom-2023").presence["basic_types"]


@pytest.fixture(scope="module")
def profile():
    return get_profile("mofcom-2023")


def staff(item, **value):
    return Assessment(item, value, "现场检查", date(2025, 5, 1), 7, 1)


def full_snapshot(**changes) -> CircleSnapshot:
    """Everything in place: 100 presence points and 98 service points (see test_excellent_quality_circle)."""
    ids = iter(range(1, 1000))
    s = CircleSnapshot(circle_id=1, city_tier="tier1", population=10_000, year=2025, at=date(2025, 6, 1))
    s.present = {code: [next(ids)] for code in BASIC + quality_types()[:19] + ["childcare"]}
    s.outlets_total, s.chain_count, s.online_count, s.quality_brand_count = 100, 35, 40, 20
    s.consumption_places, s.qr_payment_places = 100, 95
    s.stores, s.stores_24h = [1, 2, 3], [1, 2]
    s.store_add_ons = {k: [1] for k in ("parcel_collect", "bill_payment", "print_copy", "top_up")}
    s.store_add_ons |= {k: [2] for k in ("housekeeping_booking", "laundry_booking", "atm")}
    s.breakfast_items = {f"breakfast_{k}": [5] for k in ("baozi", "youtiao", "mantou", "jianbing")}
    s.breakfast_items |= {f"breakfast_{k}": [6] for k in ("doujiang", "porridge", "eggs", "doufunao")}
    s.breakfast_delivery, s.retail_delivery = [5], [1]
    s.repair_kinds = {k: [9] for k in ("key_cutting", "lock_opening", "shoe_repair", "watch_repair")}
    s.repair_kinds |= {k: [10] for k in ("bike_repair", "phone_repair", "appliance_repair", "tailoring")}
    s.terminals = {"parcel_locker": [20], "vending": [21], "water": [22], "bank_self_service": [23]}
    s.onboarded_outlets, s.resident_users = 75, 5000
    s.demand = {"needs": 5, "accepted": 3, "linked": 2, "projects": 2, "projects_done": 2, "satisfied": 1}
    s.survey = {
        "period": None,
        "responses": 300,
        "population": 10_000,
        "type_satisfied_share": 0.92,
        "service_satisfied_share": 0.95,
    }
    s.events = 7
    s.assessments = {
        "vegetable_market": staff(
            "vegetable_market", to_standard=True, area_sufficient=True, missing_services=["consumer_complaints"]
        ),
        "elderly_care": staff("elderly_care", to_standard=True, area_sufficient=False, missing_services=[]),
        "childcare": staff("childcare", to_standard=True, area_sufficient=True, missing_services=[]),
        "smart_environment": staff("smart_environment", meets=True),
        "harmony": staff("harmony", level="full"),
    }
    for key, value in changes.items():
        setattr(s, key, value)
    return s


def points(result) -> dict[int, float]:
    return {item["no"]: item["points"] for item in result["service"]["items"]}


def test_excellent_quality_circle(profile):
    result = evaluate(full_snapshot(), profile)
    assert result["presence"]["basic"]["score"] == 60 and result["presence"]["quality"]["score"] == 40
    assert result["presence"]["score"] == 100 and result["provisional_type"] == "quality"
    # 1: lists 4 + all projects done 4; 2: 92% → 16; 3: 95% → 16; 4: 7 add-on kinds & two 24-h stores 4 +
    # 8 breakfast kinds 4 + delivering breakfast 1 + delivering retail 1; 5: market 5 − 0.6 (one service
    # missing) + 8 repair kinds 5; 6: elderly 5 − 1 (area short) + childcare 5; 7: 35% ≥ 30% (tier 1) → 6;
    # 8: 7 events, at most 6; 9: QR 95% → 2, 4 terminal kinds 2 − 0.4, on-boarding 75% → 2, usage 50% → 2,
    # environment 2; 10: harmony full 8.
    assert points(result) == {1: 8, 2: 16, 3: 16, 4: 10, 5: 9.4, 6: 9, 7: 6, 8: 6, 9: 9.6, 10: 8}
    assert result["service"]["score"] == 98
    assert (result["grade"], result["final_type"], result["stars"], result["not_rated_reason"]) == (
        "excellent",
        "quality",
        5,
        None,
    )
    items = {i["no"]: i for i in result["service"]["items"]}
    assert items[5]["source"] == "staff" and items[7]["source"] == "computed" and items[10]["source"] == "staff"
    assert items[2]["evidence"]["sample_needed"] == 300 and items[2]["evidence"]["sample_valid"] is True
    assert items[9]["evidence"]["parts"][1]["points"] == 1.6


def test_improved_circle_good_grade(profile):
    present = {code: [1] for code in BASIC[:13] + quality_types()[:16]}  # 13 × 4 + 16 × 2 = 84
    s = full_snapshot(present=present, events=2, assessments={})
    s.survey = {**s.survey, "type_satisfied_share": 0.85}
    result = evaluate(s, profile)
    assert result["presence"]["score"] == 84 and result["provisional_type"] == "improved"
    assert result["presence"]["basic"]["missing"] == BASIC[13:]
    # No staff assessments: market 0 (awaiting), repair 5; elderly/childcare 0 (awaiting);
    # environment 0; harmony 0. Type satisfaction 85% → 10.
    assert points(result) == {1: 8, 2: 10, 3: 16, 4: 10, 5: 5, 6: 0, 7: 6, 8: 2, 9: 7.6, 10: 0}
    assert result["service"]["score"] == 64.6 and result["grade"] == "fail"
    assert result["final_type"] is None and result["stars"] == 0
    assert "不合格" in result["not_rated_reason"]
    s.assessments = full_snapshot().assessments
    result = evaluate(s, profile)
    # Market 4.4 and elderly care 4 (no childcare outlet among these 16 quality types), environment 2, harmony 8.
    assert result["service"]["score"] == 83
    assert (result["grade"], result["final_type"], result["stars"]) == ("good", "improved", 4)


def test_basic_circle_pass_grade(profile):
    present = {code: [1] for code in BASIC[:12] + quality_types()[:12]}  # 48 + 24 = 72
    s = full_snapshot(present=present, city_tier="other", chain_count=19, events=3)
    s.store_add_ons = {k: [1] for k in ("parcel_collect", "bill_payment", "print_copy", "top_up", "atm")}
    s.stores_24h = [1]
    s.breakfast_items = {f"breakfast_{k}": [5] for k in ("baozi", "youtiao", "mantou", "jianbing", "doujiang")}
    s.breakfast_delivery = []
    s.repair_kinds = {k: [9] for k in ("key_cutting", "lock_opening", "shoe_repair")}  # 5 − 5 × 0.6 = 2
    result = evaluate(s, profile)
    assert result["presence"]["score"] == 72 and result["provisional_type"] == "basic"
    # 4: 5 kinds & one 24-h store 2 + 5 breakfast kinds 2 + no breakfast delivery 0 + retail 1;
    # 6: neither elderly care nor childcare among these types → 0; 7: 19% < 20% (other cities) → 0.
    assert points(result) == {1: 8, 2: 16, 3: 16, 4: 5, 5: 6.4, 6: 0, 7: 0, 8: 3, 9: 9.6, 10: 8}
    assert result["service"]["score"] == 72
    assert (result["grade"], result["final_type"], result["stars"]) == ("pass", "basic", 3)


def test_failing_service_is_not_rated(profile):
    s = full_snapshot(demand=None, survey=None, events=None, assessments={}, repair_kinds=None)
    result = evaluate(s, profile)
    assert result["provisional_type"] == "quality"
    assert points(result) == {1: 0, 2: 0, 3: 0, 4: 10, 5: 0, 6: 0, 7: 6, 8: 0, 9: 7.6, 10: 0}
    assert result["grade"] == "fail" and result["final_type"] is None and result["stars"] == 0
    assert result["not_rated_reason"] == "好不好评价为不合格（低于 70 分），不予定型"
    items = {i["no"]: i for i in result["service"]["items"]}
    assert items[1]["evidence"]["data"] == "no_data" and items[8]["evidence"]["data"] == "no_data"


def test_too_small_survey_sample_scores_nothing(profile):
    s = full_snapshot()
    s.survey = {**s.survey, "responses": 299}  # 3% of 10 000 is 300
    result = evaluate(s, profile)
    items = {i["no"]: i for i in result["service"]["items"]}
    assert items[2]["points"] == 0 and items[3]["points"] == 0
    assert items[2]["evidence"]["sample_valid"] is False and items[2]["evidence"]["sample_needed"] == 300
    assert result["service"]["score"] == 98 - 32 and result["grade"] == "fail"


def test_sample_rule_rounds_up_without_float_noise(profile):
    # 3% of 100 is 3.0000000000000004 in floating point: 3 answers must be enough.
    s = full_snapshot(population=100)
    s.survey = {**s.survey, "responses": 3, "population": 100}
    items = {i["no"]: i for i in evaluate(s, profile)["service"]["items"]}
    assert items[2]["evidence"]["sample_needed"] == 3 and items[2]["points"] == 16
    s.survey = {**s.survey, "responses": 2}
    assert {i["no"]: i for i in evaluate(s, profile)["service"]["items"]}[2]["points"] == 0


def test_satisfaction_tiers(profile):
    for share, expected in ((0.9, 16), (0.8999, 10), (0.8, 10), (0.7999, 0), (None, 0)):
        s = full_snapshot()
        s.survey = {**s.survey, "type_satisfied_share": share}
        assert points(evaluate(s, profile))[2] == expected, share


def test_thresholds(profile):
    assert [provisional_type(s, profile) for s in (100, 90, 89.9, 80, 79, 70, 69.9)] == [
        "quality",
        "quality",
        "improved",
        "improved",
        "basic",
        "basic",
        None,
    ]
    assert [grade_of(s, profile) for s in (90, 89.9, 80, 79.9, 70, 69.9)] == [
        "excellent",
        "good",
        "good",
        "pass",
        "pass",
        "fail",
    ]
    assert final_of("improved", "pass", profile) == ("improved", 4, None)
    assert final_of(None, "excellent", profile)[0:2] == (None, 0)


def test_mobile_and_online_providers(profile):
    present = {code: [1] for code in BASIC if code not in ("breakfast", "repair", "barber")}
    s = full_snapshot(present=present)
    s.remote = {
        "breakfast": [{"outlet_id": 50, "kind": "online", "note": ""}],
        "repair": [{"outlet_id": 51, "kind": "mobile", "note": ""}],
        "barber": [{"outlet_id": 52, "kind": "online", "note": ""}],  # online does not count for barbers
    }
    basic = evaluate(s, profile)["presence"]["basic"]
    assert "breakfast" in basic["present"] and basic["evidence"]["breakfast"] == [50]
    assert "repair" in basic["present"] and basic["evidence"]["repair"] == [51]
    assert basic["missing"] == ["barber"] and basic["score"] == 56


def test_chain_threshold_depends_on_city_tier(profile):
    for tier, expected in (("tier1", 0), ("tier2", 6), ("other", 6)):
        s = full_snapshot(city_tier=tier, chain_count=25)
        assert points(evaluate(s, profile))[7] == expected, tier


def test_facility_deductions_never_go_below_zero(profile):
    s = full_snapshot()
    s.assessments["vegetable_market"] = staff(
        "vegetable_market",
        to_standard=True,
        area_sufficient=False,
        missing_services=["food_safety_testing", "public_scale", "price_display", "hygiene", "consumer_complaints"],
    )
    s.repair_kinds = {}
    s.assessments["elderly_care"] = staff(
        "elderly_care",
        to_standard=True,
        area_sufficient=False,
        missing_services=["meals", "cleaning", "bathing", "medical", "emergency", "companionship", "cash_payment"],
    )
    items = {i["no"]: i for i in evaluate(s, profile)["service"]["items"]}
    assert items[5]["points"] == 1  # market 5 − 1 − 5 × 0.6 = 1; no repair kind at all: 0
    assert items[6]["evidence"]["parts"][0]["points"] == 0  # 5 − 1 − 7 × 0.6 < 0
    assert items[6]["points"] == 5
    s.repair_kinds = None
    s.assessments["vegetable_market"] = staff("vegetable_market", to_standard=True, missing_services=["hygiene"])
    item5 = {i["no"]: i for i in evaluate(s, profile)["service"]["items"]}[5]
    assert item5["points"] == 4.4 and item5["evidence"]["parts"][1]["data"] == "no_data"


def test_profiles_are_versioned_data():
    profile = scoring_profiles()["mofcom-2023"]
    assert profile.version == 1 and profile.tag.startswith("mofcom-2023@1:")
    assert len(profile.presence["basic_types"]) == 15
    assert sum(profile.service[k]["max"] for k in profile.service) == 100
