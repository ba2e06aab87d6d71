"""meeting records (谭家场 每月会商) and event reports (忻州 重要情况随时报告)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 02:45:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('meeting_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('chair', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('attendees', sa.Text(), nullable=False),
    sa.Column('households', sa.Text(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('follow_up', sa.Text(), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_meeting_records_program_held', 'meeting_records', ['program', 'held_on'], unique=False)
    op.create_table('event_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('impact', sa.Text(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('reported_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('reported_at', sa.DateTime(), nullable=False),
    sa.Column('read_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_event_reports_program_region', 'event_reports', ['program', 'region'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_event_reports_program_region', table_name='event_reports')
    op.drop_table('event_reports')
    op.drop_index('ix_meeting_records_program_held', table_name='meeting_records')
    op.drop_table('meeting_records')
