"""Weekly opening hours: parsing, the minutes-of-week ranges SQL filters on, and display text.

Stored shape: {"mon": [["07:00", "20:00"]], "tue": [...], …}; a close time at or before the open time
runs past midnight into the next day ("18:00"-"02:00"); "24:00" closes at midnight. 24-hour outlets
set open_24h instead of listing intervals.
"""

import csv
import re
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path

import orjson
from sqlalchemy.dialects.postgresql import Range as SARange

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
_TIME = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")
_DAY_ALIASES = {
    **{d: i for i, d in enumerate(DAYS)},
    **{z: i for i, z in enumerate(DAY_ZH)},
    **{z.replace("周", "星期"): i for i, z in enumerate(DAY_ZH)},
    "周天": 6,
    "星期天": 6,
}


class HoursError(ValueError):
    pass


def parse_time(text: str) -> int:
    match = _TIME.match(text.strip())
    if not match:
        raise HoursError(f"时间格式应为 HH:MM：{text}")
    minutes = int(match[1]) * 60 + int(match[2])
    if minutes > MINUTES_PER_DAY:
        raise HoursError(f"时间超出 24:00：{text}")
    return minutes


def _fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def validate_weekly(hours: dict) -> dict:
    """Checks a stored-shape dict and returns it normalised (days in order, times HH:MM)."""
    if not isinstance(hours, dict):
        raise HoursError("营业时间应为按星期的对象")
    unknown = set(hours) - set(DAYS)
    if unknown:
        raise HoursError(f"未知的星期：{', '.join(sorted(unknown))}")
    normalised = {}
    for day in DAYS:
        intervals = hours.get(day) or []
        if not isinstance(intervals, list) or len(intervals) > 6:
            raise HoursError(f"{day} 的营业时段应为列表（最多 6 段）")
        out = []
        for interval in intervals:
            if not (isinstance(interval, (list, tuple)) and len(interval) == 2):
                raise HoursError(f"{day} 的营业时段应为 [开门, 关门]")
            start, end = parse_time(interval[0]), parse_time(interval[1])
            if start == MINUTES_PER_DAY:
                raise HoursError("开门时间不能是 24:00")
            if start == end:
                raise HoursError(f"{day} 的营业时段长度为零")
            out.append([_fmt(start), _fmt(end)])
        if out:
            normalised[day] = out
    return normalised


def parse_hours_text(text: str) -> tuple[dict, bool]:
    """Import syntax → (weekly dict, open_24h).

    "24h" · "07:00-20:00" (every day) · "07:00-11:00,17:00-02:00" · "mon-fri 07:00-20:00; sat,sun 09:00-18:00"
    (Chinese day names work too: "周一至周五 07:00-20:00；周六 09:00-18:00").
    """
    text = (text or "").strip()
    if not text:
        return {}, False
    if text.lower() in ("24h", "24小时", "24小时营业", "00:00-24:00"):
        return {}, True
    weekly: dict[str, list] = {}
    for part in re.split(r"[;；]", text):
        part = part.strip()
        if not part:
            continue
        days, _, spans = part.rpartition(" ")
        day_indexes = _parse_days(days) if days else range(7)
        intervals = []
        for span in re.split(r"[,，、]", spans):
            start, sep, end = span.partition("-")
            if not sep:
                raise HoursError(f"营业时段应为 开门-关门：{span}")
            intervals.append([start.strip(), end.strip()])
        for i in day_indexes:
            weekly.setdefault(DAYS[i], []).extend(intervals)
    return validate_weekly(weekly), False


def _parse_days(text: str) -> list[int]:
    result = []
    for chunk in re.split(r"[,，、]", text.strip()):
        chunk = chunk.strip().lower()
        bounds = re.split(r"-|至|到|~", chunk)
        try:
            if len(bounds) == 2:
                a, b = _DAY_ALIASES[bounds[0]], _DAY_ALIASES[bounds[1]]
                result.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
            else:
                result.append(_DAY_ALIASES[chunk])
        except KeyError:
            raise HoursError(f"无法识别的星期：{chunk}") from None
    return result


