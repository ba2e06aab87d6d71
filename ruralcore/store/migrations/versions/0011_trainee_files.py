"""trainee files: 银川 四(三) 学员档案 of the e-commerce training, with employment follow-up

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 03:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('trainee_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('id_number', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('course', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('hours', sa.Float(precision=53), nullable=False),
    sa.Column('trained_on', sa.Date(), nullable=True),
    sa.Column('employment', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('followed_up_on', sa.Date(), nullable=True),
    sa.Column('follow_up', sa.Text(), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_trainee_files_program_region', 'trainee_files', ['program', 'region'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_trainee_files_program_region', table_name='trainee_files')
    op.drop_table('trainee_files')
