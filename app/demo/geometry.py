"""Synthetic but plausible geometry: circles as adjacent town blocks near the real centres, communities
as strips of their circle, outlets as points inside a community (denser along the circle's edge, where
the plans say shops line the main roads). Work is in metres on a local plane, WGS-84 at the edge."""

import math
import random

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.ops import unary_union

from app.demo.streets import line_key, parse_four_bounds, street_grid

CENTRES = {"miyun": (116.84, 40.38), "zhongwei": (105.19, 37.51)}
METRES_PER_DEGREE = 111_320
CELL_W, CELL_H = 1000, 850  # one Zhongwei grid cell ≈ 0.85 km²; a circle spans 1-3 cells
ROW_H = 1100  # Miyun block rows
MIYUN_EW = "新北路 云腾路 檀州大街 鼓楼东大街 新南路 滨河路".split()  # row edges, north to south
MIYUN_NS = (
    "西大桥路 果园西路 季庄路 新西路 宾阳路 新中街 车站路 新东路 密关路 檀营路 水源路 长安街 花园路 白檀路".split()
)
MIYUN_ROWS = (4, 4, 5, 4, 4)
MIYUN_STREET_ORDER = ("密云镇", "檀营地区", "鼓楼街道", "果园街道")  # north to south in the demo layout


def to_wgs84(geometry, city: str):
    """Local metres (origin at the town centre) → WGS-84 lng/lat."""
    lng0, lat0 = CENTRES[city]
    kx = METRES_PER_DEGREE * math.cos(math.radians(lat0))
    return shapely.transform(geometry, lambda xy: xy / [kx, METRES_PER_DEGREE] + [lng0, lat0])


def _centred(layout: dict) -> dict:
    minx, miny, maxx, maxy = unary_union([g for g, _ in layout.values()]).bounds
    dx, dy = -(minx + maxx) / 2, -(miny + maxy) / 2
    return {k: (affinity.translate(g, dx, dy), streets) for k, (g, streets) in layout.items()}


def miyun_layout(specs, rng: random.Random) -> dict:
    """no → (block polygon in metres, {"E","S","W","N"} synthetic street names).

    The Miyun plan has no boundaries, so circles are rows of blocks, north to south by street office
    (街道), each block's area following its population (0.8-2 km²). Rows share edges, blocks in a row
    share edges: adjacent, never overlapping.
    """
    ordered = sorted(specs, key=lambda s: (MIYUN_STREET_ORDER.index(s.street), s.no))
    blocks, rows, start = {}, [], 0
    for size in MIYUN_ROWS:
        rows.append(ordered[start : start + size])
        start += size
    for r, row in enumerate(rows):
        top = -r * ROW_H
        widths = [min(2.0e6, max(0.8e6, s.population / 11_000 * 1e6)) / ROW_H * rng.uniform(0.92, 1.08) for s in row]
        x = -sum(widths) / 2 + rng.uniform(-300, 300)  # rows staggered a little, like real town blocks
        for spec, width in zip(row, widths, strict=True):
            blocks[spec.no] = (box(x, top - ROW_H, x + width, top), r)
            x += width
    xmin = min(g.bounds[0] for g, _ in blocks.values())
    layout = {}
    for no, (block, r) in blocks.items():
        # Block edges at about the same x in different rows are the same north-south street.
        west, east = (MIYUN_NS[min(round((x - xmin) / 600), len(MIYUN_NS) - 1)] for x in block.bounds[::2])
        layout[no] = (block, {"E": east, "S": MIYUN_EW[r + 1], "W": west, "N": MIYUN_EW[r]})
    return _centred(layout)


def zhongwei_layout(specs, rng: random.Random) -> tuple[dict, list[int]]:
    """(no → (polygon in metres, 四至 street names), circle numbers placed by the fallback grid).

    Grid lines come from the 四至 relations (see streets.py). Each circle claims the cells between its
    four lines; where claims overlap (the plan's blocks are not a perfect tiling), the smaller claim
    wins the cell, so every circle keeps its most specific part and none overlap. A circle left with
    no cells, or every circle if the relations conflict, goes to a neat grid south of the town.
    """
    parsed = {s.no: parse_four_bounds(s.four_bounds) for s in specs}
    grid = street_grid([s.four_bounds for s in specs])
    if grid is None:
        return _centred(_neat(specs, 0, parsed)), [s.no for s in specs]
    xs, ys, _ = grid
    # One position per rank (streets sharing a rank share a line), jittered: streets are not ruler-straight.
    xline = {r: r * CELL_W + rng.uniform(-70, 70) for r in range(max(xs.values()) + 1)}
    yline = {r: r * CELL_H + rng.uniform(-60, 60) for r in range(max(ys.values()) + 1)}
    claims = {}
    for spec in specs:
        b = parsed[spec.no]
        x0, x1 = xs[line_key(b["W"])], xs[line_key(b["E"])]
        y0, y1 = ys[line_key(b["S"])], ys[line_key(b["N"])]
        claims[spec.no] = {(i, j) for i in range(x0, x1) for j in range(y0, y1)}
    owner: dict[tuple, int] = {}
    for no in sorted(claims, key=lambda n: (len(claims[n]), n)):
        owner |= {cell: no for cell in _largest_connected(claims[no] - set(owner))}
        if no not in owner.values():
            owner |= _spare_cell(no, claims[no], owner)
    layout, fallback = {}, []
    for spec in specs:
        cells = [c for c, n in owner.items() if n == spec.no]
        if not cells:
            fallback.append(spec)
            continue
        shape = unary_union([box(xline[i], yline[j], xline[i + 1], yline[j + 1]) for i, j in cells])
        layout[spec.no] = (shape, parsed[spec.no])
    layout |= _neat(fallback, min(yline.values()) - CELL_H * 1.5, parsed)
    return _centred(layout), [s.no for s in fallback]