def week_ranges(hours: dict, open_24h: bool) -> list[tuple[int, int]]:
    """Half-open [start, end) minute-of-week ranges (Monday 00:00 = 0), merged, wrapping Sunday night."""
    if open_24h:
        return [(0, MINUTES_PER_WEEK)]
    raw = []
    for i, day in enumerate(DAYS):
        for start_text, end_text in hours.get(day, []):
            start = i * MINUTES_PER_DAY + parse_time(start_text)
            end = i * MINUTES_PER_DAY + parse_time(end_text)
            if end <= start:  # past midnight
                end += MINUTES_PER_DAY
            if end > MINUTES_PER_WEEK:  # Sunday night into Monday morning
                raw.append((start, MINUTES_PER_WEEK))
                raw.append((0, end - MINUTES_PER_WEEK))
            else:
                raw.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(raw):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def week_multirange(hours: dict, open_24h: bool) -> list[SARange]:
    return [SARange(start, end, bounds="[)") for start, end in week_ranges(hours, open_24h)]


def minute_of_week(moment: datetime) -> int:
    return moment.weekday() * MINUTES_PER_DAY + moment.hour * 60 + moment.minute


@cache
def public_holidays() -> frozenset[date]:
    path = Path(__file__).parent.parent / "taxonomy" / "data" / "holidays_cn.csv"
    with open(path, encoding="utf-8", newline="") as f:
        return frozenset(date.fromisoformat(row["date"]) for row in csv.DictReader(f))


def is_public_holiday(day: date) -> bool:
    return day in public_holidays()


def is_open(hours: dict, open_24h: bool, closed_on_holidays: bool, moment: datetime) -> bool:
    if closed_on_holidays and is_public_holiday(moment.date()):
        return False
    minute = minute_of_week(moment)
    return any(start <= minute < end for start, end in week_ranges(hours, open_24h))


def hours_text(hours: dict, open_24h: bool, closed_on_holidays: bool = False) -> str:
    """Short Chinese display text, grouping consecutive days with the same hours: "周一至周五 07:00-20:00"."""
    if open_24h or not hours:
        return _hours_text(hours, open_24h, closed_on_holidays)
    # Remembered by the hours' JSON: a page of 20 outlets repeats a few patterns, and the text cost ~25 µs each.
    try:
        key = orjson.dumps(hours)
    except TypeError:
        return _hours_text(hours, open_24h, closed_on_holidays)
    return _hours_text_of(key, closed_on_holidays)


def hours_text_of_json(hours_json: str | None, open_24h: bool, closed_on_holidays: bool = False) -> str:
    """hours_text of the hours as PostgreSQL writes the jsonb column out (`hours::text`): the read path's pages
    select it so, and most pages never decode their hours (decoding and re-encoding them for the key above was
    ~6 µs an outlet, a tenth of a nearby request's own CPU)."""
    if open_24h or hours_json is None:
        return _hours_text({}, open_24h, closed_on_holidays)
    return _hours_text_of(hours_json, closed_on_holidays)


@lru_cache(maxsize=4096)
def _hours_text_of(hours_json: bytes | str, closed_on_holidays: bool) -> str:
    return _hours_text(orjson.loads(hours_json), False, closed_on_holidays)


def _hours_text(hours: dict, open_24h: bool, closed_on_holidays: bool) -> str:
    if open_24h:
        text = "24小时营业"
    elif not hours:
        return "营业时间未登记"
    else:
        groups: list[tuple[int, int, str]] = []
        for i, day in enumerate(DAYS):
            spans = "、".join(f"{a}-{b}" for a, b in hours.get(day, [])) or "休息"
            if groups and groups[-1][2] == spans and groups[-1][1] == i - 1:
                groups[-1] = (groups[-1][0], i, spans)
            else:
                groups.append((i, i, spans))
        if len(groups) == 1:
            text = f"每天 {groups[0][2]}"
        else:
            text = "；".join(
                f"{DAY_ZH[a]}{'' if a == b else ('、' if b == a + 1 else '至') + DAY_ZH[b]} {spans}"
                for a, b, spans in groups
            )
    return text + ("（法定节假日休息）" if closed_on_holidays else "")
