"""ratings, satisfaction surveys, events

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geography
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _timestamps():
    return (
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    )


def upgrade():
    # The no-overlap rule of survey periods is an exclusion constraint: "=" on an integer in a GiST index.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")

    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outlet_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('stars', sa.SmallInteger(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('tags', postgresql.ARRAY(sa.String(length=20)), nullable=False),
    sa.Column('photo_ids', postgresql.ARRAY(sa.Integer()), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('content_check', sa.String(length=16), nullable=True),
    sa.Column('hidden_reason', sa.String(length=200), nullable=True),
    sa.Column('reply_text', sa.Text(), nullable=True),
    sa.Column('reply_user_id', sa.Integer(), nullable=True),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    *_timestamps(),
    sa.CheckConstraint("status IN ('visible', 'pending_review', 'hidden')", name=op.f('ck_ratings_status')),
    sa.CheckConstraint('char_length(text) <= 500', name=op.f('ck_ratings_text_length')),
    sa.CheckConstraint('stars BETWEEN 1 AND 5', name=op.f('ck_ratings_stars')),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlets.id'], name=op.f('fk_ratings_outlet_id_outlets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reply_user_id'], ['users.id'], name=op.f('fk_ratings_reply_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ratings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('outlet_id', 'user_id', name='uq_ratings_outlet_user')
    )
    op.create_index('ix_ratings_outlet_listing', 'ratings', ['outlet_id', sa.literal_column('created_at DESC')], unique=False, postgresql_where=sa.text("status = 'visible'"))
    op.create_index(op.f('ix_ratings_user_id'), 'ratings', ['user_id'], unique=False)

    op.create_table('rating_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], name=op.f('fk_rating_reports_rating_id_ratings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rating_reports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_reports')),
    sa.UniqueConstraint('rating_id', 'user_id', name='uq_rating_reports_rating_user')
    )
    op.create_index('ix_rating_reports_open', 'rating_reports', ['rating_id'], unique=False, postgresql_where=sa.text('resolved_at IS NULL'))

    op.create_table('rating_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("action IN ('hide', 'unhide')", name=op.f('ck_rating_decisions_action')),
    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], name=op.f('fk_rating_decisions_rating_id_ratings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_user_id'], ['users.id'], name=op.f('fk_rating_decisions_staff_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_decisions'))
    )
    op.create_index(op.f('ix_rating_decisions_rating_id'), 'rating_decisions', ['rating_id'], unique=False)

    op.create_table('staff_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outlet_id', sa.Integer(), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=True),
    sa.Column('found_on', sa.Date(), nullable=False),
    *_timestamps(),
    sa.CheckConstraint("severity IN ('minor', 'major', 'serious')", name=op.f('ck_staff_findings_severity')),
    sa.CheckConstraint('char_length(note) BETWEEN 1 AND 1000', name=op.f('ck_staff_findings_note_length')),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlets.id'], name=op.f('fk_staff_findings_outlet_id_outlets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_user_id'], ['users.id'], name=op.f('fk_staff_findings_staff_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_findings'))
    )
    op.create_index(op.f('ix_staff_findings_outlet_id'), 'staff_findings', ['outlet_id'], unique=False)

    op.create_table('survey_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    *_timestamps(),
    postgresql.ExcludeConstraint((sa.text('circle_id'), '='), (sa.text("daterange(starts_on, ends_on, '[]')"), '&&'), using='gist', name='ex_survey_periods_no_overlap'),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_survey_periods_dates_ordered')),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_survey_periods_circle_id_circles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_survey_periods_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_periods'))
    )
    op.create_index(op.f('ix_survey_periods_circle_id'), 'survey_periods', ['circle_id'], unique=False)

    op.create_table('survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('type_satisfaction', sa.SmallInteger(), nullable=False),
    sa.Column('service_satisfaction', sa.SmallInteger(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('comment_check', sa.String(length=16), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('comment IS NULL OR char_length(comment) <= 500', name=op.f('ck_survey_responses_comment_length')),
    sa.CheckConstraint('service_satisfaction BETWEEN 1 AND 5', name=op.f('ck_survey_responses_service_satisfaction')),
    sa.CheckConstraint('type_satisfaction BETWEEN 1 AND 5', name=op.f('ck_survey_responses_type_satisfaction')),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_survey_responses_circle_id_circles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['period_id'], ['survey_periods.id'], name=op.f('fk_survey_responses_period_id_survey_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_survey_responses_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
    # One answer per WeChat user per circle per period (a period belongs to one circle).
    sa.UniqueConstraint('period_id', 'user_id', name='uq_survey_responses_period_user')
    )
    op.create_index(op.f('ix_survey_responses_circle_id'), 'survey_responses', ['circle_id'], unique=False)
    op.create_index(op.f('ix_survey_responses_user_id'), 'survey_responses', ['user_id'], unique=False)

    op.create_geospatial_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('theme', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('location', Geography(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeogFromText', name='geography', nullable=False), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('organiser', sa.String(length=120), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    *_timestamps(),
    sa.CheckConstraint("theme IN ('neighbourhood', 'food', 'group_buying', 'housekeeping', 'other')", name=op.f('ck_events_theme')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_events_dates_ordered')),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_events_circle_id_circles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_events_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    op.create_geospatial_index('idx_events_location', 'events', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index('ix_events_circle_starts_on', 'events', ['circle_id', 'starts_on'], unique=False)
    op.create_index('ix_events_ends_on', 'events', ['ends_on'], unique=False)


def downgrade():
    op.drop_index('ix_events_ends_on', table_name='events')
    op.drop_index('ix_events_circle_starts_on', table_name='events')
    op.drop_geospatial_index('idx_events_location', table_name='events', postgresql_using='gist', column_name='location')
    op.drop_geospatial_table('events')
    op.drop_table('survey_responses')
    op.drop_table('survey_periods')
    op.drop_table('staff_findings')
    op.drop_table('rating_decisions')
    op.drop_table('rating_reports')
    op.drop_table('ratings')
    # btree_gist stays: other schema objects may use it, and dropping an extension is not ours to do.
