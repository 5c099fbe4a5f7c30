"""One census row: the columns we read, a row prepared for the staging table (stage_row: what needs Python is
checked here), and a rejected row's reason in the words every write path uses (row_reason)."""

import json
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from operator import itemgetter

from app.common.errors import ValidationFailed, one_line_reason
from app.outlets.hours import HoursError, parse_hours_text, validate_weekly, week_ranges
from app.outlets.models import QUALITY_BRAND_KINDS
from app.outlets.service import name_initials
from app.taxonomy.checks import check_types

COLUMNS = (
    "external_id",
    "name",
    "types",
    "lng",
    "lat",
    "coord",
    "address",
    "phone",
    "hours",
    "chain",
    "online",
    "brand",
    "open_24h",
    "delivery",
    "qr_payment",
    "elderly_friendly",
    "accepts_cash",
    "face_to_face",
    "quality_brand",
    "avg_spend",
    "closed_on_holidays",
    "services",
)
FLAGS = (
    "chain",
    "online",
    "open_24h",
    "delivery",
    "qr_payment",
    "elderly_friendly",
    "accepts_cash",
    "face_to_face",
    "closed_on_holidays",
)
TEXT_LIMITS = {"external_id": 80, "name": 120, "address": 255, "phone": 40, "brand": 80}
_TRUE = {"1", "true", "yes", "y", "是", "有", "t"}
_FALSE = {"0", "false", "no", "n", "否", "无", "f"}
QUALITY_BRAND_ZH = {
    "新消费": "new_consumer",
    "网红": "internet_famous",
    "国际": "international",
    "老字号": "time_honored",
}
IMPORT_COORDS = ("gcj02", "wgs84", "bd09")  # Baidu's BD-09 only arrives in files
# The order a row's problems are reported in (as the row-by-row importer reported them).
FIELD_ORDER = (
    *TEXT_LIMITS,
    "types",
    "geometry",
    "coord",
    "lng",
    "lat",
    *FLAGS,
    "hours",
    "quality_brand",
    "avg_spend",
    "services",
)


@dataclass
class RowError:
    row: int  # CSV: spreadsheet row (header = 1, first data row = 2); GeoJSON: 0-based features index
    reason: str
    external_id: str | None = None
    name: str | None = None
    geojson: bool = False

    def __str__(self):
        where = f"features[{self.row}]" if self.geojson else f"row {self.row}"
        label = " ".join(filter(None, (self.external_id, self.name)))
        return f"{where}{f' ({label})' if label else ''}: {self.reason}"


# parsing one row ---------------------------------------------------------------------------------------


# The staging table's columns, in the order stage_row fills them (bulk.py adds the WGS-84 lng, lat).
_FLAGS_BUT_24H = tuple(f for f in FLAGS if f != "open_24h")
STAGE_COLUMNS = (
    "row_no",
    "external_id",
    "name",
    "name_initials",
    "types",
    "raw_lng",
    "raw_lat",
    "coord",
    "address",
    "phone",
    "brand",
    "hours",
    "open_24h",
    "open_minutes",
    *_FLAGS_BUT_24H,
    "quality_brand",
    "avg_spend",
    "services",
    "problems",
)


