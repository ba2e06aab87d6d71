"""Partitioning by year on PostgreSQL: the one place that knows the scheme.

A national deployment holds about 120 million report values a year (500,000 villages × 20
fields × 12 months). On PostgreSQL the tables keyed by month are declaratively partitioned
by RANGE of their ``period`` column ('YYYY-MM' text), one partition a year:

    reports_2019  FOR VALUES FROM ('2019-01') TO ('2020-01')   -- '2019-01' ≤ period < '2020-01'

plus a DEFAULT partition (``reports_default``) that takes any other period, so no write is
ever refused for its year (the store accepts 2000–2099, ruralcore.kernel.limits). A query for one
month or year reads one partition (pruning); a year can be archived or dropped whole.

The partition key must belong to every primary key and unique constraint of a partitioned
table: reports' primary key on PostgreSQL is (id, period) (the id alone stays unique: one
sequence gives it), its unique key (program, period, region, field) holds period already.
The models keep ``id`` alone as the primary key, which is what SQLite has (an INTEGER
PRIMARY KEY) and what the ORM, the backup and the id sequences go by.

Statement triggers on the partitioned table (report_totals, migration 0006) fire for a
write that names the partitioned table, with the rows of every partition in their
transition tables (PostgreSQL ≥ 10; an UPDATE that moves a row to another year's partition
is in old_rows and new_rows). A statement that names a partition itself fires none of them:
every writer of the store names the partitioned table; only ``ensure_year`` below names
partitions, to move rows that stay in the table.

SQLite has no partitioning: every function here does nothing there (the tables stay as
the models make them) and the same store API runs on both.
"""
from __future__ import annotations

import re
from typing import Sequence

import sqlalchemy as sa

# The years that get their own partition when a table is partitioned. The five programmes
# run 2017–2023; 2015 leaves room for the baselines some documents compare with, 2035 is
# the horizon of the national 数字乡村发展战略纲要 (the furthest year any plan names). Each
# partition costs a few empty pages and a little planning for statements that do not say
# their period, so the span is not the whole 2000–2099 the store accepts: other years are
# written to the DEFAULT partition, and ``ensure_year`` gives a year its own partition
# (moving its rows out of DEFAULT) when it is needed.
FIRST_YEAR, LAST_YEAR = 2015, 2035
YEARS = range(FIRST_YEAR, LAST_YEAR + 1)

COLUMN = "period"  # the 'YYYY-MM' column every partitioned table is partitioned by
# the model tables that migrations partition (0014); tables made at run time (the analytics
# tables of store.analytics) are partitioned as they are created
PARTITIONED = ("reports",)
_PARTITION_NAME = re.compile(r"^(?P<table>.+)_(?P<part>\d{4}|default)$")


def is_postgresql(conn: sa.Connection) -> bool:
    return conn.dialect.name == "postgresql"


def partition_name(table: str, year: int | None) -> str:
    """``reports_2019`` for a year, ``reports_default`` for None (the DEFAULT partition)."""
    return f"{table}_{year}" if year is not None else f"{table}_default"


def is_partition(name: str, parents: Sequence[str] | None = None) -> bool:
    """Whether ``name`` is the name of a partition of one of ``parents`` (by default, the
    tables of PARTITIONED): Alembic's comparison with the models leaves them out."""
    m = _PARTITION_NAME.match(name)
    return bool(m) and m["table"] in (PARTITIONED if parents is None else parents)


def bounds(year: int) -> tuple[str, str]:
    """The period range of ``year``'s partition: '2019-01' ≤ period < '2020-01'."""
    return f"{year:04d}-01", f"{year + 1:04d}-01"


def partition_clause(conn: sa.Connection) -> str:
    """What ends a ``CREATE TABLE t (...)`` to make ``t`` partitioned by year on
    PostgreSQL (then ``create_partitions``); '' on other databases."""
    return f' PARTITION BY RANGE ("{COLUMN}")' if is_postgresql(conn) else ""


def _create_year(conn: sa.Connection, table: str, year: int) -> None:
    lo, hi = bounds(year)
    conn.exec_driver_sql(f'CREATE TABLE IF NOT EXISTS "{partition_name(table, year)}" '
                         f"PARTITION OF \"{table}\" FOR VALUES FROM ('{lo}') TO ('{hi}')")


def create_partitions(conn: sa.Connection, table: str, years: Sequence[int] = YEARS) -> None:
    """PostgreSQL: the partitions of the partitioned ``table``, one per year of ``years``
    and DEFAULT (those that exist already are kept). Run before rows arrive: a year whose
    rows sit in DEFAULT needs ``ensure_year``."""
    if not is_postgresql(conn):
        return
    for year in years:
        _create_year(conn, table, year)
    conn.exec_driver_sql(f'CREATE TABLE IF NOT EXISTS "{partition_name(table, None)}" '
                         f'PARTITION OF "{table}" DEFAULT')


