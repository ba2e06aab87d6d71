"""responsibility register (responsibles) and 督办 notices (notices)
"""
from alembic import op
import sqlalchemy as sa

from ruralcore.store.ddl import column_index, day, drop_column_index, flag, integer, register_table, string, text


revision, down_revision = '0009', '0008'


def upgrade() -> None:
    register_table(
        'responsibles', string('program', 40), string('subject_kind', 12), string('subject', 80),
        string('subject_name'), string('region', 40), string('unit'), string('leader'),
        string('post'), string('phone', 20), string('ref'), flag('demo'), string('updated_by', 60),
        unique=('program', 'subject'))
    register_table(
        'notices', string('number', 60), string('program', 40), integer('year'), integer('seq'),
        string('subject', 80), string('subject_name'), string('region', 40),
        string('from_region', 40), string('to_region', 40), string('unit'), string('leader'),
        text('items_json'), text('reason'), day('issued_on'), integer('due_days'),
        day('reply_due'), string('state', 10), text('reply_text'), day('expected_on', null=True),
        text('attachments'), day('replied_on', null=True), day('closed_on', null=True),
        day('returned_on', null=True), text('return_note'), string('issued_by', 60),
        string('replied_by', 60), string('closed_by', 60),
        more=(sa.UniqueConstraint('number'),
              sa.UniqueConstraint('program', 'year', 'seq', name='uq_notices_seq')))
    column_index('notices', 'program')


def downgrade() -> None:
    drop_column_index('notices', 'program')
    op.drop_table('notices')
    op.drop_table('responsibles')
