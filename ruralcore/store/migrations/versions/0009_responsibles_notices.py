"""responsibility register (responsibles) and 督办 notices (notices)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 02:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    S = sqlmodel.sql.sqltypes.AutoString
    op.create_table('responsibles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program', S(length=40), nullable=False),
    sa.Column('subject_kind', S(length=12), nullable=False),
    sa.Column('subject', S(length=80), nullable=False),
    sa.Column('subject_name', S(), nullable=False),
    sa.Column('region', S(length=40), nullable=False),
    sa.Column('unit', S(), nullable=False),
    sa.Column('leader', S(), nullable=False),
    sa.Column('post', S(), nullable=False),
    sa.Column('phone', S(length=20), nullable=False),
    sa.Column('ref', S(), nullable=False),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.Column('updated_by', S(length=60), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('program', 'subject', name='uq_responsibles')
    )
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', S(length=60), nullable=False),
    sa.Column('program', S(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('subject', S(length=80), nullable=False),
    sa.Column('subject_name', S(), nullable=False),
    sa.Column('region', S(length=40), nullable=False),
    sa.Column('from_region', S(length=40), nullable=False),
    sa.Column('to_region', S(length=40), nullable=False),
    sa.Column('unit', S(), nullable=False),
    sa.Column('leader', S(), nullable=False),
    sa.Column('items_json', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('due_days', sa.Integer(), nullable=False),
    sa.Column('reply_due', sa.Date(), nullable=False),
    sa.Column('state', S(length=10), nullable=False),
    sa.Column('reply_text', sa.Text(), nullable=False),
    sa.Column('expected_on', sa.Date(), nullable=True),
    sa.Column('attachments', sa.Text(), nullable=False),
    sa.Column('replied_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('return_note', sa.Text(), nullable=False),
    sa.Column('issued_by', S(length=60), nullable=False),
    sa.Column('replied_by', S(length=60), nullable=False),
    sa.Column('closed_by', S(length=60), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number'),
    sa.UniqueConstraint('program', 'year', 'seq', name='uq_notices_seq')
    )
    op.create_index(op.f('ix_notices_program'), 'notices', ['program'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_notices_program'), table_name='notices')
    op.drop_table('notices')
    op.drop_table('responsibles')
