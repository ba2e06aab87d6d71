"""The statements of the bulk tools — the backup's dump and restore of every table and the
demo's load of an empty database — which work on whole tables below the audited writes
(ruralcore.store.backup and ruralcore.demo decide when; they run on the caller's connection and
transaction)."""
from __future__ import annotations

from typing import Iterable, Sequence

import sqlalchemy as sa


def schema_revision(conn: sa.Connection) -> str:
    """The database's Alembic revision(s), joined with commas."""
    rows = conn.execute(sa.text("SELECT version_num FROM alembic_version")).fetchall()
    return ",".join(sorted(r[0] for r in rows))


def every_row(conn: sa.Connection, table: sa.Table) -> list:
    """Every row of ``table`` (tuples in column order), by primary key."""
    return conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()


def empty(conn: sa.Connection, tables: Iterable[sa.Table]) -> None:
    """Delete every row of ``tables``, in the order given (children before parents)."""
    for table in tables:
        conn.execute(table.delete())


def insert(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts) into ``table`` with SQLAlchemy core."""
    conn.execute(table.insert(), rows)


def hold_restores(conn: sa.Connection) -> None:
    """PostgreSQL: one restore at a time (an advisory lock until the transaction ends)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727002)")


def move_sequences(conn: sa.Connection, tables: Iterable[sa.Table]) -> None:
    """PostgreSQL, after rows were inserted with explicit ids: each table's id sequence
    moves past its largest id (nothing on other databases)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, sa.Integer) and pk[0].autoincrement in (True, "auto"):
            seq = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": table.name, "c": pk[0].name}).scalar()
            if seq:
                conn.execute(sa.text(f'SELECT setval(:s, COALESCE((SELECT MAX("{pk[0].name}") FROM "{table.name}"), 0) + 1, false)'),
                             {"s": seq})


def any_rows(engine: sa.Engine, tables: Iterable[str]) -> bool:
    """Whether one of ``tables`` holds a row."""
    with engine.connect() as conn:
        for t in tables:
            if conn.execute(sa.text(f"SELECT 1 FROM {t} LIMIT 1")).fetchone():
                return True
    return False


def large_cache(conn: sa.Connection) -> None:
    """SQLite: a bigger page cache for a bulk load (nothing on other databases)."""
    if conn.engine.url.get_backend_name() == "sqlite":
        conn.exec_driver_sql("PRAGMA cache_size = -262144")


def load(conn: sa.Connection, table: sa.Table, cols: Sequence[str], rows: list[tuple]) -> None:
    """Bulk insert of tuples without ORM objects: executemany on SQLite, COPY on
    PostgreSQL, SQLAlchemy core elsewhere."""
    backend = conn.engine.url.get_backend_name()
    raw = conn.connection.driver_connection
    if backend == "sqlite":
        sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        raw.cursor().executemany(sql, rows)
    elif backend == "postgresql" and hasattr(raw, "cursor") and hasattr(raw.cursor(), "copy"):
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)
    else:
        conn.execute(table.insert(), [dict(zip(cols, r)) for r in rows])


def copy_frame(conn: sa.Connection, table: str, frame) -> None:
    """PostgreSQL: COPY a DataFrame (its columns named as the table's) into ``table`` as CSV
    that pandas writes in one pass — no Python call per row, for tens of millions of rows."""
    if frame is None or not len(frame):
        return
    text = frame.to_csv(header=False, index=False, na_rep="\\N", lineterminator="\r\n")
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    with conn.connection.driver_connection.cursor() as cur:
        with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN WITH (FORMAT csv, NULL \'\\N\')') as cp:
            cp.write(text.encode("utf-8"))


def analyze(engine: sa.Engine, tables: Iterable[str]) -> None:
    """PostgreSQL: fresh planner statistics after a bulk load (nothing on other databases)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for t in tables:
            conn.exec_driver_sql(f'ANALYZE "{t}"')


def database_size(engine: sa.Engine) -> int | None:
    """The database's size on disk in bytes (PostgreSQL: pg_database_size; SQLite: the file's)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar())
    path = engine.url.database
    import os
    return os.path.getsize(path) if path and os.path.exists(path) else None
