"""Outlet use cases: nearby search, detail, and the field preparation every write path shares."""

import re
from functools import lru_cache

from geoalchemy2.shape import to_shape
from pypinyin import Style
from pypinyin.constants import RE_HANS
from pypinyin.converter import DefaultConverter
from pypinyin.seg import mmseg
from sqlalchemy import select

from app.common import geo
from app.common.errors import NotFound, ValidationFailed
from app.common.extensions import db
from app.common.policy import authorize_circle
from app.outlets.hours import HoursError, validate_weekly, week_multirange
from app.outlets.models import Outlet, OutletVersion
from app.outlets.search import NearbyQuery, search_nearby  # noqa: F401  (the search use case)
from app.taxonomy.checks import check_types

_CONVERTER = DefaultConverter()
# pypinyin's own segmentation (simpleseg.seg): the name is cut into runs of Chinese characters and runs of
# anything else, and each Chinese run is split into words by its phrase dictionary (mmseg) on its own. A run's
# letters therefore depend on the run alone, and runs repeat far more than names (好邻居便利店, 鼓楼大街, 号店):
# remembering them makes a million mostly distinct names cost a small part of segmenting each one.
_HAN = RE_HANS.pattern[len("^(?:") : -len(")+$")]  # the character class pypinyin counts as Chinese
_RUNS = re.compile(f"{_HAN}+|(?:(?!{_HAN}).)+", re.DOTALL)


def _keep(chars):
    return list(chars)


@lru_cache(maxsize=200_000)
def _word_initials(word: str) -> str:
    letters = _CONVERTER.convert(word, Style.FIRST_LETTER, False, _keep, strict=True)
    return "".join(ch.lower() for part in letters for piece in part for ch in piece if ch.isascii() and ch.isalnum())


@lru_cache(maxsize=200_000)
def _run_initials(run: str) -> str:
    words = mmseg.seg.cut(run) if RE_HANS.match(run) else (run,)
    return "".join(map(_word_initials, words))


def name_initials(name: str) -> str:
    """好邻居便利店 → "hljbld": lets residents type pinyin initials into the keyword box.

    The letters lazy_pinyin(name, Style.FIRST_LETTER) gives (segment, then convert each word), computed a
    run at a time with each run's and each word's letters remembered (see _RUNS): a bulk import of a million
    names costs a fraction of calling lazy_pinyin on each.
    """
    return "".join(map(_run_initials, _RUNS.findall(name)))


def checked_types_and_hours(fields: dict) -> dict:
    """The fields with `types` deduplicated and known (at least one) and `hours` a valid week, when present;
    else 422 naming the field. Every write path of an outlet's fields (API, import, merchants) checks so."""
    fields = dict(fields)
    if "types" in fields:
        fields["types"] = list(dict.fromkeys(fields["types"]))
        check_types(fields["types"], required=True)
    if "hours" in fields:
        try:
            fields["hours"] = validate_weekly(fields["hours"] or {})
        except HoursError as error:
            raise ValidationFailed(details={"hours": [str(error)]}) from None
    return fields


def apply_fields(outlet: Outlet, fields: dict) -> Outlet:
    """Sets outlet fields from plain values (WGS-84 lng/lat), keeping derived columns true."""
    fields = checked_types_and_hours(fields)
    if "lng" in fields or "lat" in fields:
        outlet.location = geo.point(fields.pop("lng"), fields.pop("lat"))
    for key, value in fields.items():
        setattr(outlet, key, value)
    if "name" in fields:
        outlet.name_initials = name_initials(outlet.name)
    outlet.open_minutes = week_multirange(outlet.hours or {}, bool(outlet.open_24h))
    return outlet


def get_outlet(outlet_id: int, *, public: bool = True) -> Outlet:
    outlet = db.session.get(Outlet, outlet_id)
    if outlet is None or (public and outlet.status not in ("approved", "suspended")):
        raise NotFound("网点不存在", code="outlet_not_found")
    return outlet


def outlet_lnglat(outlet: Outlet) -> tuple[float, float]:
    point = to_shape(outlet.location)
    return point.x, point.y


def outlet_history(actor, outlet_id: int) -> list:
    """An outlet's dated versions, oldest first (staff of its circle, its city's bureau, admins)."""
    authorize_circle(actor, get_outlet(outlet_id, public=False).circle_id)
    query = select(OutletVersion).where(OutletVersion.outlet_id == outlet_id)
    return list(db.session.scalars(query.order_by(OutletVersion.valid_from, OutletVersion.id)))
