from datetime import datetime

from geoalchemy2 import Geography
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, INT4MULTIRANGE, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.common.extensions import db
from app.common.models import Timestamps

OUTLET_STATUSES = ("pending", "approved", "suspended", "closed")
QUALITY_BRAND_KINDS = ("new_consumer", "internet_famous", "international", "time_honored")  # 新消费/网红/国际/老字号


# What nearby search can test inside the spatial index (migration 0026 writes the same expression): the types,
# the add-on services, every character of the name and address, lowercased, and the pinyin initials' first two
# letters as one lexeme "^xy" (initials only match a keyword as its start: `name_initials LIKE 'kw%'`); their
# every letter (≈ 30 % of the lexemes) cost the 1M import ≈ 2.5 s of index build (bench/README.md, session 7).
# A keyword's match needs all its characters here, or its initials' lexeme, or a type or service it means
# (outlets.search._keyword_lexemes). Spelled as PostgreSQL prints it back, which is what the models-and-migrations
# test compares. `{o}`: the table's alias and a dot in a query, empty in the index.
INITIALS_LEXEME_LETTERS = 2
SEARCH_LEXEMES = (
    "(setweight(array_to_tsvector({o}types::text[]), 'A'::\"char\") || array_to_tsvector(({o}services::text[]"
    " || string_to_array(lower({o}name::text || COALESCE({o}address, ''::character varying)::text), NULL::text))"
    f" || ('^'::text || \"left\"({{o}}name_initials::text, {INITIALS_LEXEME_LETTERS}))))"
)


