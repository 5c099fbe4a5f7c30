"""The rest of a synthetic outlet: address on its circle's streets, phone, opening hours, platforms and
service flags, in proportions the plans' targets talk about (chain ≈ 30%, online ≈ 30%)."""

import random

from app.outlets.hours import parse_hours_text
from app.outlets.search import SELF_SERVICE_TYPES

# Opening hours options per type, in the importer's syntax. Most shops keep daytime hours; breakfast
# opens early, barbecue and KTV run into the night; "24h" types are machines, hotels and some stores.
HOURS = {
    "convenience_store": ["07:00-23:00", "07:30-22:30", "06:30-23:30"],
    "community_supermarket": ["08:00-21:30", "07:30-22:00"],
    "wet_market": ["06:00-18:00", "05:30-12:00"],
    "fresh_grocery": ["06:30-20:30", "07:00-21:00"],
    "breakfast": ["06:00-10:00", "05:30-10:30", "06:00-13:30"],
    "pharmacy": ["08:00-21:00", "08:30-22:00"],
    "barber": ["09:00-21:00", "08:30-20:00"],
    "repair": ["08:00-18:30", "mon-sat 08:30-18:00"],
    "parcel_point": ["08:00-21:00", "08:30-20:00"],
    "bank": ["mon-fri 09:00-17:00; sat,sun 09:30-16:00"],
    "property_service": ["mon-fri 08:30-17:30; sat,sun 09:00-17:00"],
    "mass_restaurant": ["10:30-14:00,17:00-21:30", "10:00-22:00", "11:00-14:00,17:00-22:00"],
    "specialty_restaurant": ["11:00-14:30,17:00-22:00", "17:00-02:00", "11:00-23:00"],
    "fast_food_chain": ["07:00-23:00", "09:00-22:00"],
    "community_canteen": ["10:30-13:30,16:30-18:30"],
    "leisure": ["13:00-02:00", "12:00-24:00"],
    "chess_room": ["09:00-23:00", "13:00-01:00"],
    "cinema": ["09:30-24:00"],
    "performance_venue": ["tue-sun 14:00-22:00"],
    "training": ["mon-fri 15:30-20:30; sat,sun 08:30-18:00"],
    "childcare": ["mon-fri 07:30-18:00"],
    "elderly_care": ["08:00-18:00"],
    "private_clinic": ["08:00-20:00", "mon-sat 08:00-18:00"],
}
DEFAULT_HOURS = ["09:00-21:00", "08:30-20:30", "09:30-21:30", "08:00-20:00", "08:30-19:00"]
ALWAYS_24H = {"vending_machine", "smart_store", "water_dispenser", "hotel"}
SOMETIMES_24H = {"convenience_store": 0.15, "pharmacy": 0.08}
LOCKERS = {"丰巢快递柜"}  # parcel lockers never close

FOOD = {"mass_restaurant", "specialty_restaurant", "fast_food_chain", "tea_coffee", "bakery", "dessert", "breakfast"}
RETAIL = {"convenience_store", "community_supermarket", "fresh_grocery", "pharmacy", "florist", "wet_market"}
SERVICES = {
    "housekeeping",
    "laundry",
    "beauty",
    "fitness",
    "hotel",
    "pet_service",
    "training",
    "wellness",
    "cinema",
    "leisure",
    "barber",
    "kids_play",
    "car_wash",
}
ELDERLY = {
    "pharmacy": 0.6,
    "elderly_care": 0.9,
    "community_canteen": 0.8,
    "private_clinic": 0.6,
    "bank": 0.6,
    "barber": 0.35,
    "wet_market": 0.4,
    "wellness": 0.35,
}
SPEND = {
    "mass_restaurant": (25, 60),
    "specialty_restaurant": (60, 150),
    "fast_food_chain": (25, 40),
    "breakfast": (8, 18),
    "tea_coffee": (15, 35),
    "bakery": (20, 60),
    "dessert": (12, 30),
    "barber": (20, 60),
    "beauty": (80, 300),
    "wellness": (60, 200),
    "convenience_store": (15, 40),
    "community_supermarket": (40, 120),
    "fresh_grocery": (20, 60),
    "pharmacy": (40, 120),
    "cinema": (45, 70),
    "hotel": (150, 300),
    "training": (80, 200),
    "chess_room": (30, 60),
    "leisure": (50, 150),
    "kids_play": (40, 100),
    "laundry": (20, 50),
    "repair": (10, 50),
    "community_canteen": (12, 20),
    "fitness": (40, 100),
}
# Add-on services a convenience store (and some supermarkets) offers, with how often.
ADD_ONS = {
    "convenience_store": {
        "parcel_collect": 0.6,
        "bill_payment": 0.4,
        "top_up": 0.35,
        "hot_food": 0.3,
        "print_copy": 0.2,
        "laundry_booking": 0.15,
        "housekeeping_booking": 0.1,
        "atm": 0.1,
    },
    "community_supermarket": {"parcel_collect": 0.3, "bill_payment": 0.3, "atm": 0.2},
}
PHONES = {
    "miyun": ("010-6904{:04d}", "010-6908{:04d}", "010-6902{:04d}"),
    "zhongwei": ("0955-70{:05d}", "0955-76{:05d}"),
}


