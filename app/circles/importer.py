"""Bulk import of circle plans (GeoJSON): circles with their communities, re-runnable.

A re-import updates what it finds instead of duplicating: circles match by (city, external_id), else
(city, name); communities by (circle, external_id), else (circle, name). One bad feature is reported and
skipped while the rest still load.

Circles load as a batch (_BatchRun): every feature is checked in Python against the circles of its city,
read once, and the good ones are written by a few flushes of many rows each (a province's 3,000 circles in
a handful of INSERT statements instead of ~10 statements and a savepoint per circle). Should the database
still refuse the batch (a constraint the checks here do not know), it is undone and the file loads again
feature by feature, each in its own savepoint (_Run), so the report names the feature. Communities load one
by one in their savepoints, after their circles.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from marshmallow import ValidationError as MarshmallowError
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import defer

from app.circles import settings
from app.circles.models import Circle, City, Community
from app.circles.service import circle_type_code, find_or_create_city
from app.circles.signals import outlets_moved
from app.common.covering import lowest_covering
from app.common.errors import AppError, ValidationFailed, one_line_reason
from app.common.extensions import db
from app.common.schemas import PHONE
from app.common.shapes import area_from_geojson
from app.common.tx import write_use_case

CIRCLE_PROPS = {
    "name",
    "external_id",
    "type",
    "circle_type",
    "population",
    "planned_year",
    "city",
    "district",
    "street",
    "four_bounds",
    "profile",
    "communities",
    "synthetic",
    # settings of the circle's city (the same for every circle of a city in one file)
    "tier",
    "standards_profile",
    "scoring_profile",
}
CITY_SETTING_PROPS = ("tier", "standards_profile", "scoring_profile")
COMMUNITY_PROPS = {
    "name",
    "external_id",
    "phone",
    "population",
    "share_60_plus",
    "share_65_plus",
    "share_80_plus",
    "share_0_3",
    "circle",
    "city",
    "synthetic",
}
SHARES = ("share_60_plus", "share_65_plus", "share_80_plus", "share_0_3")
_TEXT_LIMITS = {
    "name": 120,
    "external_id": 80,
    "district": 80,
    "street": 80,
    "four_bounds": None,
    "city": 80,
    "phone": 40,
}


class ImportFileError(Exception):
    """The file as a whole cannot be read (not JSON, not a FeatureCollection)."""


@dataclass
class FeatureError:
    source: str  # "circles" or "communities" (the second file)
    index: int  # 0-based position in the file's "features", as jq and editors show it
    name: str | None
    reason: str
    community_index: int | None = None  # set for a community nested inside a circle feature

    def __str__(self):
        where = f"{self.source} features[{self.index}]"
        if self.community_index is not None:
            where += f".communities[{self.community_index}]"
        return f"{where} ({self.name or '无名称'}): {self.reason}"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    failed: int = 0


@dataclass
class CircleImportResult:
    circles: Counts = field(default_factory=Counts)
    communities: Counts = field(default_factory=Counts)
    errors: list[FeatureError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> int:
        return self.circles.failed + self.communities.failed

    def summary(self) -> str:
        c, m = self.circles, self.communities
        prefix = "[dry run, nothing saved] " if self.dry_run else ""
        return (
            f"{prefix}circles: {c.created} created, {c.updated} updated, {c.failed} failed; "
            f"communities: {m.created} created, {m.updated} updated, {m.failed} failed"
        )


def load_feature_collection(path) -> dict:
    try:
        data = json.loads(Path(path).read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFileError(f"{path}: 不是有效的 UTF-8 JSON（{error}）") from None
    if not (
        isinstance(data, dict) and data.get("type") == "FeatureCollection" and isinstance(data.get("features"), list)
    ):
        raise ImportFileError(f"{path}: 应为 GeoJSON FeatureCollection")
    return data


@write_use_case
def import_circles(
    collection: dict,
    communities: dict | None = None,
    *,
    city: str | None = None,
    coord: str = "wgs84",
    dry_run: bool = False,
    city_settings: dict | None = None,
) -> CircleImportResult:
    """Loads circle features (and communities, nested or from a second collection); commits once.
    city_settings (tier, standards/scoring profile) apply to `city`; features may carry them too."""
    outer = db.session.begin_nested()  # lets a dry run undo everything, including cities it created
    if city and city_settings:
        settings.apply_settings(None, find_or_create_city(city), city_settings, source="import")
    try:
        with db.session.begin_nested():
            run = _BatchRun(CircleImportResult(dry_run=dry_run), city, coord)
            run.load(collection, communities)
    except DBAPIError:
        # Refused by the database as a batch: again one feature at a time, the refused one reported.
        run = _Run(CircleImportResult(dry_run=dry_run), city, coord)
        run.load(collection, communities)
    if dry_run:
        outer.rollback()
    else:
        outer.commit()
    return run.result


class _Run:
    def __init__(self, result: CircleImportResult, default_city: str | None, coord: str):
        self.result, self.default_city, self.coord = result, default_city, coord
        self.circles_seen: dict[tuple, int] = {}  # (city name, "external_id"/"name", value) → feature index
        self.circle_ids: dict[tuple[str, str], list[int]] = {}  # ("id"/"name", value) → circle ids loaded now
        self.unknown_props: set[str] = set()
        self.unknown_community_props: set[str] = set()
        self.city_settings_seen: dict[int, tuple[int, dict]] = {}  # city id → (feature index, settings)

    def load(self, collection: dict, communities: dict | None):
        for index, feature in enumerate(collection.get("features") or []):
            self.circle_feature(index, feature)
        for index, feature in enumerate((communities or {}).get("features") or []):
            self.community_feature(index, feature)

    # circles -------------------------------------------------------------------------------------------

    def circle_feature(self, index: int, feature):
        props = _properties(feature)
        name = _label(props)
        try:
            with db.session.begin_nested():
                circle, created = self._save_circle(index, feature, props)
        except (AppError, DBAPIError) as error:
            self.result.circles.failed += 1
            self.result.errors.append(FeatureError("circles", index, name, one_line_reason(error)))
            return
        counts = self.result.circles
        counts.created, counts.updated = counts.created + created, counts.updated + (not created)
        self._remember(circle)
        self._nested_communities(index, name, circle, props)

    def _nested_communities(self, index, name, circle, props):
        for sub_index, sub in enumerate(props.get("communities") or []):
            self._community(
                circle,
                sub,
                lambda reason, sub_name, i=sub_index: FeatureError(
                    "circles", index, name, f"社区 {sub_name or '无名称'}：{reason}", community_index=i
                ),
            )

    def _checked_fields(self, feature, props):
        """The feature's fields, its city's name and its key in the file; what needs no database."""
        _check_feature(feature)
        self._note_unknown(props, CIRCLE_PROPS, self.unknown_props, "circle")
        fields = _circle_fields(props)
        city_name = fields.pop("city", None) or self.default_city
        if not city_name:
            raise ValidationFailed(details={"city": ["缺少城市：在属性 city 中给出，或使用 --city"]})
        key = (
            (city_name, "external_id", fields["external_id"])
            if fields.get("external_id")
            else (city_name, "name", fields["name"])
        )
        if key in self.circles_seen:
            raise ValidationFailed(details={key[1]: [f"与 features[{self.circles_seen[key]}] 重复"]})
        return fields, city_name, key

    def _save_circle(self, index, feature, props):
        fields, city_name, key = self._checked_fields(feature, props)
        city = find_or_create_city(city_name)
        self._city_settings(index, city, props)
        circle = _find_circle(city.id, fields.get("external_id"), fields["name"])
        created = circle is None
        if created:
            if feature.get("geometry") is None:
                raise ValidationFailed(details={"geometry": ["新建生活圈必须有边界"]})
            circle = Circle(city=city, profile={})
            db.session.add(circle)
        elif fields["name"] != circle.name and db.session.scalar(
            select(Circle.id).where(Circle.city_id == city.id, Circle.name == fields["name"], Circle.id != circle.id)
        ):
            raise ValidationFailed(details={"name": [f"同一城市已有名为 {fields['name']} 的生活圈"]})
        if "profile" in fields:
            fields["profile"] = {**(circle.profile or {}), **fields["profile"]}
        for key_, value in fields.items():
            setattr(circle, key_, value)
        if feature.get("geometry") is not None:
            circle.boundary = area_from_geojson(feature["geometry"], self.coord, "geometry")
        db.session.flush()
        self.circles_seen[key] = index
        return circle, created

    def _city_settings(self, index, city, props):
        """tier / standards_profile / scoring_profile properties set the city's settings (audited)."""
        wanted = settings.validate_settings({k: props[k] for k in CITY_SETTING_PROPS if props.get(k) is not None})
        if not wanted:
            return
        seen = self.city_settings_seen.get(city.id)
        if seen is not None:
            message = f"与 features[{seen[0]}] 给出的城市设置不一致"
            clash = {k: [message] for k, v in wanted.items() if seen[1].get(k, v) != v}
            if clash:
                raise ValidationFailed(details=clash)
        self.city_settings_seen[city.id] = (seen[0] if seen else index, {**(seen[1] if seen else {}), **wanted})
        settings.apply_settings(None, city, wanted, source="import")

    def _remember(self, circle):
        if circle.external_id:
            self.circle_ids.setdefault(("id", circle.external_id), []).append(circle.id)
        self.circle_ids.setdefault(("name", circle.name), []).append(circle.id)

    # communities ---------------------------------------------------------------------------------------

    def community_feature(self, index: int, feature):
        """A feature of the second file: its `circle` property names the circle (name or external_id)."""
        props = _properties(feature)
        name = _label(props)

        def error(reason, sub_name=None):
            return FeatureError("communities", index, name, reason)

        try:
            circle = self._circle_for(props)
        except AppError as failure:
            self.result.communities.failed += 1
            self.result.errors.append(error(one_line_reason(failure)))
            return
        self._community(circle, feature, error)

    def _circle_for(self, props) -> Circle:
        ref = props.get("circle")
        if ref in (None, ""):
            raise ValidationFailed(details={"circle": ["缺少所属生活圈（circle：名称或编号）"]})
        ref = str(ref).strip()
        # Circles loaded by this run win: the second file usually belongs to the first.
        ids = self.circle_ids.get(("id", ref)) or self.circle_ids.get(("name", ref))
        if not ids:
            query = select(Circle.id).where((Circle.external_id == ref) | (Circle.name == ref))
            city_name = props.get("city") or self.default_city
            if city_name:
                query = query.join(City).where((City.name == str(city_name)) | (City.code == str(city_name)))
            ids = list(db.session.scalars(query))
        if not ids:
            raise ValidationFailed(details={"circle": [f"找不到生活圈：{ref}"]})
        if len(set(ids)) > 1:
            raise ValidationFailed(details={"circle": [f"生活圈 {ref} 不唯一，请用 city 属性或 --city 指明城市"]})
        return db.session.get(Circle, ids[0])

    def _community(self, circle: Circle, feature, make_error):
        props = _properties(feature)
        try:
            with db.session.begin_nested():
                created = self._save_community(circle, feature, props)
        except (AppError, DBAPIError) as error:
            self.result.communities.failed += 1
            self.result.errors.append(make_error(one_line_reason(error), _label(props)))
            return
        counts = self.result.communities
        counts.created, counts.updated = counts.created + created, counts.updated + (not created)

    def _save_community(self, circle, feature, props) -> bool:
        _check_feature(feature, allow_bare_properties=True)
        self._note_unknown(props, COMMUNITY_PROPS, self.unknown_community_props, "community")
        fields = _community_fields(props)
        community = _find_community(circle.id, fields.get("external_id"), fields["name"])
        created = community is None
        if created:
            community = Community(circle=circle)
            db.session.add(community)
        elif fields["name"] != community.name and db.session.scalar(
            select(Community.id).where(
                Community.circle_id == circle.id, Community.name == fields["name"], Community.id != community.id
            )
        ):
            raise ValidationFailed(details={"name": [f"该生活圈已有名为 {fields['name']} 的社区"]})
        for key, value in fields.items():
            setattr(community, key, value)
        geometry = feature.get("geometry") if feature.get("type") == "Feature" else None
        if geometry is not None:
            community.boundary = area_from_geojson(geometry, self.coord, "geometry")
        db.session.flush()
        return created

    def _note_unknown(self, props, known, seen, kind):
        new = set(props) - known - seen
        if new:
            seen |= new
            self.result.warnings.append(
                f"忽略未知的{'生活圈' if kind == 'circle' else '社区'}属性：{', '.join(sorted(new))}"
            )


