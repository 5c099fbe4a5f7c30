"""小修小补 for the demo: priced service items (明码标价) of every repair outlet, by what its name says it
does, and a few mobile stalls (流动摊点) with weekly schedules in several communities."""

import random

from app.demo import catalog
from app.outlets.hours import parse_hours_text

# code: (lowest price range, highest price or None for a single price, unit, note)
PRICES = {
    "key_cutting": ((5, 8), 15, "把", "普通钥匙；防盗门钥匙另议"),
    "lock_opening": ((50, 80), 150, "次", "需出示身份证件"),
    "shoe_repair": ((10, 15), 60, "双", "钉掌、换跟、补面"),
    "watch_repair": ((15, 20), 80, "块", "换电池 15 元起"),
    "bike_repair": ((5, 8), 50, "次", "补胎 5 元起，配件另计"),
    "phone_repair": ((60, 120), 680, "部", "换屏价格按机型"),
    "appliance_repair": ((30, 50), 260, "台", "上门检测费 30 元，材料另计"),
    "tailoring": ((10, 12), 50, "件", "改裤脚 10 元"),
    "bag_repair": ((20, 30), 90, "个", None),
    "umbrella_repair": ((5, 8), None, "把", None),
    "knife_sharpening": ((5, 8), None, "把", None),
    "glasses_repair": ((5, 10), 30, "副", "换鼻托、紧螺丝"),
    "furniture_repair": ((50, 80), 300, "次", "上门服务，材料另计"),
    "plumbing": ((50, 60), 180, "次", "上门服务，材料另计"),
}
# What a repair outlet offers, by a word of its name (first match), or by its first type.
BY_NAME = [
    ("修鞋配钥匙", "key_cutting shoe_repair bag_repair umbrella_repair knife_sharpening lock_opening"),
    ("便民维修", "key_cutting shoe_repair umbrella_repair tailoring watch_repair glasses_repair knife_sharpening"),
    ("家电", "appliance_repair plumbing furniture_repair"),
    ("手机", "phone_repair watch_repair glasses_repair"),
    ("修车", "bike_repair"),
    ("缝纫", "tailoring bag_repair"),
    ("流动", "key_cutting shoe_repair knife_sharpening umbrella_repair"),
]
BY_TYPE = {
    "hardware_store": "key_cutting lock_opening plumbing furniture_repair knife_sharpening",
    "laundry": "tailoring bag_repair shoe_repair",
}
DEFAULT_KINDS = "key_cutting shoe_repair umbrella_repair"
STALLS_PER_CITY = 3
STALL_KINDS = ["{s}师傅流动修鞋摊", "{s}师傅磨刀配钥匙", "{s}师傅流动修车摊"]
STALL_TIMES = ["08:00-11:30", "15:00-18:30", "09:00-12:00"]


def _price(code: str, rng: random.Random) -> dict:
    (low, top), high, unit, note = PRICES[code]
    price_min = rng.randint(low, top)
    price_max = None if high is None else max(price_min + 5, round(high * rng.uniform(0.8, 1.0)))
    return {"code": code, "price_min": price_min, "price_max": price_max, "unit": unit, "note": note}


def offers_for(name: str, types: list[str], rng: random.Random) -> list[dict]:
    """The priced items of one repair outlet: most of what its trade does, at least one."""
    kinds = next((k for word, k in BY_NAME if word in name), None) or BY_TYPE.get(types[0], DEFAULT_KINDS)
    codes = kinds.split()
    kept = [code for code in codes if rng.random() < 0.85] or codes[:1]
    return [_price(code, rng) for code in kept]


def repair_offers(rows: list[dict], rng: random.Random) -> dict[str, list[dict]]:
    """external_id → price list, for every outlet row with the repair type."""
    return {row["external_id"]: offers_for(row["name"], row["types"], rng) for row in rows if "repair" in row["types"]}


def mobile_stalls(city: str, circles: list[list[dict]], rng: random.Random) -> list[tuple[dict, list[dict]]]:
    """A few stalls, each (outlet row, schedule slots): at home in one circle, on set weekdays in two or
    three communities of it and of another circle. `circles`: each circle's generated outlet rows."""
    stalls = []
    for k in range(STALLS_PER_CITY):
        home, away = rng.sample([rows for rows in circles if rows], 2)
        places = rng.sample(home, 2) + rng.sample(away, rng.randint(0, 1))
        days = rng.sample(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], len(places) * 2)
        slots = []
        for i, place in enumerate(places):
            hours, _ = parse_hours_text(f"{days[2 * i]},{days[2 * i + 1]} {rng.choice(STALL_TIMES)}")
            slots.append(
                {
                    "lng": place["lng"] + rng.uniform(-2e-4, 2e-4),
                    "lat": place["lat"] + rng.uniform(-2e-4, 2e-4),
                    "address": f"{place['address']}门前空地",
                    "hours": hours,
                }
            )
        name = STALL_KINDS[k % len(STALL_KINDS)].format(s=rng.choice(catalog.SURNAMES))
        row = {
            "external_id": f"demo-{city}-stall-{k + 1:02d}",
            "name": name,
            "types": ["repair"],
            "lng": slots[0]["lng"],
            "lat": slots[0]["lat"],
            "chain": False,
            "brand": None,
            "quality_brand": None,
            "address": "流动摊点，按出摊时间在所列地点",
            "phone": f"1{rng.choice('358')}{rng.randint(0, 999_999_999):09d}",
            "hours": {},
            "open_24h": False,
            "closed_on_holidays": False,
            "online": False,
            "online_platforms": [],
            "delivery": False,
            "qr_payment": True,
            "accepts_cash": True,
            "elderly_friendly": True,
            "face_to_face": True,  # a person at the stall (the demo's outlets all say it since df3193e)
            "services": [],
            "avg_spend": None,
            "mobile": True,
        }
        stalls.append((row, slots))
    return stalls
