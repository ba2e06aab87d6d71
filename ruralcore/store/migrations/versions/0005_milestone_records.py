"""milestone records

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 07:05:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('milestone_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('milestone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('program', 'milestone', name='uq_milestone_records')
    )


def downgrade() -> None:
    op.drop_table('milestone_records')
