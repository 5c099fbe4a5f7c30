"""demands, projects, notifications outbox, Open311 API keys

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geography
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _timestamps():
    return [
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    ]


def upgrade():
    op.create_table('open311_api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    *_timestamps(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open311_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_open311_api_keys_key_hash')),
    sa.UniqueConstraint('name', name=op.f('uq_open311_api_keys_name'))
    )

    op.create_table('notification_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.String(length=64), nullable=False),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('page', sa.String(length=255), nullable=True),
    sa.Column('subject', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('errcode', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    *_timestamps(),
    sa.CheckConstraint("status IN ('pending', 'queued', 'sent', 'unsubscribed', 'failed')", name=op.f('ck_notification_outbox_status')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_notification_outbox_attempts')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_outbox_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_outbox'))
    )
    op.create_index('ix_notification_outbox_due', 'notification_outbox', ['next_attempt_at'], unique=False, postgresql_where=sa.text("status IN ('pending', 'queued')"))
    op.create_index(op.f('ix_notification_outbox_user_id'), 'notification_outbox', ['user_id'], unique=False)

    op.create_geospatial_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('business_type', sa.String(length=40), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('location', Geography(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeogFromText', name='geography'), nullable=True),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('urgency', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('planned_start', sa.Date(), nullable=True),
    sa.Column('planned_end', sa.Date(), nullable=True),
    sa.Column('actual_start', sa.Date(), nullable=True),
    sa.Column('actual_end', sa.Date(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    *_timestamps(),
    sa.CheckConstraint("status <> 'done' OR progress = 100", name=op.f('ck_projects_done_complete')),
    sa.CheckConstraint("status IN ('planned', 'in_progress', 'done', 'cancelled')", name=op.f('ck_projects_status')),
    sa.CheckConstraint("urgency IN ('urgent', 'high', 'normal', 'low')", name=op.f('ck_projects_urgency')),
    sa.CheckConstraint('actual_end IS NULL OR actual_start IS NULL OR actual_end >= actual_start', name=op.f('ck_projects_actual')),
    sa.CheckConstraint('planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start', name=op.f('ck_projects_planned')),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_projects_progress')),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_projects_circle_id_circles'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_projects_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_projects_location', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index(batch_op.f('ix_projects_circle_id'), ['circle_id'], unique=False)

    op.create_table('project_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('changes', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_project_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_events_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_events'))
    )
    op.create_index(op.f('ix_project_events_project_id'), 'project_events', ['project_id'], unique=False)

    op.create_geospatial_table('demands',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('business_type', sa.String(length=40), nullable=True),
    sa.Column('outlet_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('location', Geography(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeogFromText', name='geography', nullable=False), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('source_client', sa.String(length=80), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('moderation', sa.String(length=8), nullable=False),
    sa.Column('moderation_label', sa.String(length=40), nullable=True),
    sa.Column('public_reply', sa.Text(), nullable=True),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('support_count', sa.Integer(), nullable=False),
    sa.Column('photo_ids', postgresql.ARRAY(sa.Integer()), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmation_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmation_answer', sa.String(length=8), nullable=True),
    sa.Column('confirmation_comment', sa.Text(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    *_timestamps(),
    sa.CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name=op.f('ck_demands_merged_pointer')),
    sa.CheckConstraint("confirmation_answer IS NULL OR confirmation_answer IN ('yes', 'no', 'unsure')", name=op.f('ck_demands_answer')),
    sa.CheckConstraint("kind <> 'missing_type' OR business_type IS NOT NULL", name=op.f('ck_demands_missing_type_has_type')),
    sa.CheckConstraint("kind IN ('missing_type', 'service_quality', 'outlet_closed', 'other')", name=op.f('ck_demands_kind')),
    sa.CheckConstraint("moderation IN ('visible', 'held', 'hidden')", name=op.f('ck_demands_moderation')),
    sa.CheckConstraint("priority IN ('urgent', 'high', 'normal', 'low')", name=op.f('ck_demands_priority')),
    sa.CheckConstraint("source IN ('app', 'open311')", name=op.f('ck_demands_source')),
    sa.CheckConstraint("status IN ('submitted', 'accepted', 'in_progress', 'reopened', 'done', 'rejected', 'merged')", name=op.f('ck_demands_status')),
    sa.CheckConstraint('merged_into_id IS NULL OR merged_into_id <> id', name=op.f('ck_demands_not_merged_into_self')),
    sa.CheckConstraint('support_count >= 0', name=op.f('ck_demands_support_count')),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_demands_circle_id_circles'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_demands_community_id_communities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['demands.id'], name=op.f('fk_demands_merged_into_id_demands')),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlets.id'], name=op.f('fk_demands_outlet_id_outlets'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_demands_project_id_projects'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_demands_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demands'))
    )
    with op.batch_alter_table('demands', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_demands_location', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index('ix_demands_circle_id_created_at', ['circle_id', 'created_at'], unique=False)
        batch_op.create_index('ix_demands_circle_id_status', ['circle_id', 'status'], unique=False)
        batch_op.create_index('ix_demands_held', ['circle_id'], unique=False, postgresql_where=sa.text("moderation = 'held'"))
        batch_op.create_index(batch_op.f('ix_demands_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_demands_outlet_id'), ['outlet_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_demands_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_demands_user_id'), ['user_id'], unique=False)

    op.create_table('demand_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('demand_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=12), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_demand_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['demand_id'], ['demands.id'], name=op.f('fk_demand_events_demand_id_demands'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_events'))
    )
    op.create_index(op.f('ix_demand_events_demand_id'), 'demand_events', ['demand_id'], unique=False)

    op.create_table('demand_supports',
    sa.Column('demand_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('carried_from_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['carried_from_id'], ['demands.id'], name=op.f('fk_demand_supports_carried_from_id_demands'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['demand_id'], ['demands.id'], name=op.f('fk_demand_supports_demand_id_demands'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_demand_supports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('demand_id', 'user_id', name=op.f('pk_demand_supports'))
    )
    op.create_index(op.f('ix_demand_supports_user_id'), 'demand_supports', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_demand_supports_user_id'), table_name='demand_supports')
    op.drop_table('demand_supports')
    op.drop_index(op.f('ix_demand_events_demand_id'), table_name='demand_events')
    op.drop_table('demand_events')
    with op.batch_alter_table('demands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demands_user_id'))
        batch_op.drop_index(batch_op.f('ix_demands_project_id'))
        batch_op.drop_index(batch_op.f('ix_demands_outlet_id'))
        batch_op.drop_index(batch_op.f('ix_demands_merged_into_id'))
        batch_op.drop_index('ix_demands_held', postgresql_where=sa.text("moderation = 'held'"))
        batch_op.drop_index('ix_demands_circle_id_status')
        batch_op.drop_index('ix_demands_circle_id_created_at')
        batch_op.drop_geospatial_index('idx_demands_location', postgresql_using='gist', column_name='location')
    op.drop_geospatial_table('demands')
    op.drop_index(op.f('ix_project_events_project_id'), table_name='project_events')
    op.drop_table('project_events')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_circle_id'))
        batch_op.drop_geospatial_index('idx_projects_location', postgresql_using='gist', column_name='location')
    op.drop_geospatial_table('projects')
    op.drop_index(op.f('ix_notification_outbox_user_id'), table_name='notification_outbox')
    op.drop_index('ix_notification_outbox_due', table_name='notification_outbox', postgresql_where=sa.text("status IN ('pending', 'queued')"))
    op.drop_table('notification_outbox')
    op.drop_table('open311_api_keys')
