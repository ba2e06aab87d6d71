"""trainee files: 银川 四(三) 学员档案 of the e-commerce training, with employment follow-up
"""
from alembic import op

from ruralcore.store.ddl import day, number, register_table, string, text


revision, down_revision = '0011', '0010'


def upgrade() -> None:
    register_table(
        'trainee_files', string('program', 40), string('region', 40), string('name', 60),
        string('id_number', 18), string('phone', 20), string('course', 200), number('hours'),
        day('trained_on', null=True), string('employment', 20), day('followed_up_on', null=True),
        text('follow_up'), string('recorded_by', 60))
    op.create_index('ix_trainee_files_program_region', 'trainee_files', ['program', 'region'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_trainee_files_program_region', table_name='trainee_files')
    op.drop_table('trainee_files')
