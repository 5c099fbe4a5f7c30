"""Bulk import of the outlet census, re-runnable: our census columns, or AMap 高德 / Tencent 腾讯 / Baidu 百度 POI
exports, from CSV, Excel (.xlsx) or GeoJSON, of any size.

Rows upsert by external_id (rows without one are always inserted). The file is read as a stream, each row
prepared here (cells parsed, categories mapped to business types, coordinates converted to WGS-84 a chunk at a
time) and copied into a staging table; `bulk.py` then validates and loads the whole file with a few set-based
statements in one transaction: a bad row is reported with its number and reason while the good rows load, and
an error of the file or the database leaves nothing written. The census is the authority: imported outlets
are approved, and outlets outside every circle are kept (circle_id NULL).
"""

import io
import json
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from itertools import chain

from sqlalchemy import text

from app.common.clock import local_zone, now_local
from app.common.errors import ValidationFailed, one_line_reason
from app.extensions import db
from app.outlets import sources
from app.outlets.hours import HoursError, parse_hours_text, validate_weekly, week_ranges
from app.outlets.models import QUALITY_BRAND_KINDS
from app.outlets.service import check_types, name_initials
from app.outlets.sources import FORMATS, SOURCES, ImportFileError, detect_format  # noqa: F401  (the importer's API)

REQUIRED_COLUMNS = ("name", "types", "lng", "lat")
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


@dataclass
class OutletImportResult:
    created: int = 0
    updated: int = 0
    outside: int = 0  # loaded outlets lying in no circle (kept, searchable)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    source: str = "census"
    failed: int = 0
    rows: int = 0  # rows read (blank ones not counted)

    def summary(self) -> str:
        prefix = "[dry run, nothing saved] " if self.dry_run else ""
        return (
            f"{prefix}outlets: {self.created} created, {self.updated} updated, {self.failed} failed "
            f"({self.outside} outside every circle)"
        )


def import_outlets(
    path,
    *,
    fmt: str | None = None,
    coord: str | None = None,
    dry_run: bool = False,
    as_of: date | None = None,
    progress=None,
    on_error=None,
) -> OutletImportResult:
    """Reads and loads the file; commits once (or rolls everything back for a dry run).

    `fmt`: a container (csv, geojson, xlsx; default from the extension) or a source (census, amap, tencent,
    baidu; default from the header). `as_of`: the date the census describes; the outlet history records the
    file's openings, closures and changes as of that day (start of day, local time) instead of today.
    `progress(done_bytes, total_bytes)` is called as the file is read; `on_error(RowError)` receives each bad
    row instead of `result.errors` keeping them all (a million-row report need not sit in memory).
    """
    container = fmt if fmt in FORMATS else detect_format(path)
    with open(path, "rb") as stream:
        return import_outlet_stream(
            stream,
            fmt=container,
            source=fmt if fmt in SOURCES else None,
            coord=coord,
            dry_run=dry_run,
            as_of=as_of,
            progress=progress,
            on_error=on_error,
        )


def import_outlet_data(data: bytes, **options) -> OutletImportResult:
    """The same import from bytes (the console's upload): CSV, GeoJSON or an Excel workbook's first sheet;
    `options` as import_outlet_stream's."""
    return import_outlet_stream(io.BytesIO(data), **options)


def import_outlet_stream(
    stream,
    *,
    fmt: str,
    source: str | None = None,
    coord: str | None = None,
    dry_run: bool = False,
    as_of: date | None = None,
    progress=None,
    on_error=None,
) -> OutletImportResult:
    from app.outlets import bulk

    result = OutletImportResult(dry_run=dry_run)
    geojson = fmt == "geojson"
    rows = read_geojson(stream, result, source) if geojson else read_table(stream, fmt, result, source)
    # GeoJSON is WGS-84 (RFC 7946); spreadsheets come from Chinese map tools (GCJ-02, Baidu's BD-09).
    default_coord = coord or sources.SOURCE_COORD.get(result.source) or ("wgs84" if geojson else "gcj02")
    total = _size(stream)
    tick = (lambda: progress(_position(stream, total), total)) if progress and total and fmt != "xlsx" else None
    with effective_as_of(as_of):
        bulk.load(rows, result, default_coord=default_coord, geojson=geojson, tick=tick, on_error=on_error)
    return result


def _position(stream, total) -> int:
    try:
        return stream.tell()
    except ValueError:  # the text reader closes the file once it has read all of it
        return total


def _size(stream) -> int | None:
    try:
        here = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(here)
        return end
    except (OSError, ValueError):
        return None


