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
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import chain

from sqlalchemy import text

from app.common.clock import local_zone, now_local
from app.common.errors import ValidationFailed
from app.common.extensions import db
from app.outlets import bulk, sources
from app.outlets.rows import COLUMNS, IMPORT_COORDS, RowError  # noqa: F401  (the importer's API)
from app.outlets.sources import FORMATS, SOURCES, ImportFileError, detect_format  # noqa: F401  (the importer's API)

REQUIRED_COLUMNS = ("name", "types", "lng", "lat")


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
    rebuild_indexes: bool = False,
) -> OutletImportResult:
    """Reads and loads the file; commits once (or rolls everything back for a dry run).

    `fmt`: a container (csv, geojson, xlsx; default from the extension) or a source (census, amap, tencent,
    baidu; default from the header). `as_of`: the date the census describes; the outlet history records the
    file's openings, closures and changes as of that day (start of day, local time) instead of today.
    `progress(done_bytes, total_bytes)` is called as the file is read; `on_error(RowError)` receives each bad
    row instead of `result.errors` keeping them all (a million-row report need not sit in memory).
    `rebuild_indexes`: a first load into an empty table builds the outlets' indexes after the rows (bulk.load).
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
            rebuild_indexes=rebuild_indexes,
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
    rebuild_indexes: bool = False,
) -> OutletImportResult:
    result = OutletImportResult(dry_run=dry_run)
    geojson = fmt == "geojson"
    rows = read_geojson(stream, result, source) if geojson else read_table(stream, fmt, result, source)
    # GeoJSON is WGS-84 (RFC 7946); spreadsheets come from Chinese map tools (GCJ-02, Baidu's BD-09).
    default_coord = coord or sources.SOURCE_COORD.get(result.source) or ("wgs84" if geojson else "gcj02")
    total = _size(stream)
    tick = (lambda: progress(_position(stream, total), total)) if progress and total and fmt != "xlsx" else None
    with effective_as_of(as_of):
        bulk.load(
            rows,
            result,
            default_coord=default_coord,
            geojson=geojson,
            tick=tick,
            on_error=on_error,
            rebuild_indexes=rebuild_indexes,
        )
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
        if not "".join(cells).strip():  # every cell blank
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
