"""award register: 花垣's leading-group approval of an award batch and the villages it
awarded (plaque type and date), changes from the proposal with their reasons

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 02:10:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('award_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('batch', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('meeting', sa.Text(), nullable=False),
    sa.Column('approved_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('program', 'batch', name='uq_award_approvals')
    )
    op.create_table('award_register',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('approval', sa.Integer(), nullable=False),
    sa.Column('program', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('batch', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('score', sa.Float(precision=53), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('proposed', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('award', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('plaque', sa.Text(), nullable=False),
    sa.Column('plaque_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['approval'], ['award_approvals.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('program', 'batch', 'region', name='uq_award_register')
    )
    op.create_index(op.f('ix_award_register_approval'), 'award_register', ['approval'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_award_register_approval'), table_name='award_register')
    op.drop_table('award_register')
    op.drop_table('award_approvals')