def hours(code: str, brand: str | None, rng: random.Random) -> tuple[dict, bool]:
    if code in ALWAYS_24H or brand in LOCKERS or rng.random() < SOMETIMES_24H.get(code, 0):
        return {}, True
    return parse_hours_text(rng.choice(HOURS.get(code, DEFAULT_HOURS)))


def address(spec, community: str, streets: dict, rng: random.Random) -> str:
    """On one of the circle's four streets, or under a residential building (底商) of the community."""
    if streets and rng.random() < 0.75:
        return f"{spec.district}{rng.choice(sorted(set(streets.values())))}{rng.randint(1, 260)}号"
    return f"{spec.district}{community}{rng.randint(1, 36)}号楼底商"


def phone(city: str, code: str, rng: random.Random) -> str | None:
    if code in ("vending_machine", "water_dispenser"):
        return None
    if rng.random() < 0.3:
        return f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}"
    return rng.choice(PHONES[city]).format(rng.randint(0, 99_999 if city == "zhongwei" else 9_999))


def _online(code: str, chain: bool, rng: random.Random) -> list[str]:
    share = 0.42 if code in FOOD else 0.32 if code in RETAIL else 0.25 if code in SERVICES else 0.06
    if rng.random() >= share + (0.2 if chain else 0.0):
        return []
    options = (
        ["meituan", "eleme"]
        if code in FOOD
        else ["meituan", "jd_daojia", "eleme"]
        if code in RETAIL
        else ["dianping", "meituan", "douyin"]
    )
    chosen = rng.sample(options, rng.randint(1, len(options)))
    return chosen + (["wechat_mini"] if rng.random() < 0.3 else [])


def outlet_attributes(
    spec, types: list[str], brand: str | None, community: str, streets: dict, rng: random.Random
) -> dict:
    code = types[0]
    weekly, open_24h = hours(code, brand, rng)
    platforms = _online(code, brand is not None, rng)
    sells = code in FOOD or code in RETAIL
    spend = SPEND.get(code)
    machine = code in ("vending_machine", "smart_store")
    return {
        "address": address(spec, community, streets, rng),
        "phone": phone(spec.city, code, rng),
        "hours": weekly,
        "open_24h": open_24h,
        "closed_on_holidays": code in ("bank", "property_service", "childcare") and rng.random() < 0.5,
        "online": bool(platforms),
        "online_platforms": platforms,
        "delivery": sells and rng.random() < (0.85 if platforms else 0.1),
        "qr_payment": machine or rng.random() < 0.93,
        "accepts_cash": rng.random() < (0.3 if machine else 0.96),
        "elderly_friendly": rng.random() < ELDERLY.get(code, 0.15),
        "face_to_face": code not in SELF_SERVICE_TYPES,  # nobody serves there (the elderly-friendly filter)
        "services": [s for s, p in ADD_ONS.get(code, {}).items() if rng.random() < p],
        "avg_spend": None if spend is None else round(rng.uniform(*spend)),
    }
