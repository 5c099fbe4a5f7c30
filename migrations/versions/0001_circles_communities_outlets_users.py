"""circles, communities, outlets, users

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 12:10:29.460303

"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geography
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


# An outlet's circle and community are derived by containment and stored for fast grouping. Triggers
# keep them true on every write path (API, bulk import, SQL), whether the outlet or a boundary moves.
ASSIGN_OUTLET = """
CREATE OR REPLACE FUNCTION outlets_assign_area() RETURNS trigger AS $$
BEGIN
    NEW.circle_id := (SELECT c.id FROM circles c
                      WHERE ST_Covers(c.boundary, NEW.location::geometry) ORDER BY c.id LIMIT 1);
    NEW.community_id := (SELECT m.id FROM communities m
                         WHERE m.boundary IS NOT NULL AND ST_Covers(m.boundary, NEW.location::geometry)
                         ORDER BY m.id LIMIT 1);
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER outlets_assign_area BEFORE INSERT OR UPDATE OF location ON outlets
    FOR EACH ROW EXECUTE FUNCTION outlets_assign_area();
"""

REASSIGN_ON_BOUNDARY = """
CREATE OR REPLACE FUNCTION {table}_reassign_outlets() RETURNS trigger AS $$
BEGIN
    -- Touching location re-runs outlets_assign_area for the outlets the old or new boundary holds.
    -- The && pre-filter (on a box widened by ~10 m) lets the geography GiST index find the candidates.
    IF TG_OP <> 'DELETE' AND NEW.boundary IS NOT NULL THEN
        UPDATE outlets o SET location = o.location
        WHERE o.location && CAST(ST_Expand(NEW.boundary, 0.0001) AS geography)
          AND ST_Covers(NEW.boundary, o.location::geometry);
    END IF;
    IF TG_OP <> 'INSERT' THEN
        UPDATE outlets o SET location = o.location WHERE o.{fk} = OLD.id;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER {table}_reassign_outlets AFTER INSERT OR UPDATE OF boundary OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_reassign_outlets();
