"""acceptance_cases.rectified_on: the date the rectification was reported

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('acceptance_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rectified_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('acceptance_cases', schema=None) as batch_op:
        batch_op.drop_column('rectified_on')
