"""What a census file looks like: its container (CSV, Excel, GeoJSON), read as a stream, and whose export it is
(our own census columns, or an AMap 高德 / Tencent 腾讯 / Baidu 百度 POI export), recognised by its header.

A reader yields (row number, {column: value}) one record at a time, so a file of any size is read in bounded
memory; a layout turns a source's columns into ours (names, coordinates and datum, categories → business types
through `data/poi_categories.csv`).
"""

import codecs
import csv
import io
import json
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

FORMATS = ("csv", "geojson", "xlsx")  # containers
SOURCES = ("census", "amap", "tencent", "baidu")  # whose columns
SOURCE_NAMES = {"amap": "高德", "tencent": "腾讯", "baidu": "百度"}
SOURCE_COORD = {"amap": "gcj02", "tencent": "gcj02", "baidu": "bd09"}
CATEGORIES_PATH = Path(__file__).with_name("data") / "poi_categories.csv"
_CHUNK = 1 << 20


class ImportFileError(Exception):
    """The file as a whole cannot be read: encoding, format, or required columns missing."""


def detect_format(path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".geojson", ".json"):
        return "geojson"
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    raise ImportFileError(f"无法从扩展名判断格式：{path}（请用 --format csv|geojson|xlsx）")


# decoding ----------------------------------------------------------------------------------------------


def sniff_encoding(stream) -> str:
    """Excel writes UTF-8 with a BOM, older Chinese tools write GBK. Reads the whole stream once (at disk speed,
    nothing kept) and rewinds it: a GBK byte can sit anywhere in a large file."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "gbk"
    stream.seek(0)
    if encoding == "gbk":
        decoder = codecs.getincrementaldecoder("gbk")()
        try:
            while chunk := stream.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ImportFileError("文件编码无法识别（支持 UTF-8 与 GBK）") from None
        stream.seek(0)
    return encoding


def text_stream(stream):
    return io.TextIOWrapper(stream, encoding=sniff_encoding(stream), newline="")


# readers: (header, records) for tables, features for GeoJSON ---------------------------------------------


def csv_records(stream):
    reader = csv.reader(text_stream(stream))
    return next(reader, None), reader


def xlsx_records(stream):
    """The first sheet of a workbook in openpyxl's read-only mode (rows parsed as they are read)."""
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(stream, read_only=True, data_only=True).worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
    except Exception as error:  # openpyxl raises zip, XML and key errors for files that are not workbooks
        raise ImportFileError(f"不是有效的 Excel 工作簿（.xlsx）：{type(error).__name__}") from None
    cells = (["" if cell is None else str(cell) for cell in row] for row in rows)
    return (None if header is None else ["" if h is None else str(h) for h in header]), cells


def geojson_features(stream):
    """The features of a FeatureCollection one at a time, without holding the document: the top-level object is
    walked key by key and each feature decoded alone (json's raw_decode over a refilled buffer)."""
    reader = _JsonStream(text_stream(stream))
    try:
        reader.expect("{")
        seen_features = seen_type = False
        while reader.peek() != "}":
            key = reader.value()
            reader.expect(":")
            if key == "features" and reader.peek() == "[":
                reader.expect("[")
                seen_features = True
                while reader.peek() != "]":
                    yield reader.value()
                    if reader.peek() == ",":
                        reader.expect(",")
                reader.expect("]")
            else:
                value = reader.value()
                if key == "type":
                    if value != "FeatureCollection":
                        raise ImportFileError("应为 GeoJSON FeatureCollection")
                    seen_type = True
            if reader.peek() == ",":
                reader.expect(",")
        reader.expect("}")
    except (json.JSONDecodeError, _JsonEnd) as error:
        raise ImportFileError(f"不是有效的 JSON：{error}") from None
    if not (seen_type and seen_features):
        raise ImportFileError("应为 GeoJSON FeatureCollection")


class _JsonEnd(Exception):
    def __str__(self):
        return "文件意外结束"


class _JsonStream:
    def __init__(self, text):
        self.text, self.buffer, self.pos, self.eof = text, "", 0, False
        self.decoder = json.JSONDecoder()

    def _fill(self):
        chunk = self.text.read(_CHUNK)
        self.buffer, self.pos = self.buffer[self.pos :] + chunk, 0
        self.eof = not chunk

    def peek(self) -> str:
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in " \t\r\n\ufeff":
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if self.eof:
                raise _JsonEnd
            self._fill()

    def expect(self, char: str):
        found = self.peek()
        if found != char:
            raise json.JSONDecodeError(f"应为 {char!r}", self.buffer, self.pos)
        self.pos += 1

    def value(self):
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError:
                if self.eof:
                    raise
                self._fill()
                continue
            if end >= len(self.buffer) and not self.eof:  # a number may go on in the next chunk
                self._fill()
                continue
            self.pos = end
            return value


# layouts -------------------------------------------------------------------------------------------------