class _BatchRun(_Run):
    """The same checks and the same report as _Run, with the circles of a city read once and the good
    features' circles written together (see the module's docstring). Nothing a feature would change is
    touched until all its checks passed, so a bad feature leaves no trace without a savepoint."""

    FLUSH_EVERY = 1000  # circles written per flush (SQLAlchemy sends each flush's INSERTs as a few statements)

    def __init__(self, result: CircleImportResult, default_city: str | None, coord: str):
        super().__init__(result, default_city, coord)
        self.cities: dict[str, City] = {}  # name → city (found, or new and not yet written)
        self.by_external_id: dict[tuple[City, str], Circle] = {}  # a city's circles as this run leaves them
        self.by_name: dict[tuple[City, str], Circle] = {}
        self.unflushed = 0
        self.loaded: list[tuple[int, str | None, Circle, dict]] = []  # for their nested communities
        self.bounded: list[Circle] = []  # circles whose boundary this run wrote

    def load(self, collection: dict, communities: dict | None):
        _set_bulk("on")  # the row trigger circles_reassign_outlets steps aside (migration 0020) …
        for index, feature in enumerate(collection.get("features") or []):
            self.circle_feature(index, feature)
        db.session.flush()
        _set_bulk("")
        # … and the outlets under the new or moved boundaries are given their circle here, all at once.
        _reassign_outlets(sorted({circle.id for circle in self.bounded}))
        for index, name, circle, props in self.loaded:
            self._remember(circle)
            self._nested_communities(index, name, circle, props)
        for index, feature in enumerate((communities or {}).get("features") or []):
            self.community_feature(index, feature)
        # Reported as _Run reports them: each circle's nested communities right after it, then the second file.
        self.result.errors.sort(key=lambda e: (e.source == "communities", e.index, e.community_index or -1))

    def circle_feature(self, index: int, feature):
        props = _properties(feature)
        name = _label(props)
        try:
            circle, created = self._stage_circle(index, feature, props)
        except AppError as error:
            self.result.circles.failed += 1
            self.result.errors.append(FeatureError("circles", index, name, one_line_reason(error)))
            return
        counts = self.result.circles
        counts.created, counts.updated = counts.created + created, counts.updated + (not created)
        self.loaded.append((index, name, circle, props))
        self.unflushed += 1
        if self.unflushed >= self.FLUSH_EVERY:
            db.session.flush()
            self.unflushed = 0

    def _stage_circle(self, index, feature, props):
        """_Run._save_circle's checks in its order, then its changes."""
        fields, city_name, key = self._checked_fields(feature, props)
        city = self._city(city_name)
        wanted = self._check_city_settings(index, city, props)
        circle = self._find(city, fields.get("external_id"), fields["name"])
        created = circle is None
        if created and feature.get("geometry") is None:
            raise ValidationFailed(details={"geometry": ["新建生活圈必须有边界"]})
        if not created and fields["name"] != circle.name and self.by_name.get((city, fields["name"])) is not None:
            raise ValidationFailed(details={"name": [f"同一城市已有名为 {fields['name']} 的生活圈"]})
        boundary = None
        if feature.get("geometry") is not None:
            boundary = area_from_geojson(feature["geometry"], self.coord, "geometry")
        # Every check passed: the changes.
        if city.id is None:
            db.session.add(city)
            db.session.flush()  # settings are audited by the city's id
        if wanted:
            settings.apply_settings(None, city, wanted, source="import")
        if created:
            circle = Circle(city=city, profile={})
            db.session.add(circle)
        else:
            self._forget(city, circle)
        if "profile" in fields:
            fields["profile"] = {**(circle.profile or {}), **fields["profile"]}
        for key_, value in fields.items():
            setattr(circle, key_, value)
        if boundary is not None:
            circle.boundary = boundary
            self.bounded.append(circle)
        self._index(city, circle)
        self.circles_seen[key] = index
        return circle, created

    def _city(self, name: str) -> City:
        """find_or_create_city, remembered; a new city is written with its first good circle."""
        city = self.cities.get(name)
        if city is None:
            city = db.session.scalar(select(City).where((City.code == name) | (City.name == name)))
            if city is None:
                city = City(name=name, code=name)
            else:
                query = select(Circle).options(defer(Circle.boundary)).where(Circle.city_id == city.id)
                for circle in db.session.scalars(query):
                    self._index(city, circle)
            self.cities[name] = city
        return city

    def _check_city_settings(self, index, city, props) -> dict:
        """_Run._city_settings without applying them (the feature may still fail)."""
        wanted = settings.validate_settings({k: props[k] for k in CITY_SETTING_PROPS if props.get(k) is not None})
        if not wanted:
            return wanted
        seen = self.city_settings_seen.get(id(city))
        if seen is not None:
            message = f"与 features[{seen[0]}] 给出的城市设置不一致"
            clash = {k: [message] for k, v in wanted.items() if seen[1].get(k, v) != v}
            if clash:
                raise ValidationFailed(details=clash)
        self.city_settings_seen[id(city)] = (seen[0] if seen else index, {**(seen[1] if seen else {}), **wanted})
        return wanted

    def _find(self, city: City, external_id: str | None, name: str) -> Circle | None:
        """_find_circle over the city's circles as this run has left them."""
        if external_id:
            circle = self.by_external_id.get((city, external_id))
            if circle is not None:
                return circle
        circle = self.by_name.get((city, name))
        if circle is not None and external_id and circle.external_id and circle.external_id != external_id:
            raise ValidationFailed(details={"external_id": [f"名称 {name} 已属于编号为 {circle.external_id} 的生活圈"]})
        return circle

    def _index(self, city, circle):
        if circle.external_id:
            self.by_external_id[(city, circle.external_id)] = circle
        self.by_name[(city, circle.name)] = circle

    def _forget(self, city, circle):
        if circle.external_id and self.by_external_id.get((city, circle.external_id)) is circle:
            del self.by_external_id[(city, circle.external_id)]
        if self.by_name.get((city, circle.name)) is circle:
            del self.by_name[(city, circle.name)]


