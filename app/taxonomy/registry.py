"""Loads the taxonomy and standards data files once per process; read-only afterwards."""

import csv
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class BusinessType:
    code: str
    name_zh: str
    tier: str  # basic | quality | feature
    group: str | None
    level: str  # community | circle: where the standard counts it
    walk_minutes: int
    radius_m: int
    serves_people: str
    six_ones: str | None
    notes: str


@dataclass(frozen=True)
class RepairService:
    code: str
    name_zh: str


@dataclass(frozen=True)
class StandardsProfile:
    code: str
    name_zh: str
    source: str
    rules: dict = field(hash=False)  # type code -> {"radius_m", "per_community", "per_people", "per_circle", ...}
    elderly: dict = field(hash=False)
    quality: dict = field(hash=False)
    note: str = ""


@dataclass(frozen=True)
class Taxonomy:
    business_types: tuple[BusinessType, ...]
    repair_services: tuple[RepairService, ...]
    standards: dict

    # Computed once per taxonomy (cached_property writes the instance's __dict__, which a frozen dataclass
    # allows): looking a type up is a dict lookup, not a hash of the whole tuple (hot in the evaluation).
    @cached_property
    def type_codes(self) -> frozenset[str]:
        return frozenset(t.code for t in self.business_types)

    @cached_property
    def repair_codes(self) -> frozenset[str]:
        return frozenset(s.code for s in self.repair_services)

    @cached_property
    def _types_by_code(self) -> dict[str, BusinessType]:
        return {t.code: t for t in self.business_types}

    def business_type(self, code: str) -> BusinessType | None:
        return self._types_by_code.get(code)


def _rows(name):
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _load_business_types():
    return tuple(
        BusinessType(
            code=r["code"],
            name_zh=r["name_zh"],
            tier=r["tier"],
            group=r["group"] or None,
            level=r["level"],
            walk_minutes=int(r["walk_minutes"]),
            radius_m=int(r["radius_m"]),
            serves_people=r["serves_people"],
            six_ones=r["six_ones"] or None,
            notes=r["notes"],
        )
        for r in _rows("business_types.csv")
    )


def _load_standards(type_codes):
    profiles = {}
    for path in sorted((DATA / "standards").glob("*.toml")):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        unknown = set(raw.get("types", {})) | set(raw.get("quality", {}).get("encouraged_types", []))
        unknown -= type_codes
        if unknown:
            raise ValueError(f"{path.name}: unknown business types {sorted(unknown)}")
        profiles[raw["code"]] = StandardsProfile(
            code=raw["code"],
            name_zh=raw["name_zh"],
            source=raw.get("source", ""),
            rules=raw.get("types", {}),
            elderly=raw.get("elderly", {}),
            quality=raw.get("quality", {}),
            note=raw.get("note", "").strip(),
        )
    return profiles


@cache
def taxonomy() -> Taxonomy:
    types = _load_business_types()
    repair = tuple(RepairService(r["code"], r["name_zh"]) for r in _rows("repair_services.csv"))
    return Taxonomy(types, repair, _load_standards(frozenset(t.code for t in types)))