def stage_row(number: int, values: dict, default_coord: str) -> tuple[list, str | None]:
    """Raw cell/property values → a staging row (STAGE_COLUMNS) and the row's warning, if any.

    What needs Python is checked here (cells that must be parsed: datum, flags, hours, amounts, categories),
    each problem kept in the row's `problems` ({field: [messages]}); what a set can answer (required
    name, text lengths, known types, coordinates in range, duplicate ids) is bulk.py's SQL.
    An empty optional cell means "not given": the default on insert, unchanged on update.
    """
    problems: dict[str, list[str]] = {}
    name = _clean(values.get("name"))
    types = values.get("types")
    types = list(dict.fromkeys(types if isinstance(types, list) and "_types_problem" not in values else _split(types)))
    if "_types_problem" in values:
        problems["types"] = [values["_types_problem"]]

    raw_lng = raw_lat = None
    coord = (_clean(values.get("coord")) or default_coord).lower()
    if values.get("_geometry_error"):
        problems["geometry"] = ["应为 Point 几何（[lng, lat]）"]
    else:
        if coord not in IMPORT_COORDS:
            problems["coord"] = [f"取值必须是：{', '.join(IMPORT_COORDS)}"]
        raw_lng, raw_lat = _float(values.get("lng")), _float(values.get("lat"))

    flags = {}  # every flag: None when not given (or not understood: then a problem)
    for key in FLAGS:
        flag = _bool(values.get(key))
        if flag is _INVALID:
            problems[key] = ["应为 1/0、true/false 或 是/否"]
            flag = None
        flags[key] = flag

    hours_json = open_minutes = None
    open_24h = flags["open_24h"]
    hours = values.get("hours")  # import text, or already the stored weekly shape in GeoJSON
    if isinstance(hours, dict) or _clean(hours) is not None:
        try:
            weekly, always = (
                (validate_weekly(hours), False) if isinstance(hours, dict) else parse_hours_text(str(hours))
            )
            # New hours replace an earlier "24h" unless the open_24h column says otherwise.
            open_24h = always or bool(open_24h)
            hours_json = json.dumps(weekly, ensure_ascii=False)
            open_minutes = "{" + ",".join(f"[{a},{b})" for a, b in week_ranges(weekly, open_24h)) + "}"
        except HoursError as error:
            problems["hours"] = [str(error)]

    quality = _clean(values.get("quality_brand"))
    if quality is not None:
        quality = QUALITY_BRAND_ZH.get(quality, quality)
        if quality not in QUALITY_BRAND_KINDS:
            problems["quality_brand"] = [f"取值必须是：{', '.join(QUALITY_BRAND_KINDS)}"]

    spend = _clean(values.get("avg_spend"))
    if spend is not None:
        try:
            amount = Decimal(spend)
            if not amount.is_finite() or amount < 0 or amount >= 10**8:
                raise InvalidOperation
            spend = str(amount.quantize(Decimal("0.01")))
        except InvalidOperation:
            problems["avg_spend"] = ["应为非负金额"]

    services = None
    if values.get("services") not in (None, ""):
        services = list(dict.fromkeys(_split(values["services"])))
        if any(len(s) > 40 for s in services):
            problems["services"] = ["每项服务不能超过 40 个字符"]

    warning = None
    if values.get("_unmapped"):
        warning = f"第 {number} 行：忽略未对应到业态的分类 {', '.join(values['_unmapped'])}"
    row = [
        number,
        _clean(values.get("external_id")),
        name,
        name_initials(name) if name else None,
        _text_array(types),
        raw_lng,
        raw_lat,
        coord,
        _clean(values.get("address")),
        _clean(values.get("phone")),
        _clean(values.get("brand")),
        hours_json,
        open_24h,
        open_minutes,
        *_flags_but_24h(flags),
        quality,
        spend,
        _text_array(services),
        json.dumps(problems, ensure_ascii=False) if problems else None,
    ]
    return row, warning


_flags_but_24h = itemgetter(*_FLAGS_BUT_24H)


def _text_array(items: list | None) -> str | list | None:
    """A text[] value as PostgreSQL's array literal, every element quoted: what COPY reads for the column, made
    here because psycopg's list dumper, called once per row, was ≈ 9 % of the import's CPU while copying."""
    if items is None or not all(type(item) is str for item in items):
        return items  # a GeoJSON list of other values: psycopg's own dumper, as before
    return "{" + ",".join('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"' for item in items) + "}"


def row_reason(bad: dict, *, geojson: bool) -> str:
    """A rejected row's reason, worded by the same checks every write path uses. `bad`: the staging row's
    Python problems plus what the SQL validation found (bulk.py's bad-row query)."""
    if bad["duplicate_of"] is not None:
        where = f"features[{bad['duplicate_of']}]" if geojson else f"第 {bad['duplicate_of']} 行"
        return one_line_reason(ValidationFailed(details={"external_id": [f"与{where}重复"]}))
    found: dict[str, list[str]] = {}
    for key, limit in TEXT_LIMITS.items():
        if key in (bad["too_long"] or ()):
            found[key] = [f"不能超过 {limit} 个字符"]
    if bad["name"] is None:
        found.setdefault("name", ["必填"])
    if bad["types_bad"]:
        try:
            check_types(bad["types"] or [], required=True)
        except ValidationFailed as error:
            found.update(error.details)
    if bad["lng_bad"]:
        found["lng"] = ["经度应为 -180 到 180 之间的数字"]
    if bad["lat_bad"]:
        found["lat"] = ["纬度应为 -90 到 90 之间的数字"]
    found.update(bad["problems"] or {})  # the row's own (a category problem wins over "至少选择一种业态")
    ordered = {key: found[key] for key in FIELD_ORDER if key in found}
    return one_line_reason(ValidationFailed(details=ordered))


_INVALID = object()


def _bool(value):
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return _INVALID


def _float(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _split(value) -> list[str]:
    parts = value if isinstance(value, list) else str(value or "").split("|")
    return [str(p).strip() for p in parts if str(p).strip()]


def _clean(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