def _set_bulk(value: str):
    """Local to the transaction, and undone with the batch's savepoint should the database refuse it."""
    db.session.execute(text("SELECT set_config('app.circles_bulk', :v, true)"), {"v": value})


# The rule of the trigger outlets_assign_area (see lowest_covering) for the outlets a batch may move: those
# under a boundary it wrote and those its circles held. Found walking from the circles' side as well.
_CANDIDATES = """
CREATE TEMP TABLE circle_import_outlets AS
SELECT o.id, o.location::geometry AS geom, o.circle_id AS old_circle_id
FROM circles c
CROSS JOIN LATERAL (
    SELECT o.id, o.location, o.circle_id FROM outlets o
    WHERE o.location && CAST(ST_Expand(c.boundary, 0.0001) AS geography) AND ST_Covers(c.boundary, o.location::geometry)
    OFFSET 0
) o
WHERE c.id = ANY(:ids)
UNION
SELECT o.id, o.location::geometry, o.circle_id FROM outlets o WHERE o.circle_id = ANY(:ids)
"""
_REASSIGN = f"""
UPDATE outlets o SET circle_id = n.circle_id
FROM (
    SELECT t.id, t.old_circle_id, m.circle_id
    FROM circle_import_outlets t
    LEFT JOIN ({lowest_covering("circles", "circle_import_outlets", "id", area_id="circle_id")}) m USING (id)
) n
WHERE o.id = n.id AND o.circle_id IS DISTINCT FROM n.circle_id
RETURNING n.old_circle_id, n.circle_id
"""


