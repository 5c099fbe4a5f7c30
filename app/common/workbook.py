"""Small openpyxl helpers: a sheet is a title, Chinese headers and rows; shares print as percentages."""

from datetime import date, datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


class Percent(float):
    """A share to print with the 0.0% number format."""


def new_workbook() -> Workbook:
    book = Workbook()
    book.remove(book.active)
    return book


def _cell_value(value):
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, (list, tuple, set)):
        return "、".join(map(str, value))
    if isinstance(value, dict):
        return "；".join(f"{k}: {v}" for k, v in value.items())
    return value


def add_sheet(book: Workbook, name: str, title: str, headers: list[str], rows: list[list], widths=None):
    """A sheet: title line, a header row (bold, filled, frozen), then the rows."""
    sheet = book.create_sheet(name)
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAP
    for row in rows:
        sheet.append([_cell_value(v) for v in row])
        for cell, value in zip(sheet[sheet.max_row], row, strict=False):
            if isinstance(value, Percent):
                cell.number_format = "0.0%"
            elif isinstance(value, (date, datetime)):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str) and len(value) > 30:
                cell.alignment = WRAP
    if not rows:
        sheet.append(["暂无数据"])
    sheet.freeze_panes = "A3"
    for i, width in enumerate(widths or [], 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    return sheet


def pct(value) -> Percent | None:
    return None if value is None else Percent(value)


def to_bytes(book: Workbook) -> bytes:
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
