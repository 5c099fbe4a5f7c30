"""Reads the plans' tables (copied into data/ from the seeds) into plain specs for the loader.

The figures (names, communities, population, types, years, 四至, gap lists) are the plans' own; nothing
here is invented except what a note in the circle's profile says was derived.
"""

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from app.circles.service import circle_type_code

DATA = Path(__file__).parent / "data"

# The Zhongwei gap table's words → business type codes (matched as prefixes of each listed item, so
# "再生资源回收网点", "洗染店" and "维修点" all match). 金融服务 in the basic column means bank branches.
BASIC_WORDS = {
    "综合超市": "community_supermarket",
    "菜市场": "wet_market",
    "生鲜超市": "fresh_grocery",
    "再生资源回收": "recycling",
    "洗染": "laundry",
    "家政服务": "housekeeping",
    "早餐": "breakfast",
    "维修": "repair",
    "照相文印": "photo_print",
    "便利店": "convenience_store",
    "药店": "pharmacy",
    "美容美发": "barber",
    "邮政快递": "parcel_point",
    "金融服务": "bank",
}
QUALITY_WORDS = {
    "书店": "bookstore",
    "运动健身": "fitness",
    "托育": "childcare",
    "教育培训": "training",
    "养老": "elderly_care",
    "保健养生": "wellness",
    "烘焙": "bakery",
    "休闲娱乐": "leisure",
    "金融服务": "finance_insurance",
}


@dataclass(frozen=True)
class Shortage:
    missing: frozenset[str] = frozenset()  # basic types the community has none of (缺少)
    few: frozenset[str] = frozenset()  # basic types it has few of (业态少): the demo gives exactly one
    missing_quality: frozenset[str] = frozenset()


@dataclass
class CircleSpec:
    city: str  # "miyun" | "zhongwei"
    no: int
    name: str
    circle_type: str | None
    population: int
    planned_year: int
    district: str
    street: str | None
    four_bounds: str | None
    communities: list[str]
    profile: dict = field(default_factory=dict)
    sparse: bool = False  # the plan says the surroundings have few facilities

    @property
    def external_id(self) -> str:
        return f"demo-{self.city}-{self.no:02d}"


def _rows(name):
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def split_communities(text: str, expected: int | None = None) -> list[str]:
    """ "檀城东区、檀城西区、白檀" → three names. The Miyun table once drops a 、 between two names
    ("果园新里北区社区季庄社区" with a count of 3); the count tells us to split after each 社区."""
    parts = [p.strip() for p in re.split(r"[、，,]", text) if p.strip()]
    if expected and len(parts) < expected:
        parts = [piece for p in parts for piece in re.findall(r".+?社区|.+$", p)]
    if expected and len(parts) != expected:
        raise ValueError(f"社区数与名单不符：{text}（应为 {expected} 个）")
    return parts


def _miyun(row) -> CircleSpec:
    descriptive = (
        "division",
        "people_profile",
        "business_completeness",
        "community_profile",
        "location_resources",
        "openness",
        "synergy",
    )
    names = split_communities(row["communities"], int(row["community_count"]))
    profile = {key: row[key] for key in descriptive}
    profile |= {"plan_no": int(row["no"]), "communities_text": row["communities"]}
    return CircleSpec(
        city="miyun",
        no=int(row["no"]),
        name=row["name"],
        circle_type=circle_type_code(row["circle_type"]),
        population=round(float(row["population_10k"]) * 10000),
        planned_year=int(row["planned_year"].rstrip("年")),
        district="密云区",
        street=row["street"],
        four_bounds=None,
        communities=names,
        profile=profile,
        sparse="少" in row["location_resources"],  # "周边生活服务设施少" / "……较少"
    )


def _zhongwei_type(row) -> tuple[str, str]:
    """The Zhongwei plan gives no circle types; derive one so the type-based rules have something to
    check, and say why in the profile."""
    if "商圈" in row["existing_businesses"]:
        return "commercial", "现状描述以购物中心/商业体为核心形成商圈 → 商业文化生活圈"
    if row["build_mode"] == "新建":
        return "new_residential", "建设方式为新建 → 新兴住宅生活圈"
    return "old_town", "建设方式为改造提升 → 老城区住宅生活圈"


def _zhongwei(row) -> CircleSpec:
    no = int(row["no"])
    circle_type, basis = _zhongwei_type(row)
    profile = {key: row[key] for key in ("division", "existing_businesses", "suggested_additions", "build_mode")}
    profile |= {
        "plan_no": no,
        "circle_type_derived": True,
        "circle_type_basis": f"演示推断（方案未分类型）：{basis}",
        # Seed 003: 2024 builds 5 circles (6 communities), 2025 the other 19 (27); the first five rows are
        # exactly 5 circles with 6 communities, so they are taken as the 2024 pilots.
        "planned_year_basis": "演示推断：方案 2024 年建设 5 个生活圈（6 个社区），取表中前 5 个",
    }
    return CircleSpec(
        city="zhongwei",
        no=no,
        name=row["name"],
        circle_type=circle_type,
        population=int(row["population"]),
        planned_year=2024 if no <= 5 else 2025,
        district="沙坡头区",
        street=None,
        four_bounds=row["boundary"],
        communities=split_communities(row["communities"]),
        profile=profile,
    )


@cache
def circle_specs() -> tuple[CircleSpec, ...]:
    miyun = [_miyun(row) for row in _rows("miyun_circles.csv")]
    return tuple(miyun + [_zhongwei(row) for row in _rows("zhongwei_circles.csv")])


def _codes(items, words: dict) -> set[str]:
    codes = set()
    for item in items:
        code = next((c for word, c in words.items() if item.startswith(word)), None)
        if code is None:
            raise ValueError(f"无法识别的业态：{item}")
        codes.add(code)
    return codes


def _items(text: str) -> list[str]:
    text = re.sub(r"(等|类)?业态(少)?$", "", text.strip("。 "))
    return [item for item in text.split("、") if item and item != "——"]


def parse_shortage(basic: str, quality: str) -> Shortage:
    """ "早餐、维修、照相文印业态少，缺少家政服务、再生资源回收业态" → few {breakfast, repair, photo_print},
    missing {housekeeping, recycling}. A clause without 缺少/少 lists what is missing (瑞丰社区's row)."""
    missing, few = set(), set()
    for clause in filter(None, (c.strip("。 ") for c in basic.split("，"))):
        if clause.startswith("缺少"):
            missing |= _codes(_items(clause[2:]), BASIC_WORDS)
        elif clause.endswith("少"):
            few |= _codes(_items(clause), BASIC_WORDS)
        else:
            missing |= _codes(_items(clause), BASIC_WORDS)
    return Shortage(frozenset(missing), frozenset(few - missing), frozenset(_codes(_items(quality), QUALITY_WORDS)))


@cache
def shortages() -> dict[str, Shortage]:
    """Zhongwei community name → its gaps."""
    return {
        r["community"]: parse_shortage(r["basic_shortage"], r["quality_shortage"])
        for r in _rows("zhongwei_community_shortages.csv")
    }