def _reassign_outlets(circle_ids: list[int]):
    """What circles_reassign_outlets does one circle at a time, for the batch's circles at once. Each moved
    outlet still passes outlets_keep_history, which records its new circle."""
    if not circle_ids:
        return
    session = db.session
    session.execute(text("DROP TABLE IF EXISTS pg_temp.circle_import_outlets"))
    session.execute(text(_CANDIDATES), {"ids": circle_ids})
    session.execute(text("CREATE INDEX ON circle_import_outlets USING gist (geom)"))
    session.execute(text("ANALYZE circle_import_outlets"))
    moves = session.execute(text(_REASSIGN)).all()
    session.execute(text("DROP TABLE pg_temp.circle_import_outlets"))
    # Both ends of every move: the circle an outlet left may be one the file never named.
    outlets_moved.send(None, circle_ids=sorted({i for move in moves for i in move if i is not None}))


# lookups -----------------------------------------------------------------------------------------------


def _find_circle(city_id: int, external_id: str | None, name: str) -> Circle | None:
    if external_id:
        circle = db.session.scalar(select(Circle).where(Circle.city_id == city_id, Circle.external_id == external_id))
        if circle is not None:
            return circle
    circle = db.session.scalar(select(Circle).where(Circle.city_id == city_id, Circle.name == name))
    if circle is not None and external_id and circle.external_id and circle.external_id != external_id:
        # Same name, different id: two plans disagree about which circle this is; a person must decide.
        raise ValidationFailed(details={"external_id": [f"名称 {name} 已属于编号为 {circle.external_id} 的生活圈"]})
    return circle


