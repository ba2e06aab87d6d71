"""Driver-level bulk paths used by the hot spots (report load/upsert, audit append):
SQLAlchemy's per-row parameter handling costs more than the database work at 100k rows.
They run on the caller's SQLAlchemy connection, so they share its transaction."""
from __future__ import annotations

import io
from datetime import date, datetime
from typing import Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa


def dbapi(conn: sa.Connection):
    return conn.connection.driver_connection


def is_sqlite(conn: sa.Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _sqlite_col(col: Sequence) -> Sequence:
    """Date/datetime columns as SQLAlchemy's SQLite text; each distinct value formatted once."""
    first = next((v for v in col if v is not None), None)
    if not isinstance(first, (date, datetime)):
        return col
    memo: dict = {}
    return [memo[v] if v in memo else memo.setdefault(v, _sqlite_value(v)) for v in col]


def _sqlite_value(v):
    # the text format SQLAlchemy's SQLite DateTime/Date types store and parse back
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, date):
        return v.isoformat()
    return v


def insert_rows(conn: sa.Connection, table: str, columns: Sequence[str], data: Sequence[Sequence]) -> None:
    """Insert column-wise ``data`` (one sequence per column, equal lengths; scalars not
    allowed) into ``table``. SQLite: executemany; PostgreSQL: COPY FROM STDIN."""
    if not data or not len(data[0]):
        return
    cols = ", ".join(f'"{c}"' for c in columns)
    raw = dbapi(conn)
    if is_sqlite(conn):
        data = [_sqlite_col(col) for col in data]
        marks = ", ".join("?" * len(columns))
        raw.cursor().executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', zip(*data))
    else:
        with raw.cursor() as cur:
            _copy_in(cur, f'"{table}"', columns, data)


