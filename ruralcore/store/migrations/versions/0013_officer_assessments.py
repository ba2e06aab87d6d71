"""officer assessments: 融水 五(三)1 quantitative assessment of the information officers

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 03:05:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('officer_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('item', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('score', sa.Float(precision=53), nullable=False),
    sa.Column('assessed_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['officer'], ['officers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('officer', 'year', 'item', name='uq_officer_assessments')
    )
    op.create_index(op.f('ix_officer_assessments_officer'), 'officer_assessments', ['officer'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_officer_assessments_officer'), table_name='officer_assessments')
    op.drop_table('officer_assessments')
