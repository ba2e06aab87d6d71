"""report_totals: monthly sums per (program, period, field), kept in step by triggers

The overview's trend summed 12 months of reports (≈ 4.4M rows at province scale, 3–14 s
in SQLite). report_totals holds the same sums (total, n = non-empty values, n_rows = all
rows) and database triggers on reports keep it in step with EVERY write — upserts,
single-record writes, demo bulk loads, restores, plain SQL — in the writing transaction.
It is derived data: not a model (backup/restore skip it; restoring reports rebuilds it).
Cost (measured, bench/bench_store.py): writing a province month of 390,000 values takes
≈ 2 s more on SQLite (one trigger step per row), about the same on PostgreSQL.
A later SQLite batch migration that copies ``reports`` into a new table drops these
triggers: it must create them again (SQLITE below) and rebuild the sums.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 09:00:00
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TABLE = """
CREATE TABLE report_totals (
    program VARCHAR(40) NOT NULL,
    period VARCHAR(7) NOT NULL,
    field VARCHAR(60) NOT NULL,
    total DOUBLE PRECISION NOT NULL DEFAULT 0,
    n INTEGER NOT NULL DEFAULT 0,
    n_rows INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT pk_report_totals PRIMARY KEY (program, period, field)
)"""

BACKFILL = """
INSERT INTO report_totals (program, period, field, total, n, n_rows)
SELECT program, period, field, COALESCE(SUM(value), 0), COUNT(value), COUNT(*)
FROM reports GROUP BY program, period, field"""

# SQLite has row triggers only: one small upsert per written row.
_SQLITE_ADD = """
INSERT INTO report_totals (program, period, field, total, n, n_rows)
VALUES (NEW.program, NEW.period, NEW.field, COALESCE(NEW.value, 0), NEW.value IS NOT NULL, 1)
ON CONFLICT (program, period, field) DO UPDATE
SET total = total + excluded.total, n = n + excluded.n, n_rows = n_rows + 1;"""
_SQLITE_REMOVE = """
UPDATE report_totals
SET total = total - COALESCE(OLD.value, 0), n = n - (OLD.value IS NOT NULL), n_rows = n_rows - 1
WHERE program = OLD.program AND period = OLD.period AND field = OLD.field;"""
SQLITE = [
    f"CREATE TRIGGER tr_reports_totals_insert AFTER INSERT ON reports BEGIN {_SQLITE_ADD} END",
    f"CREATE TRIGGER tr_reports_totals_delete AFTER DELETE ON reports BEGIN {_SQLITE_REMOVE} END",
    "CREATE TRIGGER tr_reports_totals_update AFTER UPDATE OF program, period, field, value ON reports "
    f"BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END",
]

# PostgreSQL: statement triggers over transition tables, one grouped statement per write
# (a COPY of millions of rows costs one GROUP BY).
_PG_ADD = """
INSERT INTO report_totals AS t (program, period, field, total, n, n_rows)
SELECT program, period, field, COALESCE(SUM(value), 0), COUNT(value), COUNT(*)
FROM new_rows GROUP BY program, period, field ORDER BY program, period, field
ON CONFLICT (program, period, field) DO UPDATE
SET total = t.total + EXCLUDED.total, n = t.n + EXCLUDED.n, n_rows = t.n_rows + EXCLUDED.n_rows;"""
_PG_REMOVE = """
UPDATE report_totals AS t SET total = t.total - d.total, n = t.n - d.n, n_rows = t.n_rows - d.n_rows
FROM (SELECT program, period, field, COALESCE(SUM(value), 0) AS total, COUNT(value) AS n, COUNT(*) AS n_rows
      FROM old_rows GROUP BY program, period, field) AS d
WHERE t.program = d.program AND t.period = d.period AND t.field = d.field;"""


def _pg_function(name: str, body: str) -> str:
    return (f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{body}\nRETURN NULL;\nEND $$")


POSTGRES = [
    # Writers of reports take one lock before their first reports row: they share the
    # month's totals rows, and two writers locking them in different orders (one inserts
    # field A then updates B, the other the reverse) would deadlock. SQLite has one
    # writer at a time anyway.
    _pg_function("report_totals_lock", "PERFORM pg_advisory_xact_lock(727003);"),
    "CREATE TRIGGER tr_reports_totals_lock BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON reports "
    "FOR EACH STATEMENT EXECUTE FUNCTION report_totals_lock()",
    _pg_function("report_totals_add", _PG_ADD),
    _pg_function("report_totals_remove", _PG_REMOVE),
    _pg_function("report_totals_move", _PG_REMOVE + _PG_ADD),
    "CREATE TRIGGER tr_reports_totals_insert AFTER INSERT ON reports REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION report_totals_add()",
    "CREATE TRIGGER tr_reports_totals_delete AFTER DELETE ON reports REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION report_totals_remove()",
    "CREATE TRIGGER tr_reports_totals_update AFTER UPDATE ON reports "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION report_totals_move()",
    # TRUNCATE fires no delete trigger: clear the sums with it
    _pg_function("report_totals_clear", "DELETE FROM report_totals;"),
    "CREATE TRIGGER tr_reports_totals_truncate AFTER TRUNCATE ON reports "
    "FOR EACH STATEMENT EXECUTE FUNCTION report_totals_clear()",
]


def upgrade() -> None:
    op.execute(TABLE)
    op.execute(BACKFILL)  # existing databases: the sums of what is already stored
    for sql in (POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE):
        op.execute(sql)


def downgrade() -> None:
    for name in ("lock", "insert", "delete", "update", "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS tr_reports_totals_{name}"
                   + (" ON reports" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        for fn in ("lock", "add", "remove", "move", "clear"):
            op.execute(f"DROP FUNCTION IF EXISTS report_totals_{fn}()")
    op.execute("DROP TABLE report_totals")