class Outlet(Timestamps, db.Model):
    __tablename__ = "outlets"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_initials: Mapped[str] = mapped_column(String(120), default="")  # pinyin initials for keyword search
    types: Mapped[list[str]] = mapped_column(ARRAY(String(40)))  # 一店多能: each type counts
    location = mapped_column(Geography("POINT", srid=4326, spatial_index=False), nullable=False)
    address: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str | None] = mapped_column(String(40))
    hours: Mapped[dict] = mapped_column(JSONB, default=dict)  # {"mon": [["07:00","20:00"]], …}
    open_24h: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_on_holidays: Mapped[bool] = mapped_column(Boolean, default=False)
    # Minutes of the week (Monday 00:00 = 0) when open; derived from hours so SQL can filter open_now.
    open_minutes = mapped_column(INT4MULTIRANGE, nullable=True)
    photos: Mapped[list] = mapped_column(JSONB, default=list)
    avg_spend: Mapped[float | None] = mapped_column(Numeric(10, 2))
    chain: Mapped[bool] = mapped_column(Boolean, default=False)
    brand: Mapped[str | None] = mapped_column(String(80))
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    online_platforms: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    quality_brand: Mapped[str | None] = mapped_column(String(20))
    delivery: Mapped[bool] = mapped_column(Boolean, default=False)
    accepts_cash: Mapped[bool] = mapped_column(Boolean, default=True)
    elderly_friendly: Mapped[bool] = mapped_column(Boolean, default=False)
    # Someone serves in person (not a machine or an unstaffed shop): what elderly residents need (适老化).
    face_to_face: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    qr_payment: Mapped[bool] = mapped_column(Boolean, default=False)
    services: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)  # add-on services (代收快递, 缴费 …)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="approved")
    rating_avg: Mapped[float | None] = mapped_column(Float)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    # Kept true by database triggers whenever the outlet or a boundary moves (see migrations).
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id", ondelete="SET NULL"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="SET NULL"), index=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    # Merchant self-registration and the repair map (migration 0002).
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Licence upload id / number / exemption note: private, shown only to the owner and reviewing staff.
    certification: Mapped[dict] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    # 流动摊点: found at the place of its schedule (repair_stall_slots), not at `location`.
    mobile: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # 上门维修: serves residents inside its area (these circles, or a radius around `location`).
    on_site_service: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    service_radius_m: Mapped[int | None] = mapped_column(Integer)
    service_circle_ids: Mapped[list[int]] = mapped_column(
        ARRAY(Integer), default=list, server_default=text("'{}'::integer[]")
    )

    __table_args__ = (
        CheckConstraint(f"status IN {OUTLET_STATUSES}", name="status"),
        CheckConstraint(f"quality_brand IS NULL OR quality_brand IN {QUALITY_BRAND_KINDS}", name="quality_brand"),
        CheckConstraint("cardinality(types) >= 1", name="has_type"),
        CheckConstraint("avg_spend IS NULL OR avg_spend >= 0", name="avg_spend"),
        CheckConstraint("rating_avg IS NULL OR rating_avg BETWEEN 1 AND 5", name="rating_avg"),
        Index("ix_outlets_types", "types", postgresql_using="gin"),
        # The spatial index, with what a search can ask beside the location (SEARCH_LEXEMES): nearby search with
        # `types=` or `q=` walks it in distance order and skips what cannot match inside the index.
        # Built with buffering (the option only changes how CREATE INDEX fills it): ≈ 22 % less CPU to build over a
        # million rows, which a first load pays (bulk.py builds it after the rows; bench/README.md, session 7).
        Index(
            "ix_outlets_location_search",
            "location",
            text(SEARCH_LEXEMES.format(o="")),
            postgresql_using="gist",
            postgresql_with={"buffering": "on"},
        ),
        # The repair map's fixed points near a resident (app/repair/search.py): ≈ 2 % of outlets, found without
        # reading the other outlets' search lexemes.
        Index(
            "ix_outlets_repair_location",
            "location",
            postgresql_using="gist",
            postgresql_where=text("types && CAST(ARRAY['repair'] AS varchar[])"),
        ),
        Index("ix_outlets_services", "services", postgresql_using="gin"),  # keyword search by add-on service
        Index("ix_outlets_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
        Index("ix_outlets_address_trgm", "address", postgresql_using="gin", postgresql_ops={"address": "gin_trgm_ops"}),
        CheckConstraint("service_radius_m IS NULL OR service_radius_m BETWEEN 100 AND 50000", name="service_radius"),
        CheckConstraint(
            "NOT on_site_service OR service_radius_m IS NOT NULL OR cardinality(service_circle_ids) > 0",
            name="on_site_has_area",
        ),
        Index("ix_outlets_service_circle_ids", "service_circle_ids", postgresql_using="gin"),
        Index("ix_outlets_on_site", "id", postgresql_where=text("on_site_service")),
        # A circle's outlets, with their ids in the index: what only needs which outlets a batch of circles
        # holds (residents' usage joins the year's ratings to them) reads the index alone, not ≈ 300 heap
        # rows a circle (480 circles at 1M outlets: 0.8 → 0.4 s of PostgreSQL CPU).
        Index("ix_outlets_circle_id", "circle_id", postgresql_include=["id"]),
    )


# The outlet columns a version keeps: what the evaluation reads (presence, counts, services, areas).
HISTORY_COLUMNS = (
    "name",
    "types",
    "location",
    "address",
    "status",
    "circle_id",
    "community_id",
    "chain",
    "brand",
    "online",
    "delivery",
    "open_24h",
    "quality_brand",
    "qr_payment",
    "services",
    "owner_user_id",
    "mobile",
    "on_site_service",
    "service_radius_m",
    "service_circle_ids",
)


class OutletVersion(db.Model):
    """One state of an outlet and when it held: [valid_from, valid_to) (valid_to NULL: still current).

    Written only by the database trigger on `outlets` (every write path: API, import, SQL), so an
    evaluation as of a past date reads the outlets as they were then: opened, closed, retyped. A write
    may say when it took effect (`SET LOCAL app.outlets_as_of`, used by `flask outlets import --as-of`);
    otherwise a new outlet counts from its `created_at` and a change from the moment it is made.
    Deleting an outlet erases its history too (a wrong row, replaced demo data): closing is a status.
    """

    __tablename__ = "outlet_versions"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    outlet_id: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    name: Mapped[str] = mapped_column(String(120))
    types: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    location = mapped_column(Geography("POINT", srid=4326, spatial_index=True), nullable=False)
    address: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(12))
    circle_id: Mapped[int | None] = mapped_column(Integer)
    community_id: Mapped[int | None] = mapped_column(Integer)
    chain: Mapped[bool | None] = mapped_column(Boolean)
    brand: Mapped[str | None] = mapped_column(String(80))
    online: Mapped[bool | None] = mapped_column(Boolean)
    delivery: Mapped[bool | None] = mapped_column(Boolean)
    open_24h: Mapped[bool | None] = mapped_column(Boolean)
    quality_brand: Mapped[str | None] = mapped_column(String(20))
    qr_payment: Mapped[bool | None] = mapped_column(Boolean)
    services: Mapped[list[str] | None] = mapped_column(ARRAY(String(40)))
    owner_user_id: Mapped[int | None] = mapped_column(Integer)
    mobile: Mapped[bool | None] = mapped_column(Boolean)
    on_site_service: Mapped[bool | None] = mapped_column(Boolean)
    service_radius_m: Mapped[int | None] = mapped_column(Integer)
    service_circle_ids: Mapped[list[int] | None] = mapped_column(ARRAY(Integer))

    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="valid_range"),
        Index("ix_outlet_versions_outlet_id", "outlet_id", "valid_from"),
        Index("ix_outlet_versions_circle_id", "circle_id", "valid_from"),
        Index("ix_outlet_versions_current", "outlet_id", unique=True, postgresql_where=text("valid_to IS NULL")),
    )


class StallSlot(Timestamps, db.Model):
    """One place of a mobile stall's (流动摊点) schedule and the weekly windows it is there (社区工坊 time slots)."""

    __tablename__ = "repair_stall_slots"
    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id", ondelete="CASCADE"), index=True)
    location = mapped_column(Geography("POINT", srid=4326, spatial_index=True), nullable=False)
    address: Mapped[str] = mapped_column(String(255), default="")
    hours: Mapped[dict] = mapped_column(JSONB, default=dict)  # same shape as outlets.hours
    # Minutes of the week present, derived from hours, so "present now" is one SQL predicate.
    open_minutes = mapped_column(INT4MULTIRANGE, nullable=True)
