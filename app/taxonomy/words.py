"""The words residents search with (配钥匙, 早点, 菜场, keys …) → business types, repair services, add-ons.

The vocabulary is data (`data/search_words.csv`, one word per line with what it means), plus every type's
and repair service's own Chinese name and its parts (修车(自行车/电动车) → 修车, 自行车, 电动车) and codes.
A Chinese keyword means a word when it contains the word ("附近配钥匙的" → 配钥匙) or is part of it (钥匙 →
配钥匙); codes and English words count as whole words only.
Dictionary matching over this small vocabulary does what word segmentation would do here, without a
segmenter's dictionary in memory (README "Dependencies").
"""

import csv
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from app.taxonomy.registry import DATA, taxonomy

MIN_PART = 2  # a keyword shorter than this is not looked up inside words (一 字 would match half of them)


@dataclass(frozen=True)
class Meaning:
    types: frozenset[str] = frozenset()
    repair_services: frozenset[str] = frozenset()
    add_ons: frozenset[str] = frozenset()

    def __or__(self, other: "Meaning") -> "Meaning":
        return Meaning(
            self.types | other.types,
            self.repair_services | other.repair_services,
            self.add_ons | other.add_ons,
        )

    def __bool__(self) -> bool:
        return bool(self.types or self.repair_services or self.add_ons)


def _codes(value: str) -> frozenset[str]:
    return frozenset(part.strip() for part in (value or "").split("|") if part.strip())


def _name_parts(name: str) -> list[str]:
    return [part for part in re.split(r"[/()（）、]", name) if len(part) >= MIN_PART]


@cache
def vocabulary() -> dict[str, Meaning]:
    """word (lower case) → what it means; checked against the taxonomy when first loaded."""
    tax = taxonomy()
    words: dict[str, Meaning] = {}

    def add(word: str, meaning: Meaning):
        word = word.strip().lower()
        words[word] = words.get(word, Meaning()) | meaning

    for t in tax.business_types:
        for word in [t.code, t.name_zh, *_name_parts(t.name_zh)]:
            add(word, Meaning(types=frozenset([t.code])))
    for s in tax.repair_services:
        for word in [s.code, s.name_zh, *_name_parts(s.name_zh)]:
            add(word, Meaning(repair_services=frozenset([s.code])))
    with open(DATA / "search_words.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            meaning = Meaning(_codes(row["types"]), _codes(row["repair_services"]), _codes(row["add_ons"]))
            unknown = (meaning.types - tax.type_codes) | (meaning.repair_services - tax.repair_codes)
            if unknown:
                raise ValueError(f"search_words.csv, {row['word']}: unknown codes {sorted(unknown)}")
            add(row["word"], meaning)
    return words


@lru_cache(maxsize=4096)
def meaning_of(keyword: str) -> Meaning:
    """Everything a free-text keyword may mean: the words it contains, or the words it is part of."""
    text = (keyword or "").strip().lower()
    result = Meaning()
    if not text:
        return result
    for token in text.split():
        if token.isascii():  # codes and English words: whole words only ("or" is not in "outdoor_gear")
            result = result | vocabulary().get(token, Meaning())
            continue
        for word, meaning in vocabulary().items():
            if not word.isascii() and (word in token or (len(token) >= MIN_PART and token in word)):
                result = result | meaning
    return result


def exact(word: str) -> Meaning:
    """What one word means exactly (a filter value: `services=配钥匙`), or an empty Meaning."""
    return vocabulary().get(word.strip().lower(), Meaning())
