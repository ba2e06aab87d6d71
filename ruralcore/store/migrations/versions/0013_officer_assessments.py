"""officer assessments: 融水 五(三)1 quantitative assessment of the information officers
"""
from alembic import op

from ruralcore.store.ddl import column_index, drop_column_index, integer, number, register_table, string


revision, down_revision = '0013', '0012'


def upgrade() -> None:
    register_table(
        'officer_assessments', integer('officer'), integer('year'), string('item', 40),
        number('score'), string('assessed_by', 60),
        refs={'officer': 'officers.id'}, unique=('officer', 'year', 'item'))
    column_index('officer_assessments', 'officer')


def downgrade() -> None:
    drop_column_index('officer_assessments', 'officer')
    op.drop_table('officer_assessments')