def _copy_in(cur, target: str, columns: Sequence[str], data: Sequence[Sequence]) -> None:
    """COPY column-wise data into PostgreSQL as CSV written by pandas in one pass
    (psycopg's write_row is a Python call per row). NULL is an unquoted \\N, so an
    empty string stays an empty string. Lines end in \\r\\n so that a text holding either
    character (a reason typed with a line break) is quoted: COPY refuses a bare \\r."""
    frame = pd.DataFrame({str(i): pd.Series(list(col), dtype=object) for i, col in enumerate(data)})
    text = frame.to_csv(header=False, index=False, na_rep="\\N", lineterminator="\r\n")
    cols = ", ".join(f'"{c}"' for c in columns)
    with cur.copy(f"COPY {target} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as cp:
        cp.write(text.encode("utf-8"))


def execute_many(conn: sa.Connection, sql_sqlite: str, sql_pg: str, rows: Sequence[Sequence]) -> int:
    """executemany on the driver; returns the total row count."""
    raw = dbapi(conn)
    if is_sqlite(conn):
        cur = raw.cursor()
        cur.executemany(sql_sqlite, [[_sqlite_value(v) for v in r] for r in rows])
        return cur.rowcount
    with raw.cursor() as cur:
        cur.executemany(sql_pg, rows)
        return cur.rowcount


def update_from_rows(conn: sa.Connection, table: str, key: str, set_columns: Sequence[str],
                     data: Sequence[Sequence], types: Sequence[str], bump_version: bool = True,
                     same: dict[str, object] | None = None) -> int:
    """Bulk ``UPDATE table SET c = new.c ... WHERE key = new.key AND version = new.version``
    for column-wise ``data`` ordered (key, version, *set_columns); returns rows matched.
    ``same`` adds conditions every row meets (column -> value): on a table partitioned by
    that column (reports by period on PostgreSQL) the update then visits one partition.
    PostgreSQL: COPY into a temporary table and one UPDATE ... FROM."""
    sets = ", ".join(f'"{c}" = ?' for c in set_columns)
    tail = ", version = version + 1" if bump_version else ""
    same = same or {}
    if is_sqlite(conn):
        fixed = [[_sqlite_value(v)] * len(data[0]) for v in same.values()]
        rows = zip(*([_sqlite_col(col) for col in data[2:]] + [data[0], data[1]] + fixed))
        cur = dbapi(conn).cursor()
        cur.executemany(f'UPDATE "{table}" SET {sets}{tail} WHERE "{key}" = ? AND version = ?'
                        + "".join(f' AND "{c}" = ?' for c in same), rows)
        return cur.rowcount
    tmp = f"_upd_{table}"
    cols = [key, "version", *set_columns]
    with dbapi(conn).cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {tmp} ("
                    + ", ".join(f'"{c}" {t}' for c, t in zip(cols, types)) + ") ON COMMIT DELETE ROWS")
        cur.execute(f"TRUNCATE {tmp}")
        _copy_in(cur, tmp, cols, data)
        sets_pg = ", ".join(f'"{c}" = n."{c}"' for c in set_columns)
        tail_pg = f', version = "{table}".version + 1' if bump_version else ""
        cur.execute(f'UPDATE "{table}" SET {sets_pg}{tail_pg} FROM {tmp} n '
                    f'WHERE "{table}"."{key}" = n."{key}" AND "{table}".version = n.version'
                    + "".join(f' AND "{table}"."{c}" = %s' for c in same), list(same.values()))
        n = cur.rowcount
        cur.execute(f"TRUNCATE {tmp}")
        return n


def _column(values: np.ndarray, dtype: str) -> pd.Series:
    if dtype == "str":
        # build each distinct string once (codes, names, users repeat a lot)
        codes, uniques = pd.factorize(values)
        return pd.Series(pd.array(uniques, dtype="str").take(codes))
    if dtype == "float64":
        return pd.Series(np.array(values, dtype="float64"))  # None -> NaN
    if dtype == "object":
        return pd.Series(values, dtype=object)
    return pd.Series(values.astype(dtype))


def select_frame(conn: sa.Connection, sql: str, params: Sequence, names: Sequence[str],
                 dtypes: dict, bulk: bool = False) -> pd.DataFrame:
    """Run a SELECT (qmark '?' placeholders) on the driver and build the frame from one
    object grid, without SQLAlchemy Row objects. ``bulk``: every column is text or a number
    (dtypes str, object, float64, int64), so PostgreSQL may send the rows as CSV by COPY,
    parsed by pandas in C — half a million rows in about half the time of fetching them."""
    raw = dbapi(conn)
    if bulk and not is_sqlite(conn):
        return _copy_out(raw, sql.replace("?", "%s"), params, names, dtypes)
    if is_sqlite(conn):
        rows = raw.execute(sql, list(params)).fetchall()
    else:
        with raw.cursor() as cur:
            rows = cur.execute(sql.replace("?", "%s"), list(params)).fetchall()
    if not rows:
        return pd.DataFrame({n: pd.Series(dtype=dtypes.get(n, "object")) for n in names})
    grid = np.array(rows, dtype=object)  # one C pass over the row tuples
    return pd.DataFrame({n: _column(grid[:, i], dtypes.get(n, "object")) for i, n in enumerate(names)})


def _copy_out(raw, sql: str, params: Sequence, names: Sequence[str], dtypes: dict) -> pd.DataFrame:
    """select_frame's PostgreSQL bulk path: COPY (SELECT …) TO STDOUT as CSV (NULL as an
    unquoted \\N, so an empty text stays empty) read by pandas."""
    buf = io.BytesIO()
    with raw.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, NULL '\\N')", list(params)) as cp:
        for block in cp:
            buf.write(block)
    buf.seek(0)
    read = {n: ("float64" if dtypes.get(n) == "float64" else "int64" if dtypes.get(n) == "int64" else object)
            for n in names}
    if not buf.getbuffer().nbytes:
        return pd.DataFrame({n: pd.Series(dtype=dtypes.get(n, "object")) for n in names})
    frame = pd.read_csv(buf, header=None, names=list(names), dtype=read, na_values=["\\N"],
                        keep_default_na=False, encoding="utf-8")
    for n in names:
        if dtypes.get(n) == "str":
            frame[n] = frame[n].astype("str")
    return frame
