"""award register: 花垣's leading-group approval of an award batch and the villages it
awarded (plaque type and date), changes from the proposal with their reasons
"""
from alembic import op

from ruralcore.store.ddl import column_index, day, drop_column_index, integer, number, register_table, string, text


revision, down_revision = '0008', '0007'


def upgrade() -> None:
    register_table(
        'award_approvals', string('program', 40), string('batch', 40), string('period', 7),
        text('meeting'), string('approved_by', 60), day('approved_on'),
        unique=('program', 'batch'))
    register_table(
        'award_register', integer('approval'), string('program', 40), string('batch', 40),
        string('region', 40), number('score', null=True), integer('rank', null=True),
        string('proposed', 20), string('award', 20), text('reason'), text('plaque'),
        day('plaque_on', null=True),
        refs={'approval': 'award_approvals.id'}, unique=('program', 'batch', 'region'))
    column_index('award_register', 'approval')


def downgrade() -> None:
    drop_column_index('award_register', 'approval')
    op.drop_table('award_register')
    op.drop_table('award_approvals')
