from geoalchemy2 import Geometry
from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.extensions import db
from app.common.models import Timestamps

CIRCLE_TYPES = {
    "old_town": "老城区住宅生活圈",
    "commercial": "商业文化生活圈",
    "new_residential": "新兴住宅生活圈",
    "urban_rural": "城乡结合部生活圈",
}
CITY_TIERS = ("tier1", "tier2", "other")
AGE_SHARE_COLUMNS = ("share_60_plus", "share_65_plus", "share_80_plus", "share_0_3")


class City(Timestamps, db.Model):
    __tablename__ = "cities"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    province: Mapped[str | None] = mapped_column(String(80))
    tier: Mapped[str] = mapped_column(String(10), default="other")
    standards_profile: Mapped[str | None] = mapped_column(String(40))
    scoring_profile: Mapped[str] = mapped_column(String(40), default="mofcom-2023")
    __table_args__ = (CheckConstraint(f"tier IN {CITY_TIERS}", name="tier"),)


class Circle(Timestamps, db.Model):
    __tablename__ = "circles"
    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="RESTRICT"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(120))
    circle_type: Mapped[str | None] = mapped_column(String(20))
    population: Mapped[int | None] = mapped_column(Integer)
    planned_year: Mapped[int | None] = mapped_column(Integer)
    district: Mapped[str | None] = mapped_column(String(80))
    street: Mapped[str | None] = mapped_column(String(80))
    four_bounds: Mapped[str | None] = mapped_column(Text)  # 四至, as the plan words it
    profile: Mapped[dict] = mapped_column(JSONB, default=dict)  # descriptive facts from the plan
    boundary = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped in the same transaction as any change to the circle's evaluation inputs (see
    # evaluation/invalidation.py) and part of every cached result's name: a lost cache invalidation
    # (Redis unreachable at commit) can never serve a stale result once Redis is back.
    evaluation_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    city = relationship(City, lazy="joined")
    communities = relationship(
        "Community",
        back_populates="circle",
        order_by="Community.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        UniqueConstraint("city_id", "name", name="uq_circles_city_name"),
        UniqueConstraint("city_id", "external_id", name="uq_circles_city_external_id"),
        CheckConstraint(f"circle_type IS NULL OR circle_type IN {tuple(CIRCLE_TYPES)}", name="circle_type"),
        CheckConstraint("population IS NULL OR population >= 0", name="population"),
        CheckConstraint("ST_IsValid(boundary)", name="boundary_valid"),
    )


class Community(Timestamps, db.Model):
    __tablename__ = "communities"
    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(120))
    population: Mapped[int | None] = mapped_column(Integer)
    share_60_plus: Mapped[float | None] = mapped_column(Float)
    share_65_plus: Mapped[float | None] = mapped_column(Float)
    share_80_plus: Mapped[float | None] = mapped_column(Float)
    share_0_3: Mapped[float | None] = mapped_column(Float)
    # The community office's number residents call (居委会); the mini-program's elder mode dials it.
    phone: Mapped[str | None] = mapped_column(String(40))
    boundary = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)

    circle = relationship(Circle, back_populates="communities")

    __table_args__ = (
        UniqueConstraint("circle_id", "name", name="uq_communities_circle_name"),
        CheckConstraint(
            " AND ".join(f"({c} IS NULL OR {c} BETWEEN 0 AND 1)" for c in AGE_SHARE_COLUMNS), name="age_shares"
        ),
        CheckConstraint("boundary IS NULL OR ST_IsValid(boundary)", name="boundary_valid"),
    )
