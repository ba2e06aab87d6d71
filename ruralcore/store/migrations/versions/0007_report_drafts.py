"""report drafts: a village's month as typed on the phone form, before it is submitted

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 22:50:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('values_json', sa.Text(), nullable=False),
    sa.Column('saved_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('program', 'period', 'region', name='uq_report_drafts')
    )


def downgrade() -> None:
    op.drop_table('report_drafts')