def _find_community(circle_id: int, external_id: str | None, name: str) -> Community | None:
    if external_id:
        community = db.session.scalar(
            select(Community).where(Community.circle_id == circle_id, Community.external_id == external_id).limit(1)
        )
        if community is not None:
            return community
    community = db.session.scalar(select(Community).where(Community.circle_id == circle_id, Community.name == name))
    if community is not None and external_id and community.external_id and community.external_id != external_id:
        raise ValidationFailed(details={"external_id": [f"名称 {name} 已属于编号为 {community.external_id} 的社区"]})
    return community


# property parsing --------------------------------------------------------------------------------------


def _circle_fields(props: dict) -> dict:
    errors, fields = {}, {}
    _text(props, "name", fields, errors, required=True)
    for key in ("external_id", "city", "district", "street", "four_bounds"):
        _text(props, key, fields, errors)
    try:
        raw_type = props.get("circle_type", props.get("type"))
        if raw_type is not None:
            fields["circle_type"] = circle_type_code(str(raw_type).strip())
    except ValidationFailed as error:
        errors.update(error.details)
    _integer(props, "population", fields, errors, minimum=0)
    _integer(props, "planned_year", fields, errors, minimum=1949, maximum=2100)
    if props.get("profile") is not None:
        if isinstance(props["profile"], dict):
            fields["profile"] = props["profile"]
        else:
            errors["profile"] = ["应为对象"]
    if props.get("communities") is not None and not isinstance(props["communities"], list):
        errors["communities"] = ["应为 Feature 列表"]
    _flag(props, "synthetic", fields, errors)
    if errors:
        raise ValidationFailed(details=errors)
    return fields


