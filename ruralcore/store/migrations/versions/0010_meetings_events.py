"""meeting records (谭家场 每月会商) and event reports (忻州 重要情况随时报告)
"""
from alembic import op

from ruralcore.store.ddl import day, moment, register_table, string, text


revision, down_revision = '0010', '0009'


def upgrade() -> None:
    register_table(
        'meeting_records', string('program', 40), string('region', 40), day('held_on'),
        string('chair', 100), text('attendees'), text('households'), text('measures'),
        text('follow_up'), string('recorded_by', 60))
    op.create_index('ix_meeting_records_program_held', 'meeting_records', ['program', 'held_on'], unique=False)
    register_table(
        'event_reports', string('program', 40), string('region', 40), text('title'),
        day('happened_on'), text('impact'), text('measures'), string('reported_by', 60),
        moment('reported_at'), string('read_by', 60), moment('read_at', null=True))
    op.create_index('ix_event_reports_program_region', 'event_reports', ['program', 'region'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_event_reports_program_region', table_name='event_reports')
    op.drop_table('event_reports')
    op.drop_index('ix_meeting_records_program_held', table_name='meeting_records')
    op.drop_table('meeting_records')
