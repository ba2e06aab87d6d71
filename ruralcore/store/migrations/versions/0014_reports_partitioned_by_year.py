"""reports partitioned by year on PostgreSQL (declarative partitioning)

PostgreSQL only (SQLite has no partitioning: nothing changes there). ``reports`` becomes a
table partitioned by RANGE (period), one partition a year of ruralcore.store.partitions'
span and a DEFAULT partition for any other period (partitions.py says why and how):

    CREATE TABLE reports (LIKE <old> INCLUDING DEFAULTS INCLUDING STORAGE) PARTITION BY RANGE (period);
    CREATE TABLE reports_2019 PARTITION OF reports FOR VALUES FROM ('2019-01') TO ('2020-01'); ...
    CREATE TABLE reports_default PARTITION OF reports DEFAULT;

Every row is copied with its id; the id sequence is the same one (where it stood). The
primary key becomes (id, period) (a partitioned table's keys must hold the partition
column); uq_reports_key (program, period, region, field) and ix_reports_program_region
are made again on the partitioned table, so each partition has its own. The triggers of
0006 (the writers' advisory lock and the report_totals sums over transition tables) are
made again on the partitioned table, where PostgreSQL fires them for every write naming
``reports`` with the rows of all partitions; report_totals itself is not touched: the rows
are the same. Grants on reports, if a DBA gave any, are given again.

Downgrade: back to the plain table with the primary key (id), the same way.
"""
from alembic import op

from ruralcore.store import partitions


revision, down_revision = '0014', '0013'


def upgrade() -> None:
    conn = op.get_bind()
    if partitions.is_postgresql(conn) and not partitions.is_partitioned(conn, "reports"):
        partitions.rebuild(conn, "reports", partitioned=True, primary_key=("id", "period"))


def downgrade() -> None:
    conn = op.get_bind()
    if partitions.is_partitioned(conn, "reports"):
        partitions.rebuild(conn, "reports", partitioned=False, primary_key=("id",))
