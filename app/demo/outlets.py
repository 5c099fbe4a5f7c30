"""Synthetic outlets for one circle: how many (by population; sparse where the plan says facilities are
few), which types (realistic frequencies; Zhongwei communities lack exactly what the gap table lists),
and plausible names, addresses, phones, hours and service flags."""

import random
from dataclasses import dataclass

from app.demo import catalog
from app.demo.attributes import outlet_attributes
from app.demo.sources import Shortage
from app.taxonomy.registry import taxonomy

SPARSE_FACTOR = 0.45  # "周边生活服务设施少": under half the usual density
QUALITY_FACTOR = {"commercial": 1.4, "new_residential": 1.1, "urban_rural": 0.7}  # quality types by circle type
COMBO_SHARE = 0.15  # outlets that also provide a second type (一店多能)
# A newly built area (Zhongwei's 新建 circles) has the everyday quality types first; theatres, bookstores,
# gyms and the like come later. Where a new-build circle has no neighbours, its 有没有 score shows it.
NEW_BUILD_QUALITY = frozenset(
    "specialty_restaurant fast_food_chain tea_coffee bakery dessert beauty training apparel wellness pet_service"
    " childcare baby_kids".split()
)


@dataclass
class Place:
    """One community as the generator sees it."""

    name: str
    population: int
    points: callable  # n → n (lng, lat) WGS-84 points inside the community
    shortage: Shortage | None = None

    @property
    def short(self) -> str:
        return self.name.removesuffix("社区") if len(self.name) > 3 else self.name


def _weights(spec) -> dict[str, float]:
    tiers = {t.code: t.tier for t in taxonomy().business_types}
    factor = QUALITY_FACTOR.get(spec.circle_type, 1.0)
    new_build = spec.profile.get("build_mode") == "新建"
    return {
        code: w * (factor if tiers[code] == "quality" else 1.0)
        for code, w in catalog.TYPE_WEIGHTS.items()
        if catalog.CITY_ONLY.get(code, spec.city) == spec.city
        and not (new_build and tiers[code] == "quality" and code not in NEW_BUILD_QUALITY)
    }


def outlet_count(spec, per_10k: float, rng: random.Random) -> int:
    density = per_10k * (SPARSE_FACTOR if spec.sparse else 1.0) * rng.uniform(0.9, 1.1)
    return max(1, round(spec.population / 10_000 * density))


def community_types(place: Place, n: int, weights: dict, rng: random.Random) -> list[list[str]]:
    """Types of each outlet in a community. With a gap row: one outlet for every basic type not listed
    missing (exactly one for a type listed as few), then draws that never add a listed type."""
    shortage = place.shortage
    outlets: list[list[str]] = []
    forbidden: set[str] = set()
    if shortage is not None:
        basic = sorted(t.code for t in taxonomy().business_types if t.tier == "basic")
        outlets = [[code] for code in basic if code not in shortage.missing]
        forbidden = set(shortage.missing | shortage.few | shortage.missing_quality)
    pool = {code: w for code, w in weights.items() if code not in forbidden}
    codes, cum = list(pool), list(pool.values())
    outlets += [[code] for code in rng.choices(codes, weights=cum, k=max(0, n - len(outlets)))]
    for types in outlets:
        extra = [t for t in catalog.COMBOS.get(types[0], []) if t not in forbidden and t in weights]
        if extra and rng.random() < COMBO_SHARE:
            types.append(rng.choice(extra))
    rng.shuffle(outlets)
    return outlets


def _brands(city: str, code: str) -> list[tuple[str, str | None]]:
    return [(name, kind) for name, kind, only in catalog.BRANDS.get(code, []) if only in (None, city)]


def shop_name(city: str, code: str, place: str, rng: random.Random) -> tuple[str, str | None, str | None]:
    """(name, brand, quality_brand kind): a chain branch "好邻居便利店（檀城东区店）" or an independent shop."""
    brands = _brands(city, code)
    share = catalog.CHAIN_SHARE.get(code, catalog.DEFAULT_CHAIN_SHARE) if brands else 0.0
    if rng.random() < share:
        brand, kind = rng.choice(brands)
        return f"{brand}（{place}店）", brand, kind
    patterns = catalog.NAMES[code].split("|") + catalog.CITY_NAMES.get(city, {}).get(code, "").split("|")
    pattern = rng.choice([p for p in patterns if p])
    name = pattern.format(s=rng.choice(catalog.SURNAMES), l=rng.choice(catalog.LUCKY), p=place)
    return name, None, None


def circle_outlets(spec, places: list[Place], streets: dict, per_10k: float, rng: random.Random) -> list[dict]:
    """Insert-ready rows (Outlet columns plus lng/lat) for a circle's communities."""
    weights = _weights(spec)
    total = outlet_count(spec, per_10k, rng)
    rows = []
    for place in places:
        n = round(total * place.population / spec.population)
        kinds = community_types(place, n, weights, rng)
        for (lng, lat), types in zip(place.points(len(kinds)), kinds, strict=True):
            name, brand, kind = shop_name(spec.city, types[0], place.short, rng)
            row = {
                "external_id": f"{spec.external_id}-{len(rows) + 1:04d}",
                "name": name,
                "types": types,
                "lng": lng,
                "lat": lat,
                "chain": brand is not None,
                "brand": brand,
                "quality_brand": kind,
            }
            row |= outlet_attributes(spec, types, brand, place.name, streets, rng)
            rows.append(row)
    return rows
