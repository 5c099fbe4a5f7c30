"""Bulk import of the outlet census (CSV or GeoJSON points), re-runnable.

Rows upsert by external_id (rows without one are always inserted). Each row loads in its own savepoint,
so a bad row is reported with its number and reason while the good rows still load. The census is the
authority: imported outlets are approved, and outlets outside every circle are kept (circle_id NULL;
the database trigger assigns circle and community from the location).
"""

import csv
import io
import json
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app.common import geo
from app.common.clock import local_zone, now_local
from app.common.errors import AppError, ValidationFailed, one_line_reason
from app.extensions import db
from app.outlets.hours import HoursError, parse_hours_text
from app.outlets.models import QUALITY_BRAND_KINDS, Outlet
from app.outlets.service import apply_fields
from app.taxonomy.checks import check_types

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
# Statuses the census may not overturn: staff suspended or closed these on purpose.
_KEEP_STATUS = ("suspended", "closed")


class ImportFileError(Exception):
    """The file as a whole cannot be read: encoding, format, or required columns missing."""


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

    @property
    def failed(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        prefix = "[dry run, nothing saved] " if self.dry_run else ""
        return (
            f"{prefix}outlets: {self.created} created, {self.updated} updated, {self.failed} failed "
            f"({self.outside} outside every circle)"
        )


FORMATS = ("csv", "geojson", "xlsx")


def detect_format(path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".geojson", ".json"):
        return "geojson"
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    raise ImportFileError(f"无法从扩展名判断格式：{path}（请用 --format csv|geojson|xlsx）")


def import_outlets(
    path, *, fmt: str | None = None, coord: str | None = None, dry_run: bool = False, as_of: date | None = None
) -> OutletImportResult:
    """Reads and loads the file; commits once (or rolls everything back for a dry run).

    `as_of`: the date the census describes; the outlet history records the file's openings, closures
    and changes as of that day (start of day, local time) instead of today.
    """
    fmt = fmt or detect_format(path)
    return import_outlet_data(Path(path).read_bytes(), fmt=fmt, coord=coord, dry_run=dry_run, as_of=as_of)


def import_outlet_data(
    data: bytes, *, fmt: str, coord: str | None = None, dry_run: bool = False, as_of: date | None = None
) -> OutletImportResult:
    """The same import from bytes (the console's upload): CSV, GeoJSON or an Excel workbook's first sheet."""
    result = OutletImportResult(dry_run=dry_run)
    if fmt == "geojson":
        rows = read_geojson(data)
        default_coord = coord or "wgs84"  # RFC 7946
    else:
        rows = read_xlsx(data, result) if fmt == "xlsx" else read_csv(data, result)
        default_coord = coord or "gcj02"  # spreadsheets come from Chinese map tools
    load_rows(rows, result, default_coord, geojson=fmt == "geojson", as_of=as_of)
    return result


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


def load_rows(rows, result: OutletImportResult, default_coord: str, geojson: bool = False, as_of=None):
    with effective_as_of(as_of):
        _load_rows(rows, result, default_coord, geojson)


def _load_rows(rows, result: OutletImportResult, default_coord: str, geojson: bool):
    outer = db.session.begin_nested()  # lets a dry run undo everything
    first_row_of: dict[str, int] = {}
    loaded_ids = []
    for number, values in rows:
        external_id = _clean(values.get("external_id"))
        name = _clean(values.get("name"))
        earlier = first_row_of.setdefault(external_id, number) if external_id else number
        try:
            if earlier != number:
                where = "features[{}]" if geojson else "第 {} 行"
                raise ValidationFailed(details={"external_id": [f"与{where.format(earlier)}重复"]})
            fields = parse_row(values, default_coord)
            with db.session.begin_nested():
                outlet, created = _upsert(fields)
        except (AppError, DBAPIError) as error:
            result.errors.append(RowError(number, one_line_reason(error), external_id, name, geojson))
            continue
        loaded_ids.append(outlet.id)
        result.created, result.updated = result.created + created, result.updated + (not created)
    if loaded_ids:
        result.outside = db.session.scalar(
            select(func.count()).select_from(Outlet).where(Outlet.id.in_(loaded_ids), Outlet.circle_id.is_(None))
        )
    if result.dry_run:
        outer.rollback()
    else:
        outer.commit()
        db.session.commit()


def _upsert(fields: dict) -> tuple[Outlet, bool]:
    outlet = None
    if fields.get("external_id"):
        outlet = db.session.scalar(select(Outlet).where(Outlet.external_id == fields["external_id"]))
    created = outlet is None
    if created:
        outlet = Outlet(status="approved", synthetic=False)
        db.session.add(outlet)
    elif outlet.status not in _KEEP_STATUS:
        outlet.status = "approved"
    apply_fields(outlet, fields)
    db.session.flush()
    return outlet, created


# reading -----------------------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """Excel writes UTF-8 with a BOM, older Chinese tools write GBK."""
    for encoding in ("utf-8-sig", "gbk"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("文件编码无法识别（支持 UTF-8 与 GBK）")


def read_csv(data: bytes, result: OutletImportResult) -> list[tuple[int, dict]]:
    reader = csv.reader(io.StringIO(decode(data), newline=""))
    return _table_rows(reader, result, "CSV 文件为空")


def read_xlsx(data: bytes, result: OutletImportResult) -> list[tuple[int, dict]]:
    """The first sheet of a workbook, laid out like the CSV (a header row with the same column names)."""
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as error:  # openpyxl raises zip, XML and key errors for files that are not workbooks
        raise ImportFileError(f"不是有效的 Excel 工作簿（.xlsx）：{type(error).__name__}") from None
    records = ([("" if cell is None else str(cell)) for cell in row] for row in sheet.iter_rows(values_only=True))
    return _table_rows(records, result, "Excel 工作表为空")


def _table_rows(records, result: OutletImportResult, empty_message: str) -> list[tuple[int, dict]]:
    header = next(records, None)
    if not header:
        raise ImportFileError(empty_message)
    header = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportFileError(f"缺少必需的列：{', '.join(missing)}")
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        result.warnings.append(f"忽略未知的列：{', '.join(unknown)}")
    rows = []
    # Numbered by record, as a spreadsheet shows them (a quoted cell spanning lines is still one row).
    for number, cells in enumerate(records, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        rows.append((number, {h: cell for h, cell in zip(header, cells, strict=False) if h in COLUMNS}))
    return rows


def read_geojson(data: bytes) -> list[tuple[int, dict]]:
    try:
        collection = json.loads(decode(data))
    except json.JSONDecodeError as error:
        raise ImportFileError(f"不是有效的 JSON：{error}") from None
    if (
        not isinstance(collection, dict)
        or collection.get("type") != "FeatureCollection"
        or not isinstance(collection.get("features"), list)
    ):
        raise ImportFileError("应为 GeoJSON FeatureCollection")
    rows = []
    for index, feature in enumerate(collection["features"]):
        props = feature.get("properties") if isinstance(feature, dict) else None
        values = dict(props) if isinstance(props, dict) else {}
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
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
        rows.append((index, values))
    return rows


# parsing one row ---------------------------------------------------------------------------------------


def parse_row(values: dict, default_coord: str) -> dict:
    """Raw cell/property values → apply_fields input (WGS-84 lng/lat); every problem at once."""
    errors: dict[str, list[str]] = {}
    fields: dict = {}
    # An empty optional cell means "not given": the default on insert, unchanged on update.
    for key, limit in TEXT_LIMITS.items():
        text = _clean(values.get(key))
        if text is not None and len(text) > limit:
            errors[key] = [f"不能超过 {limit} 个字符"]
        elif text is not None:
            fields[key] = text
    if "name" not in fields and "name" not in errors:
        errors["name"] = ["必填"]

    types = _split(values.get("types"))
    try:
        check_types(types, required=True)
        fields["types"] = types
    except ValidationFailed as error:
        errors.update(error.details)

    _parse_location(values, default_coord, fields, errors)

    for key in FLAGS:
        flag = _bool(values.get(key))
        if flag is _INVALID:
            errors[key] = ["应为 1/0、true/false 或 是/否"]
        elif flag is not None:
            fields[key] = flag

    hours = values.get("hours")  # import text, or already the stored weekly shape in GeoJSON
    if isinstance(hours, dict) or _clean(hours) is not None:
        try:
            weekly, always = (hours, False) if isinstance(hours, dict) else parse_hours_text(str(hours))
            fields["hours"] = weekly
            # New hours replace an earlier "24h" unless the open_24h column says otherwise.
            fields["open_24h"] = always or fields.get("open_24h", False)
        except HoursError as error:
            errors["hours"] = [str(error)]

    quality = _clean(values.get("quality_brand"))
    if quality is not None:
        quality = QUALITY_BRAND_ZH.get(quality, quality)
        if quality in QUALITY_BRAND_KINDS:
            fields["quality_brand"] = quality
        else:
            errors["quality_brand"] = [f"取值必须是：{', '.join(QUALITY_BRAND_KINDS)}"]

    spend = _clean(values.get("avg_spend"))
    if spend is not None:
        try:
            amount = Decimal(spend)
            if not amount.is_finite() or amount < 0 or amount >= 10**8:
                raise InvalidOperation
            fields["avg_spend"] = amount.quantize(Decimal("0.01"))
        except InvalidOperation:
            errors["avg_spend"] = ["应为非负金额"]

    if values.get("services") not in (None, ""):
        services = _split(values["services"])
        if any(len(s) > 40 for s in services):
            errors["services"] = ["每项服务不能超过 40 个字符"]
        else:
            fields["services"] = list(dict.fromkeys(services))

    if errors:
        raise ValidationFailed(details=errors)
    return fields


def _parse_location(values, default_coord, fields, errors):
    if values.get("_geometry_error"):
        errors["geometry"] = ["应为 Point 几何（[lng, lat]）"]
        return
    coord = (_clean(values.get("coord")) or default_coord).lower()
    if coord not in geo.COORD_SYSTEMS:
        errors["coord"] = ["取值必须是：gcj02, wgs84"]
    lng, lat = _float(values.get("lng")), _float(values.get("lat"))
    if lng is None or not -180 <= lng <= 180:
        errors["lng"] = ["经度应为 -180 到 180 之间的数字"]
    if lat is None or not -90 <= lat <= 90:
        errors["lat"] = ["纬度应为 -90 到 90 之间的数字"]
    if not ({"lng", "lat", "coord"} & set(errors)):
        fields["lng"], fields["lat"] = geo.to_wgs84(lng, lat, coord)


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