@contextmanager
def effective_as_of(as_of: date | None):
    """Outlet writes inside the block take effect in the history as of `as_of` (see outlet_versions)."""
    if as_of is None:
        yield
        return
    if as_of > now_local().date():
        raise ValidationFailed(details={"as_of": ["日期不能晚于今天"]})
    stamp = datetime.combine(as_of, time(0), local_zone()).isoformat()
    db.session.execute(text("SELECT set_config('app.outlets_as_of', :v, true)"), {"v": stamp})
    try:
        yield
    finally:
        db.session.execute(text("SELECT set_config('app.outlets_as_of', '', true)"))


# reading -----------------------------------------------------------------------------------------------


def read_table(stream, fmt: str, result: OutletImportResult, source: str | None):
    """A CSV or the first sheet of a workbook: a header row, then one outlet per row (generator)."""
    header, records = sources.xlsx_records(stream) if fmt == "xlsx" else sources.csv_records(stream)
    if not header or not any(str(h).strip() for h in header):
        raise ImportFileError("Excel 工作表为空" if fmt == "xlsx" else "CSV 文件为空")
    result.source = source or sources.detect_source(header)
    header = sources.canonical_header(header, result.source)
    _check_columns(header, result)
    return _numbered(header, records, result)


def _check_columns(header, result: OutletImportResult):
    names = set(header)
    if result.source == "census":
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        unknown = [h for h in header if h and h not in COLUMNS]
        if unknown:
            result.warnings.append(f"忽略未知的列：{', '.join(unknown)}")
    else:
        missing = [c for c in ("name",) if c not in names]
        if not ({"lng", "lat"} <= names or "location" in names):
            missing.append("location（或 lng、lat）")
        categories = sources._CATEGORY_COLUMNS[result.source]
        if not names & set(categories):
            missing.append("/".join(categories))
    if missing:
        raise ImportFileError(f"缺少必需的列：{', '.join(missing)}")


def _numbered(header, records, result):
    # Numbered by record, as a spreadsheet shows them (a quoted cell spanning lines is still one row).
    layout = _layout(result.source)
    for number, cells in enumerate(records, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        yield number, layout(dict(zip(header, cells, strict=False)))


def read_geojson(stream, result: OutletImportResult, source: str | None):
    """The features one by one; the first one's properties say whose export it is."""
    features = sources.geojson_features(stream)
    first = next(features, None)
    props = first.get("properties") if isinstance(first, dict) else None
    result.source = source or sources.detect_source(props if isinstance(props, dict) else ())
    return _feature_rows(chain([] if first is None else [first], features), result.source)


def _feature_rows(features, source: str):
    layout = _layout(source)
    for index, feature in enumerate(features):
        props = feature.get("properties") if isinstance(feature, dict) else None
        values = sources.canonical_properties(props, source) if isinstance(props, dict) else {}
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        values.pop("location", None)
        if (
            isinstance(geometry, dict)
            and geometry.get("type") == "Point"
            and isinstance(geometry.get("coordinates"), list)
            and len(geometry["coordinates"]) >= 2
        ):
            values["lng"], values["lat"] = geometry["coordinates"][:2]
        else:
            values.pop("lng", None), values.pop("lat", None)
            values["_geometry_error"] = True
        yield index, layout(values)


def _layout(source: str):
    """A source's row → our columns (census rows are ours already)."""
    if source == "census":
        return lambda values: values

    def translate(values: dict) -> dict:
        if "location" in values and not (values.get("lng") or values.get("lat")):
            values["lng"], values["lat"] = sources.split_location(values["location"], source)
        category = sources.map_categories(source, values)
        values["types"] = category.types
        if category.problem:
            values["_types_problem"] = category.problem
        elif category.unmapped:
            values["_unmapped"] = category.unmapped
        return values

    return translate


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

    flags = {}
    for key in FLAGS:
        flag = _bool(values.get(key))
        if flag is _INVALID:
            problems[key] = ["应为 1/0、true/false 或 是/否"]
        else:
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
        types,
        raw_lng,
        raw_lat,
        coord,
        _clean(values.get("address")),
        _clean(values.get("phone")),
        _clean(values.get("brand")),
        hours_json,
        open_24h,
        open_minutes,
        *(flags.get(f) for f in _FLAGS_BUT_24H),
        quality,
        spend,
        services,
        json.dumps(problems, ensure_ascii=False) if problems else None,
    ]
    return row, warning


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
            check_types(bad["types"] or [])
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