def _community_fields(props: dict) -> dict:
    errors, fields = {}, {}
    _text(props, "name", fields, errors, required=True)
    _text(props, "external_id", fields, errors)
    _text(props, "phone", fields, errors)
    if "phone" in fields:
        try:
            PHONE(fields["phone"])  # the same rule as the console's community form
        except MarshmallowError as invalid:
            errors["phone"] = invalid.messages
    _integer(props, "population", fields, errors, minimum=0)
    for key in SHARES:
        value = props.get(key)
        if value in (None, ""):
            continue
        number = _number(value)
        if number is None or not 0 <= number <= 1:
            errors[key] = ["应为 0 到 1 之间的比例（如 0.18）"]
        else:
            fields[key] = number
    _flag(props, "synthetic", fields, errors)
    if errors:
        raise ValidationFailed(details=errors)
    return fields


def _text(props, key, fields, errors, required=False):
    value = props.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[key] = ["必填"]
        return
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        errors[key] = ["应为文本"]
        return
    value = str(value).strip()
    limit = _TEXT_LIMITS.get(key)
    if limit and len(value) > limit:
        errors[key] = [f"不能超过 {limit} 个字符"]
        return
    fields[key] = value


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _integer(props, key, fields, errors, minimum=None, maximum=None):
    value = props.get(key)
    if value in (None, ""):
        return
    number = _number(value)
    if number is None or number != int(number):
        errors[key] = ["应为整数"]
    elif (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        errors[key] = ["超出允许范围"]
    else:
        fields[key] = int(number)


def _flag(props, key, fields, errors):
    value = props.get(key)
    if value is None:
        return
    if not isinstance(value, bool):
        errors[key] = ["应为 true 或 false"]
    else:
        fields[key] = value


def _properties(feature) -> dict:
    if not isinstance(feature, dict):
        return {}
    props = feature.get("properties") if feature.get("type") == "Feature" else feature
    return props if isinstance(props, dict) else {}


def _check_feature(feature, allow_bare_properties=False):
    if not isinstance(feature, dict):
        raise ValidationFailed(details={"feature": ["应为 GeoJSON Feature 对象"]})
    if feature.get("type") != "Feature" and not allow_bare_properties:
        raise ValidationFailed(details={"type": ["应为 Feature"]})
    if feature.get("type") == "Feature" and not isinstance(feature.get("properties"), dict):
        raise ValidationFailed(details={"properties": ["缺少 properties 对象"]})


def _label(props: dict) -> str | None:
    name = props.get("name")
    return str(name) if name not in (None, "") else None