def partitions(conn: sa.Connection, table: str) -> dict[str, str]:
    """PostgreSQL: partition name -> its bound as PostgreSQL prints it ("FOR VALUES FROM
    ('2019-01') TO ('2020-01')", "DEFAULT"); empty when ``table`` is not partitioned (and
    on SQLite)."""
    if not is_postgresql(conn):
        return {}
    rows = conn.execute(sa.text(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(:t) ORDER BY c.relname"),
        {"t": table}).all()
    return {name: bound for name, bound in rows}


def is_partitioned(conn: sa.Connection, table: str) -> bool:
    """Whether ``table`` is a partitioned table (PostgreSQL; False on SQLite)."""
    if not is_postgresql(conn):
        return False
    return conn.execute(sa.text("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table "
                                "WHERE partrelid = to_regclass(:t))"), {"t": table}).scalar()


def ensure_year(conn: sa.Connection, table: str, year: int) -> bool:
    """PostgreSQL: give ``year`` its own partition of ``table`` if it has none, moving that
    year's rows out of DEFAULT into it (PostgreSQL refuses a new partition while DEFAULT
    holds rows of its range). The rows stay in the table with their ids, so sums kept by
    the table's statement triggers do not change: the move names the partitions, which
    fires none of them. Returns whether a partition was made. Nothing on SQLite."""
    if not is_postgresql(conn) or partition_name(table, year) in partitions(conn, table):
        return False
    part, default = partition_name(table, year), partition_name(table, None)
    column = COLUMN
    lo, hi = bounds(year)
    if default not in partitions(conn, table):
        _create_year(conn, table, year)
        return True
    # the new year's table, filled from DEFAULT, then attached (its indexes are made to match)
    conn.exec_driver_sql(f'CREATE TABLE "{part}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)')
    conn.exec_driver_sql(
        f'WITH moved AS (DELETE FROM "{default}" WHERE "{column}" >= \'{lo}\' AND "{column}" < \'{hi}\' '
        f'RETURNING *) INSERT INTO "{part}" SELECT * FROM moved')
    conn.exec_driver_sql(f'ALTER TABLE "{table}" ATTACH PARTITION "{part}" FOR VALUES FROM (\'{lo}\') TO (\'{hi}\')')
    return True


def _serial_sequences(conn: sa.Connection, table: str) -> dict[str, str]:
    """column -> the sequence it owns (a SERIAL column's)."""
    cols = conn.execute(sa.text("SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(:t) "
                                "AND attnum > 0 AND NOT attisdropped"), {"t": table}).scalars().all()
    out = {}
    for col in cols:
        seq = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table, "c": col}).scalar()
        if seq:
            out[col] = seq
    return out


def _definitions(conn: sa.Connection, table: str) -> dict[str, list]:
    """What a rebuild of ``table`` must make again: its constraints (name, type, definition),
    its other indexes, triggers and grants, as PostgreSQL prints them."""
    t = {"t": table}
    referenced = conn.execute(sa.text("SELECT conname FROM pg_constraint WHERE confrelid = to_regclass(:t)"),
                              t).scalars().all()
    if referenced:
        raise RuntimeError(f"{table} is referenced by foreign keys ({', '.join(referenced)}): "
                           "a rebuild would have to drop them")
    return {
        "constraints": conn.execute(sa.text(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = to_regclass(:t) AND contype IN ('p', 'u', 'f', 'c', 'x') ORDER BY contype DESC, conname"),
            t).all(),
        "indexes": conn.execute(sa.text(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = to_regclass(:t) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid) "
            "ORDER BY c.relname"), t).all(),
        "triggers": conn.execute(sa.text(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = to_regclass(:t) "
            "AND NOT tgisinternal ORDER BY tgname"), t).all(),
        "grants": conn.execute(sa.text(
            "SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END, "
            "a.is_grantable FROM pg_class c, aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee "
            "WHERE c.oid = to_regclass(:t) AND a.grantee <> c.relowner"), t).all(),
    }


def rebuild(conn: sa.Connection, table: str, partitioned: bool, primary_key: Sequence[str]) -> int:
    """PostgreSQL: make ``table`` again as a table partitioned by year (``partitioned``,
    with the partitions of YEARS and DEFAULT) or as a plain table, keeping every row with
    its id, the position of its id sequence, its unique constraints, foreign keys and
    checks, its indexes, triggers and grants, under the same names; the primary key
    becomes ``primary_key`` (a partitioned table's must hold the period column).

    The rows are copied with no index and no trigger on the new table (derived sums such as
    report_totals stay as they are: the rows are the same), then the indexes are built
    once over all of them. Runs in the caller's transaction, holding the table exclusively.
    Returns the rows copied."""
    if not is_postgresql(conn):
        return 0
    old = f"{table}_before_rebuild"
    conn.exec_driver_sql(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
    defs = _definitions(conn, table)  # printed while the table has its name
    sequences = _serial_sequences(conn, table)
    for name, _type, _def in defs["constraints"]:  # names are reused by the new table
        conn.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _def in defs["indexes"]:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    for seq in sequences.values():  # kept (and where it stands) when the old table goes
        conn.exec_driver_sql(f"ALTER SEQUENCE {seq} OWNED BY NONE")
    conn.exec_driver_sql(f'ALTER TABLE "{table}" RENAME TO "{old}"')
    tail = partition_clause(conn) if partitioned else ""
    conn.exec_driver_sql(f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING STORAGE){tail}')
    if partitioned:
        create_partitions(conn, table)
    moved = conn.exec_driver_sql(f'INSERT INTO "{table}" SELECT * FROM "{old}"').rowcount
    conn.exec_driver_sql(f'DROP TABLE "{old}"')  # its triggers and partitions go with it
    key = ", ".join(f'"{c}"' for c in primary_key)
    for name, kind, definition in defs["constraints"]:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" '
                             + (f"PRIMARY KEY ({key})" if kind == "p" else definition))
    for _name, definition in defs["indexes"]:
        conn.exec_driver_sql(definition)
    for col, seq in sequences.items():
        conn.exec_driver_sql(f'ALTER SEQUENCE {seq} OWNED BY "{table}"."{col}"')
    for _name, definition in defs["triggers"]:
        conn.exec_driver_sql(definition)
    for privilege, grantee, grantable in defs["grants"]:
        conn.exec_driver_sql(f'GRANT {privilege} ON "{table}" TO {grantee}'
                             + (" WITH GRANT OPTION" if grantable else ""))
    conn.exec_driver_sql(f'ANALYZE "{table}"')  # the planner's figures for the new partitions
    return moved
