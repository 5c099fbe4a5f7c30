"""What the live evaluation reads from outlets.services, added to the generated outlet rows: the kinds a
breakfast shop serves (by what its name says it is), more add-on services of convenience stores, and
the smart terminals residential compounds have (parcel lockers, recycling boxes, water refill).

A separate random stream per circle, so the outlets themselves (types, places, names) stay as they were.
"""

import random

# Breakfast kinds (codes of the scoring profile's breakfast_items) by a word of the shop's name; the
# first matching word wins, shops whose name says nothing get the town's usual spread.
MENUS = [
    ("庆丰", "baozi chaogan porridge eggs doujiang huntun"),
    ("护国寺", "doufunao shaobing youtiao doujiang porridge bing"),
    ("嘉和一品", "porridge baozi mantou eggs milk noodles"),
    ("炒肝", "chaogan baozi porridge eggs"),
    ("包子", "baozi porridge eggs doujiang mantou"),
    ("豆腐脑", "doufunao youtiao shaobing eggs"),
    ("油条", "youtiao doujiang doufunao bing eggs"),
    ("羊杂碎", "soup bing shaobing eggs"),
    ("蒿子面", "noodles eggs soup"),
    ("清真", "noodles bing soup porridge eggs milk youtiao"),
    ("早餐车", "jianbing doujiang eggs milk"),
    ("便利", "baozi eggs milk doujiang"),  # a convenience store with a breakfast counter
]
TOWN_MENU = {
    "miyun": "baozi youtiao doujiang porridge doufunao eggs jianbing huntun chaogan mantou",
    "zhongwei": "soup noodles bing youtiao porridge baozi eggs milk huntun jiaozi",
}
RESTAURANT_MENU = "baozi porridge noodles huntun jiaozi eggs"  # a restaurant that also opens for breakfast
# Add-on services convenience stores offer besides those attributes.ADD_ONS draws (代发快递, 充电宝 …).
EXTRA_ADD_ONS = {
    "parcel_send": 0.3,
    "phone_charging": 0.3,
    "lottery": 0.12,
    "medicine": 0.08,
    "ticketing": 0.05,
    "key_cutting": 0.04,
}
# Smart terminals a property office runs in its compound (智能快件箱, 智能回收箱, 自助取水).
COMPOUND_TERMINALS = {"parcel_locker": 0.5, "smart_recycling": 0.3, "water_refill": 0.2}
RECYCLING_SMART = 0.3  # recycling points with a 24-hour smart recycling box


def breakfast_items(name: str, types: list[str], city: str, rng: random.Random) -> list[str]:
    menu = next((kinds for word, kinds in MENUS if word in name), None)
    if menu is None:
        menu = TOWN_MENU[city] if types[0] == "breakfast" else RESTAURANT_MENU
    kinds = menu.split()
    kept = [kind for kind in kinds if rng.random() < 0.8] or kinds[:2]
    return [f"breakfast_{kind}" for kind in kept]


def add_services(rows: list[dict], city: str, rng: random.Random) -> None:
    """Adds breakfast kinds, add-ons and terminals to the rows' `services` (in place)."""
    for row in rows:
        types, services = row["types"], list(row["services"])
        if "breakfast" in types:
            services += breakfast_items(row["name"], types, city, rng)
        if "convenience_store" in types:
            services += [code for code, p in EXTRA_ADD_ONS.items() if rng.random() < p]
        if "property_service" in types:
            services += [code for code, p in COMPOUND_TERMINALS.items() if rng.random() < p]
        if "recycling" in types and rng.random() < RECYCLING_SMART:
            services.append("smart_recycling")
        row["services"] = list(dict.fromkeys(services))