def _spare_cell(no: int, claim: set, owner: dict) -> dict:
    """A circle whose whole claim is taken gets one claimed cell from a neighbour that keeps at least one
    cell and stays in one piece (the plan's blocks overlap, so someone has to give)."""
    for cell in sorted(claim):
        rest = {c for c, n in owner.items() if n == owner[cell]} - {cell}
        if rest and _largest_connected(rest) == rest:
            return {cell: no}
    return {}


def _largest_connected(cells: set) -> set:
    best, seen = set(), set()
    for start in sorted(cells):
        if start in seen:
            continue
        part, stack = set(), [start]
        while stack:
            i, j = stack.pop()
            if (i, j) in cells and (i, j) not in part:
                part.add((i, j))
                stack += [(i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)]
        seen |= part
        best = max(best, part, key=len)
    return best


def _neat(specs, top: float, bounds: dict) -> dict:
    """Six blocks a row, 1.0 × 0.9 km each, rows going south from `top`."""
    return {
        s.no: (
            box((k % 6) * 1000, top - (k // 6 + 1) * 900, (k % 6 + 1) * 1000, top - (k // 6) * 900),
            bounds.get(s.no, {}),
        )
        for k, s in enumerate(specs)
    }


def split_strips(geometry, weights: list[float]) -> list:
    """Cuts a polygon across its longer side into strips whose areas follow the weights."""
    if len(weights) == 1:
        return [geometry]
    minx, miny, maxx, maxy = geometry.bounds
    along_x = maxx - minx >= maxy - miny
    lo, hi = (minx, maxx) if along_x else (miny, maxy)

    def part(a, b):
        return geometry.intersection(box(a, miny, b, maxy) if along_x else box(minx, a, maxx, b))

    total, cuts, acc = geometry.area, [lo], 0.0
    for w in weights[:-1]:
        acc += w / sum(weights)
        a, b = cuts[-1], hi
        for _ in range(40):  # bisection on the cut position: area below the cut = share of the total
            mid = (a + b) / 2
            a, b = (mid, b) if part(lo, mid).area < acc * total else (a, mid)
        cuts.append((a + b) / 2)
    cuts.append(hi)
    return [_polygonal(part(a, b)) for a, b in zip(cuts, cuts[1:], strict=False)]


def _polygonal(geometry):
    polygons = [g for g in getattr(geometry, "geoms", [geometry]) if isinstance(g, Polygon) and g.area > 1]
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def sample_points(area, circle, n: int, rng: random.Random) -> list[tuple[float, float]]:
    """n points inside `area` (kept 12 m off its edges so the database puts them in this community),
    three times as likely within 80 m of the circle's edge, where the main roads and shops are."""
    if n <= 0:
        return []
    inner = area.buffer(-12)
    inner = inner if not inner.is_empty else area.buffer(-1)
    gen = np.random.default_rng(rng.getrandbits(64))
    minx, miny, maxx, maxy = inner.bounds
    xs, ys = gen.uniform(minx, maxx, n * 20 + 50), gen.uniform(miny, maxy, n * 20 + 50)
    keep = shapely.contains_xy(inner, xs, ys)
    xs, ys = xs[keep], ys[keep]
    if not len(xs):  # a sliver: every outlet at one spot rather than none
        return [inner.representative_point().coords[0]] * n
    near = shapely.distance(circle.boundary, shapely.points(xs, ys)) < 80
    weights = np.where(near, 3.0, 1.0)
    picked = gen.choice(len(xs), size=min(n, len(xs)), replace=False, p=weights / weights.sum())
    points = [(float(xs[i]), float(ys[i])) for i in picked]
    return [points[i % len(points)] for i in range(n)]  # a tiny area may have to reuse points


def lnglat(city: str, x: float, y: float) -> tuple[float, float]:
    point = to_wgs84(shapely.Point(x, y), city)
    return round(point.x, 7), round(point.y, 7)