# Header names each source's exports use (the API's own field names, and common Chinese headers of export
# tools), mapped onto our columns. Our census layout needs none.
_ALIASES = {
    "amap": {
        "id": "external_id",
        "poiid": "external_id",
        "名称": "name",
        "地址": "address",
        "tel": "phone",
        "电话": "phone",
        "经度": "lng",
        "lon": "lng",
        "longitude": "lng",
        "纬度": "lat",
        "latitude": "lat",
        "类型": "type",
        "类型编码": "typecode",
        "分类编码": "typecode",
    },
    "tencent": {
        "id": "external_id",
        "title": "name",
        "名称": "name",
        "地址": "address",
        "tel": "phone",
        "电话": "phone",
        "经度": "lng",
        "纬度": "lat",
        "分类": "category",
        "类别": "category",
    },
    "baidu": {
        "uid": "external_id",
        "名称": "name",
        "地址": "address",
        "telephone": "phone",
        "电话": "phone",
        "经度": "lng",
        "纬度": "lat",
        "标签": "tag",
        "detail_info.tag": "tag",
    },
}
_CATEGORY_COLUMNS = {"amap": ("typecode", "type"), "tencent": ("category",), "baidu": ("tag",)}


def detect_source(columns) -> str:
    """Whose export a header (or a GeoJSON feature's properties) is: each source's telling column names."""
    names = {str(c).strip().lower() for c in columns if c is not None}
    if {"typecode", "类型编码", "分类编码"} & names:
        return "amap"
    if "types" in names:
        return "census"
    if "title" in names and ("category" in names or "分类" in names or "类别" in names):
        return "tencent"
    if {"uid", "tag", "标签", "detail_info.tag"} & names:
        return "baidu"
    if "type" in names and "location" in names:
        return "amap"
    return "census"


def canonical_header(header, source: str) -> list[str]:
    aliases = _ALIASES.get(source, {})
    out = []
    for h in header:
        name = str(h or "").strip().lower()
        out.append(aliases.get(name, name))
    return out


def canonical_properties(props: dict, source: str) -> dict:
    aliases = _ALIASES.get(source)
    if not aliases:
        return dict(props)
    return {aliases.get(str(key).strip().lower(), key): value for key, value in props.items()}


@dataclass
class Category:
    types: list[str] = field(default_factory=list)
    problem: str | None = None  # the row's reason when nothing maps
    unmapped: list[str] = field(default_factory=list)  # codes that mapped to nothing while others did


@cache
def category_table() -> dict[str, dict[str, str]]:
    """source → {code or category path: business type ("-": known, not a type we count)}."""
    table: dict[str, dict[str, str]] = {}
    with CATEGORIES_PATH.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            table.setdefault(row["source"], {})[_path_key(row["code"])] = row["business_type"].strip()
    return table


def _path_key(code: str) -> str:
    return code.strip().replace("：", ":").replace(":", ";").replace("；", ";")


def _candidates(code: str):
    """The code, then its parents: 060201 → 060200 → 060000; 购物;便利店;x → 购物;便利店 → 购物."""
    if code.isdigit() and len(code) == 6:
        yield code
        yield code[:4] + "00"
        yield code[:2] + "0000"
        return
    levels = [level.strip() for level in _path_key(code).split(";")]
    for end in range(len(levels), 0, -1):
        yield ";".join(levels[:end])


def map_categories(source: str, values: dict) -> Category:
    """A source row's category cells → our business types. AMap: `typecode` (several joined by |), else the
    `type` path; Tencent `category`, Baidu `tag`."""
    for column in _CATEGORY_COLUMNS[source]:
        cell = str(values.get(column) or "").strip()
        if cell:
            return _map_cell(source, cell)
    return Category(problem="缺少分类")


@lru_cache(maxsize=10_000)
def _map_cell(source: str, cell: str) -> Category:
    """One category cell's mapping (a file repeats a few hundred categories a million times)."""
    table = category_table().get(source, {})
    codes = [c.strip() for c in cell.split("|") if c.strip()]
    result = Category()
    excluded = []
    for code in codes:
        business_type = next((table[c] for c in _candidates(code) if c in table), None)
        if business_type is None:
            result.unmapped.append(code)
        elif business_type == "-":
            excluded.append(code)
        elif business_type not in result.types:
            result.types.append(business_type)
    if not result.types:
        name = SOURCE_NAMES[source]
        if result.unmapped:
            result.problem = f"{name}分类未对应到业态：{', '.join(result.unmapped)}（见 poi_categories.csv）"
        else:
            result.problem = f"{name}分类不属于便民业态：{', '.join(excluded)}"
    return result


def split_location(value, source: str):
    """An AMap `location` cell is "lng,lat"; Tencent and Baidu API objects are {"lat", "lng"}."""
    if isinstance(value, dict):
        return value.get("lng"), value.get("lat")
    parts = str(value or "").replace("，", ",").split(",")
    if len(parts) != 2:
        return None, None
    first, second = parts
    return (second, first) if source == "tencent" else (first, second)
