"""merchants, uploads, repair map

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geography
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():

    op.create_geospatial_table('merchant_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('applicant_user_id', sa.Integer(), nullable=True),
    sa.Column('outlet_id', sa.Integer(), nullable=True),
    sa.Column('circle_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('location', Geography(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeogFromText', name='geography'), nullable=True),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('reviewer_user_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind <> 'new' OR location IS NOT NULL", name=op.f('ck_merchant_applications_new_has_location')),
    sa.CheckConstraint("kind IN ('new', 'change')", name=op.f('ck_merchant_applications_kind')),
    sa.CheckConstraint("status IN ('pending', 'returned', 'approved', 'rejected')", name=op.f('ck_merchant_applications_status')),
    sa.CheckConstraint("status NOT IN ('rejected', 'returned') OR reason IS NOT NULL", name=op.f('ck_merchant_applications_decision_has_reason')),
    sa.ForeignKeyConstraint(['applicant_user_id'], ['users.id'], name=op.f('fk_merchant_applications_applicant_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_merchant_applications_circle_id_circles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlets.id'], name=op.f('fk_merchant_applications_outlet_id_outlets'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewer_user_id'], ['users.id'], name=op.f('fk_merchant_applications_reviewer_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merchant_applications'))
    )
    with op.batch_alter_table('merchant_applications', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_merchant_applications_location', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_merchant_applications_applicant_user_id'), 'merchant_applications', ['applicant_user_id'], unique=False)
    op.create_index('ix_merchant_applications_circle_id_status', 'merchant_applications', ['circle_id', 'status'], unique=False)
    op.create_index(op.f('ix_merchant_applications_outlet_id'), 'merchant_applications', ['outlet_id'], unique=False)
    op.create_table('repair_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outlet_id', sa.Integer(), nullable=False),
    sa.Column('service_code', sa.String(length=40), nullable=False),
    sa.Column('price_min', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('price_max', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('price_max IS NULL OR price_max >= price_min', name=op.f('ck_repair_offers_price_range')),
    sa.CheckConstraint('price_min >= 0', name=op.f('ck_repair_offers_price_min')),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlets.id'], name=op.f('fk_repair_offers_outlet_id_outlets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_repair_offers')),
    sa.UniqueConstraint('outlet_id', 'service_code', name='uq_repair_offers_outlet_service')
    )
    op.create_index(op.f('ix_repair_offers_outlet_id'), 'repair_offers', ['outlet_id'], unique=False)
    op.create_index(op.f('ix_repair_offers_service_code'), 'repair_offers', ['service_code'], unique=False)
    op.create_geospatial_table('repair_stall_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outlet_id', sa.Integer(), nullable=False),
    sa.Column('location', Geography(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeogFromText', name='geography', nullable=False), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('hours', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('open_minutes', postgresql.INT4MULTIRANGE(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlets.id'], name=op.f('fk_repair_stall_slots_outlet_id_outlets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_repair_stall_slots'))
    )
    with op.batch_alter_table('repair_stall_slots', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_repair_stall_slots_location', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_repair_stall_slots_outlet_id'), 'repair_stall_slots', ['outlet_id'], unique=False)
    op.create_table('uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('thumb_key', sa.String(length=200), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('media_check', sa.String(length=12), nullable=False),
    sa.Column('media_trace_id', sa.String(length=64), nullable=True),
    sa.Column('outlet_id', sa.Integer(), nullable=True),
    sa.Column('circle_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind = 'image' OR purpose = 'certification'", name=op.f('ck_uploads_pdf_only_certification')),
    sa.CheckConstraint("kind IN ('image', 'pdf')", name=op.f('ck_uploads_kind')),
    sa.CheckConstraint("media_check IN ('not_required', 'pending', 'pass', 'review', 'risky')", name=op.f('ck_uploads_media_check')),
    sa.CheckConstraint("purpose IN ('outlet_photo', 'certification', 'demand_photo', 'rating_photo')", name=op.f('ck_uploads_purpose')),
    sa.CheckConstraint('size > 0', name=op.f('ck_uploads_size')),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_uploads_circle_id_circles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlets.id'], name=op.f('fk_uploads_outlet_id_outlets'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_user_id'], ['users.id'], name=op.f('fk_uploads_owner_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_uploads')),
    sa.UniqueConstraint('media_trace_id', name=op.f('uq_uploads_media_trace_id'))
    )
    op.create_index(op.f('ix_uploads_circle_id'), 'uploads', ['circle_id'], unique=False)
    op.create_index(op.f('ix_uploads_outlet_id'), 'uploads', ['outlet_id'], unique=False)
    op.create_index(op.f('ix_uploads_owner_user_id'), 'uploads', ['owner_user_id'], unique=False)
    op.create_index(op.f('ix_uploads_sha256'), 'uploads', ['sha256'], unique=False)
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('outlet_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('circle_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('before', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('after', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_audit_entries_actor_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['application_id'], ['merchant_applications.id'], name=op.f('fk_audit_entries_application_id_merchant_applications'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_audit_entries_circle_id_circles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlets.id'], name=op.f('fk_audit_entries_outlet_id_outlets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    op.create_index(op.f('ix_audit_entries_application_id'), 'audit_entries', ['application_id'], unique=False)
    op.create_index(op.f('ix_audit_entries_circle_id'), 'audit_entries', ['circle_id'], unique=False)
    op.create_index(op.f('ix_audit_entries_outlet_id'), 'audit_entries', ['outlet_id'], unique=False)
    op.add_column('outlets', sa.Column('owner_user_id', sa.Integer(), nullable=True))
    op.add_column('outlets', sa.Column('certification', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False))
    op.add_column('outlets', sa.Column('mobile', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    op.add_column('outlets', sa.Column('on_site_service', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    op.add_column('outlets', sa.Column('service_radius_m', sa.Integer(), nullable=True))
    op.add_column('outlets', sa.Column('service_circle_ids', postgresql.ARRAY(sa.Integer()), server_default=sa.text("'{}'::integer[]"), nullable=False))
    op.create_index(op.f('ix_outlets_owner_user_id'), 'outlets', ['owner_user_id'], unique=False)
    op.create_index('ix_outlets_service_circle_ids', 'outlets', ['service_circle_ids'], unique=False, postgresql_using='gin')
    op.create_foreign_key(op.f('fk_outlets_owner_user_id_users'), 'outlets', 'users', ['owner_user_id'], ['id'], ondelete='SET NULL')


def downgrade():

    op.drop_constraint(op.f('fk_outlets_owner_user_id_users'), 'outlets', type_='foreignkey')
    op.drop_index('ix_outlets_service_circle_ids', table_name='outlets', postgresql_using='gin')
    op.drop_index(op.f('ix_outlets_owner_user_id'), table_name='outlets')
    op.drop_column('outlets', 'service_circle_ids')
    op.drop_column('outlets', 'service_radius_m')
    op.drop_column('outlets', 'on_site_service')
    op.drop_column('outlets', 'mobile')
    op.drop_column('outlets', 'certification')
    op.drop_column('outlets', 'owner_user_id')
    op.drop_index(op.f('ix_audit_entries_outlet_id'), table_name='audit_entries')
    op.drop_index(op.f('ix_audit_entries_circle_id'), table_name='audit_entries')
    op.drop_index(op.f('ix_audit_entries_application_id'), table_name='audit_entries')
    op.drop_table('audit_entries')
    op.drop_index(op.f('ix_uploads_sha256'), table_name='uploads')
    op.drop_index(op.f('ix_uploads_owner_user_id'), table_name='uploads')
    op.drop_index(op.f('ix_uploads_outlet_id'), table_name='uploads')
    op.drop_index(op.f('ix_uploads_circle_id'), table_name='uploads')
    op.drop_table('uploads')
    op.drop_index(op.f('ix_repair_stall_slots_outlet_id'), table_name='repair_stall_slots')
    with op.batch_alter_table('repair_stall_slots', schema=None) as batch_op:
        batch_op.drop_geospatial_index('idx_repair_stall_slots_location', postgresql_using='gist', column_name='location')
    op.drop_geospatial_table('repair_stall_slots')
    op.drop_index(op.f('ix_repair_offers_service_code'), table_name='repair_offers')
    op.drop_index(op.f('ix_repair_offers_outlet_id'), table_name='repair_offers')
    op.drop_table('repair_offers')
    op.drop_index(op.f('ix_merchant_applications_outlet_id'), table_name='merchant_applications')
    op.drop_index('ix_merchant_applications_circle_id_status', table_name='merchant_applications')
    op.drop_index(op.f('ix_merchant_applications_applicant_user_id'), table_name='merchant_applications')
    with op.batch_alter_table('merchant_applications', schema=None) as batch_op:
        batch_op.drop_geospatial_index('idx_merchant_applications_location', postgresql_using='gist', column_name='location')
    op.drop_geospatial_table('merchant_applications')