"""


def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('cities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('province', sa.String(length=80), nullable=True),
    sa.Column('tier', sa.String(length=10), nullable=False),
    sa.Column('standards_profile', sa.String(length=40), nullable=True),
    sa.Column('scoring_profile', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("tier IN ('tier1', 'tier2', 'other')", name=op.f('ck_cities_tier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cities')),
    sa.UniqueConstraint('code', name=op.f('uq_cities_code'))
    )
    op.create_geospatial_table('circles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=80), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('circle_type', sa.String(length=20), nullable=True),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('planned_year', sa.Integer(), nullable=True),
    sa.Column('district', sa.String(length=80), nullable=True),
    sa.Column('street', sa.String(length=80), nullable=True),
    sa.Column('four_bounds', sa.Text(), nullable=True),
    sa.Column('profile', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('boundary', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('synthetic', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("circle_type IS NULL OR circle_type IN ('old_town', 'commercial', 'new_residential', 'urban_rural')", name=op.f('ck_circles_circle_type')),
    sa.CheckConstraint('ST_IsValid(boundary)', name=op.f('ck_circles_boundary_valid')),
    sa.CheckConstraint('population IS NULL OR population >= 0', name=op.f('ck_circles_population')),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_circles_city_id_cities'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circles')),
    sa.UniqueConstraint('city_id', 'external_id', name='uq_circles_city_external_id'),
    sa.UniqueConstraint('city_id', 'name', name='uq_circles_city_name')
    )
    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_circles_boundary', ['boundary'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index(batch_op.f('ix_circles_city_id'), ['city_id'], unique=False)

    op.create_geospatial_table('communities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=80), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('share_60_plus', sa.Float(), nullable=True),
    sa.Column('share_65_plus', sa.Float(), nullable=True),
    sa.Column('share_80_plus', sa.Float(), nullable=True),
    sa.Column('share_0_3', sa.Float(), nullable=True),
    sa.Column('boundary', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('synthetic', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('(share_60_plus IS NULL OR share_60_plus BETWEEN 0 AND 1) AND (share_65_plus IS NULL OR share_65_plus BETWEEN 0 AND 1) AND (share_80_plus IS NULL OR share_80_plus BETWEEN 0 AND 1) AND (share_0_3 IS NULL OR share_0_3 BETWEEN 0 AND 1)', name=op.f('ck_communities_age_shares')),
    sa.CheckConstraint('boundary IS NULL OR ST_IsValid(boundary)', name=op.f('ck_communities_boundary_valid')),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_communities_circle_id_circles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_communities')),
    sa.UniqueConstraint('circle_id', 'name', name='uq_communities_circle_name')
    )
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_communities_boundary', ['boundary'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index(batch_op.f('ix_communities_circle_id'), ['circle_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=True),
    sa.Column('unionid', sa.String(length=64), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('display_name', sa.String(length=64), nullable=True),
    sa.Column('roles', postgresql.ARRAY(sa.String(length=16)), nullable=False),
    sa.Column('home_circle_id', sa.Integer(), nullable=True),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("roles <@ ARRAY['resident', 'merchant', 'staff', 'admin']::varchar[]", name=op.f('ck_users_known_roles')),
    sa.CheckConstraint('openid IS NOT NULL OR username IS NOT NULL', name=op.f('ck_users_has_identity')),
    sa.ForeignKeyConstraint(['home_circle_id'], ['circles.id'], name=op.f('fk_users_home_circle_id_circles'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('openid', name=op.f('uq_users_openid')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_unionid'), ['unionid'], unique=False)

    op.create_geospatial_table('outlets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=80), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_initials', sa.String(length=120), nullable=False),
    sa.Column('types', postgresql.ARRAY(sa.String(length=40)), nullable=False),
    sa.Column('location', Geography(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeogFromText', name='geography', nullable=False), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('hours', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('open_24h', sa.Boolean(), nullable=False),
    sa.Column('closed_on_holidays', sa.Boolean(), nullable=False),
    sa.Column('open_minutes', postgresql.INT4MULTIRANGE(), nullable=True),
    sa.Column('photos', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('avg_spend', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('chain', sa.Boolean(), nullable=False),
    sa.Column('brand', sa.String(length=80), nullable=True),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('online_platforms', postgresql.ARRAY(sa.String(length=40)), nullable=False),
    sa.Column('quality_brand', sa.String(length=20), nullable=True),
    sa.Column('delivery', sa.Boolean(), nullable=False),
    sa.Column('accepts_cash', sa.Boolean(), nullable=False),
    sa.Column('elderly_friendly', sa.Boolean(), nullable=False),
    sa.Column('qr_payment', sa.Boolean(), nullable=False),
    sa.Column('services', postgresql.ARRAY(sa.String(length=40)), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('rating_avg', sa.Float(), nullable=True),
    sa.Column('rating_count', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('synthetic', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("quality_brand IS NULL OR quality_brand IN ('new_consumer', 'internet_famous', 'international', 'time_honored')", name=op.f('ck_outlets_quality_brand')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'suspended', 'closed')", name=op.f('ck_outlets_status')),
    sa.CheckConstraint('avg_spend IS NULL OR avg_spend >= 0', name=op.f('ck_outlets_avg_spend')),
    sa.CheckConstraint('cardinality(types) >= 1', name=op.f('ck_outlets_has_type')),
    sa.CheckConstraint('rating_avg IS NULL OR rating_avg BETWEEN 1 AND 5', name=op.f('ck_outlets_rating_avg')),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_outlets_circle_id_circles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_outlets_community_id_communities'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outlets')),
    sa.UniqueConstraint('external_id', name=op.f('uq_outlets_external_id'))
    )
    with op.batch_alter_table('outlets', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_outlets_location', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index('ix_outlets_address_trgm', ['address'], unique=False, postgresql_using='gin', postgresql_ops={'address': 'gin_trgm_ops'})
        batch_op.create_index(batch_op.f('ix_outlets_circle_id'), ['circle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outlets_community_id'), ['community_id'], unique=False)
        batch_op.create_index('ix_outlets_name_trgm', ['name'], unique=False, postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})
        batch_op.create_index('ix_outlets_types', ['types'], unique=False, postgresql_using='gin')

    op.create_table('staff_circles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_staff_circles_circle_id_circles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_circles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'circle_id', name=op.f('pk_staff_circles'))
    )
    op.execute(ASSIGN_OUTLET)
    op.execute(REASSIGN_ON_BOUNDARY.format(table="circles", fk="circle_id"))
    op.execute(REASSIGN_ON_BOUNDARY.format(table="communities", fk="community_id"))


def downgrade():
    for table in ("circles", "communities"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_reassign_outlets ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_reassign_outlets()")
    op.execute("DROP TRIGGER IF EXISTS outlets_assign_area ON outlets")
    op.execute("DROP FUNCTION IF EXISTS outlets_assign_area()")
    op.drop_table('staff_circles')
    with op.batch_alter_table('outlets', schema=None) as batch_op:
        batch_op.drop_index('ix_outlets_types', postgresql_using='gin')
        batch_op.drop_index('ix_outlets_name_trgm', postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})
        batch_op.drop_index(batch_op.f('ix_outlets_community_id'))
        batch_op.drop_index(batch_op.f('ix_outlets_circle_id'))
        batch_op.drop_index('ix_outlets_address_trgm', postgresql_using='gin', postgresql_ops={'address': 'gin_trgm_ops'})
        batch_op.drop_geospatial_index('idx_outlets_location', postgresql_using='gist', column_name='location')

    op.drop_geospatial_table('outlets')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_unionid'))

    op.drop_table('users')
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_communities_circle_id'))
        batch_op.drop_geospatial_index('idx_communities_boundary', postgresql_using='gist', column_name='boundary')

    op.drop_geospatial_table('communities')
    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circles_city_id'))
        batch_op.drop_geospatial_index('idx_circles_boundary', postgresql_using='gist', column_name='boundary')

    op.drop_geospatial_table('circles')
    op.drop_table('cities')
