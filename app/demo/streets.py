"""A street grid from the Zhongwei plan's 四至 texts ("东至应理南街，南至中央大道，西至新墩南街，北至南苑西路").

Each circle says its west street lies west of its east street and its south street south of its north
street. A topological sort of those relations orders the north-south streets west→east and the
east-west streets south→north; the rank of a street is its grid line. Street halves are one line:
鼓楼南街/鼓楼北街 (a north-south street south and north of the centre) and 鼓楼东街/鼓楼西街 share the
key 鼓楼; 怀远南路/怀远南街 and 机场北路/机场大道 are also one line, as the plan uses them interchangeably.
"""

import re
from collections import defaultdict

_BOUND = re.compile(r"([东南西北])(?:至|到)([^，、。,；;]+)")
SIDES = {"东": "E", "南": "S", "西": "W", "北": "N"}


def parse_four_bounds(text: str) -> dict[str, str]:
    """{"E": "应理南街", "S": "中央大道", "W": "新墩南街", "N": "南苑西路"}; ValueError unless all four."""
    bounds = {SIDES[side]: street.strip() for side, street in _BOUND.findall(text or "")}
    if set(bounds) != set(SIDES.values()):
        raise ValueError(f"四至不完整：{text}")
    return bounds


def line_key(street: str) -> str:
    """The grid line a street name stands for: drop the kind (大道/街/路/巷), then a direction half."""
    stem = re.sub(r"(大道|街|路|巷)$", "", street)
    return re.sub(r"[东南西北]$", "", stem) if len(stem) > 2 else stem


def order_lines(relations: list[tuple[str, str]]) -> dict[str, int] | None:
    """Ranks for lines given (lower, upper) pairs, or None when the relations contradict each other.

    Ranks are longest-path layers, so every line sits just above the lines below it. A line only known
    from above (e.g. the south street of a single circle) is lifted to just below its lowest upper
    neighbour instead of dropping to rank 0, which would stretch that circle over the whole town.
    Separate groups of lines (streets no other circle mentions) go after the main group.
    """
    upper, lower = defaultdict(set), defaultdict(set)
    nodes = set()
    for lo, hi in relations:
        nodes |= {lo, hi}
        if lo != hi:
            upper[lo].add(hi)
            lower[hi].add(lo)
    order = _topological(nodes, upper, lower)
    if order is None:
        return None
    rank = {}
    for node in order:
        rank[node] = max((rank[p] + 1 for p in lower[node]), default=0)
    for node in reversed(order):
        if not lower[node] and upper[node]:
            rank[node] = min(rank[u] for u in upper[node]) - 1
    return _place_groups(rank, upper, lower)


def _topological(nodes, upper, lower) -> list[str] | None:
    pending = {n: len(lower[n]) for n in nodes}
    ready = sorted(n for n, count in pending.items() if count == 0)
    order = []
    while ready:
        node = ready.pop(0)
        order.append(node)
        for hi in sorted(upper[node]):
            pending[hi] -= 1
            if pending[hi] == 0:
                ready.append(hi)
    return order if len(order) == len(nodes) else None


def _place_groups(rank, upper, lower) -> dict[str, int]:
    groups, seen = [], set()
    for start in sorted(rank):
        if start in seen:
            continue
        group, stack = set(), [start]
        while stack:
            node = stack.pop()
            if node not in group:
                group.add(node)
                stack.extend(upper[node] | lower[node])
        seen |= group
        groups.append(group)
    groups.sort(key=lambda g: (-len(g), min(g)))  # the biggest group is the town centre
    placed, offset = {}, 0
    for group in groups:
        low = min(rank[n] for n in group)
        placed |= {n: rank[n] - low + offset for n in group}
        offset = max(placed.values()) + 1
    return placed


def street_grid(four_bounds: list[str]) -> tuple[dict, dict, list[dict]] | None:
    """(x rank by line key, y rank by line key, parsed bounds per circle) or None if the relations
    conflict (the caller then lays the circles out as a neat grid)."""
    bounds = [parse_four_bounds(text) for text in four_bounds]
    xs = order_lines([(line_key(b["W"]), line_key(b["E"])) for b in bounds])
    ys = order_lines([(line_key(b["S"]), line_key(b["N"])) for b in bounds])
    if xs is None or ys is None:
        return None
    return xs, ys, bounds
