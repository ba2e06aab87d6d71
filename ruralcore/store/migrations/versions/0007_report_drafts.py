"""report drafts: a village's month as typed on the phone form, before it is submitted
"""
from alembic import op

from ruralcore.store.ddl import moment, register_table, string, text


revision, down_revision = '0007', '0006'


def upgrade() -> None:
    register_table(
        'report_drafts', string('program', 40), string('period', 7), string('region', 40),
        text('values_json'), string('saved_by', 60), moment('saved_at'),
        unique=('program', 'period', 'region'))


def downgrade() -> None:
    op.drop_table('report_drafts')
