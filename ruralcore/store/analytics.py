"""Analytics tables: the monthly reports made wide, with the sums of every level of the
region tree precomputed — what the pages read instead of the raw values (DHIS2 keeps its
audited data values as the system of record and generates analytics tables from them).

One table per programme, ``analytics_<programme id>`` (``analytics_huayuan_2019``), one
row per (period, region, total):

- ``total = 0``: a region's own reported values (every region with a reports row that
  month: the reporting units, and a region above them that reports fields of its own,
  such as 融水's county operation centre);
- ``total = 1``: a region of the tree above reported regions (township, county, city …):
  per field the SUM of every value reported strictly below it, that is over its
  children's own rows and their ``total = 1`` rows (numerators and denominators are
  just fields, so a rate of a county is its summed numerator over its summed denominator).

Columns: ``period`` (YYYY-MM), ``region``, ``total``, ``level`` and ``parent`` (from the
``regions`` table; empty for a code the tree does not know — such a row is in no sum),
then per field ``v_<field>`` (DOUBLE PRECISION: the value, or the sum; NULL when no value)
and ``n_<field>`` (INTEGER: how many values were given — 0/1 on an own row, the count of
the units below that gave a value on a sum row), then the units' warning verdicts
``r_…`` (store.results: 0/1 on an own row, how many units below on a sum row). A field code that is not a plain ASCII
identifier gets a hashed column name (:func:`columns`). The primary key is (period, total,
region); indexes on (period, parent) and (period, total, level) serve “one parent's
children” and “one level” reads. On PostgreSQL the table is partitioned by year of
``period`` as ``reports`` is (store.partitions: ``analytics_huayuan_2019_2019`` holds 2019,
``…_default`` the years outside the span), so a month's reads and rewrites visit one partition.

Why one table per programme, generated like DHIS2's analytics tables: each programme has
its own fields (8 to 19), so a wide row fits one programme; the table is created on the
first build and a column is added (``ALTER TABLE … ADD COLUMN``) when the programme file
or a write brings a field the table lacks. The tables are derived data, not models:
Alembic's drift check skips them (migrations/env.py), backup/restore skip them and the
restore rebuilds them, like ``report_totals`` (migration 0006).

Kept in step in the writing transaction, by the store's own writers (not by triggers: a
wide row per region and the sums of its ancestors are set-based statements per write,
not per row):

- ``reports.upsert_reports`` (imports, data entry, corrections) → :func:`refresh` with the
  regions whose values changed: their own rows are regrouped from ``reports``, then their
  ancestors' sum rows are recomputed bottom up, each from its children's rows only (a
  village edit reads a few dozen rows, not the province); more than ``FEW_REGIONS``
  regions rebuild the whole month;
- the demo's bulk load and the backup's restore (``ruralcore.demo``, ``ruralcore.store.backup``)
  → :func:`rebuild_all` on their transaction: every table emptied and every stored month
  rebuilt with conditional aggregation (``MAX(CASE WHEN field = … THEN value END)``);
- ``regions.sync_regions``, when a region is added or its parent or level changes →
  :func:`rebuild_all` (the sums follow the tree).

A database upgraded from before this layer has no tables yet: :func:`ensure` builds every
month that is missing (the readers call it when a programme's table does not exist).
The rebuild command is ``ruralcore analytics rebuild [PROGRAM] [--period YYYY-MM]``.

PostgreSQL: every refresh takes the advisory lock the report writers take (727003,
migration 0006), so two writers of one month cannot interleave their sums.
"""
from __future__ import annotations

import time
from typing import Iterable

import pandas as pd
import sqlalchemy as sa

from ruralcore.store import _fast, partitions, results
from ruralcore.store.analytics_names import (  # noqa: F401 (re-exported)
    PREFIX, _q, columns, existing_columns as _existing_columns, table_name)
from ruralcore.store.periods import check_period

OWN, TOTAL = 0, 1  # the ``total`` column: a region's own values / the sums below it
COUNT_PREFIX = "n:"  # level_totals: the count column of field f is "n:" + f
FEW_REGIONS = 2000  # a write touching more regions rebuilds the whole month
MAX_DEPTH = 10  # province > city > county > township > village > natural village, pilots: < 10
_NODES = "_analytics_nodes"  # temporary: the regions of one refresh and their depth above the written ones


# ---- schema ------------------------------------------------------------------------------

def _lock(conn: sa.Connection) -> None:
    if conn.dialect.name == "postgresql":  # the report writers' lock (migration 0006)
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727003)")


def _program_fields(program: str) -> list[str]:
    """The report fields of the programme file (none for a programme without one)."""
    from ruralcore.kernel.errors import RuralcoreError
    from ruralcore.rules.programs import load_program

    try:
        return [f.code for f in load_program(program).fields]
    except RuralcoreError:
        return []


def create_sql(table: str, fields: list[str]) -> str:
    """CREATE TABLE of an analytics table (one place for a dialect's storage options)."""
    cols = []
    for f in fields:
        v, n = columns(f)
        cols += [f"{_q(v)} DOUBLE PRECISION", f"{_q(n)} INTEGER NOT NULL DEFAULT 0"]
    return (f"CREATE TABLE {_q(table)} (period VARCHAR(7) NOT NULL, region VARCHAR(40) NOT NULL, "
            "total SMALLINT NOT NULL, level VARCHAR(20) NOT NULL DEFAULT '', "
            "parent VARCHAR(40) NOT NULL DEFAULT ''" + "".join(", " + c for c in cols)
            + f", CONSTRAINT {_q('pk_' + table)} PRIMARY KEY (period, total, region))")


def _ensure_table(conn: sa.Connection, program: str, fields: Iterable[str]) -> tuple[str, list[str]]:
    """Create the programme's table, or add the columns of fields it lacks; returns the
    table name and the fields it has columns for (the programme file's first)."""
    table = table_name(program)
    wanted = list(dict.fromkeys([*_program_fields(program), *fields]))
    have = _existing_columns(conn, table)
    if have is None:
        # PostgreSQL: partitioned by year of period like reports, its partitions made with it
        # (store.partitions); the indexes below are made on every partition
        conn.exec_driver_sql(create_sql(table, wanted) + partitions.partition_clause(conn))
        partitions.create_partitions(conn, table)
        conn.exec_driver_sql(f"CREATE INDEX {_q('ix_' + table + '_parent')} ON {_q(table)} (period, parent)")
        conn.exec_driver_sql(f"CREATE INDEX {_q('ix_' + table + '_level')} ON {_q(table)} (period, total, level)")
        results.sync_columns(conn, table, program, [])
        return table, wanted
    present = set(have)
    for f in wanted:
        v, n = columns(f)
        if v not in present:
            conn.exec_driver_sql(f"ALTER TABLE {_q(table)} ADD COLUMN {_q(v)} DOUBLE PRECISION")
            conn.exec_driver_sql(f"ALTER TABLE {_q(table)} ADD COLUMN {_q(n)} INTEGER NOT NULL DEFAULT 0")
    if results.sync_columns(conn, table, program, have):  # new verdicts (or the programme changed them)
        _judge_every_month(conn, table, program)
    return table, wanted


def _judge_every_month(conn: sa.Connection, table: str, program: str) -> None:
    """Judge every month the table holds again, oldest first, and sum them again."""
    t = _q(table)
    for (p,) in conn.execute(sa.text(f"SELECT DISTINCT period FROM {t} WHERE total = {OWN} ORDER BY period")).all():
        fields = _month_fields(conn, program, p)
        results.judge(conn, table, program, p, None, fields)
        _sum_rows(conn, table, p, fields, None)


def _month_fields(conn: sa.Connection, program: str, period: str | None = None) -> list[str]:
    """Fields with a reports row in the month (every month when None), from report_totals."""
    sql = "SELECT DISTINCT field FROM report_totals WHERE program = :prog AND n_rows > 0"
    if period is not None:
        sql += " AND period = :p"
    return sorted(r[0] for r in conn.execute(sa.text(sql), {"prog": program, "p": period}))


def analytics_tables(conn: sa.Connection) -> list[str]:
    """Every analytics table in the database (partitions of one excluded)."""
    names = [t for t in sa.inspect(conn).get_table_names() if t.startswith(PREFIX)]
    if conn.dialect.name == "postgresql" and names:
        parts = {r[0] for r in conn.exec_driver_sql(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid")}
        names = [t for t in names if t not in parts]
    return names


# ---- building ----------------------------------------------------------------------------

def _nodes(conn: sa.Connection, codes: list[str], depths: list[int]) -> None:
    """Fill the temporary node table with code → depth (0 = the written regions)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {_NODES} (code VARCHAR(40) PRIMARY KEY, "
                             "depth INTEGER NOT NULL) ON COMMIT DELETE ROWS")
    else:
        conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {_NODES} (code TEXT PRIMARY KEY, "
                             "depth INTEGER NOT NULL)")
    conn.exec_driver_sql(f"DELETE FROM {_NODES}")
    if codes:
        _fast.insert_rows(conn, _NODES, ["code", "depth"], [codes, depths])


def _ancestors(conn: sa.Connection, start_sql: str, params: dict) -> tuple[list[str], list[int]]:
    """Every ancestor of the regions ``start_sql`` selects (one column, their parent
    codes) with its largest distance above them, so that each comes after every child of
    it that is an ancestor too: one recursive query over ``regions``."""
    rows = conn.execute(sa.text(
        f"WITH RECURSIVE up(code, d) AS ({start_sql} "
        "UNION ALL SELECT g.parent, up.d + 1 FROM up JOIN regions g ON g.code = up.code "
        f"WHERE g.parent <> '' AND up.d < {MAX_DEPTH}) "
        "SELECT code, MAX(d) FROM up GROUP BY code"), params).all()
    return [r[0] for r in rows], [int(r[1]) for r in rows]


def _aggregates(fields: list[str], own: bool) -> tuple[str, list[str], dict]:
    """Column list and SELECT expressions of the value and count columns."""
    names, exprs, params = [], [], {}
    for i, f in enumerate(fields):
        v, n = columns(f)
        names += [_q(v), _q(n)]
        if own:
            params[f"f{i}"] = f
            exprs += [f"MAX(CASE WHEN r.field = :f{i} THEN r.value END)",
                      f"COUNT(CASE WHEN r.field = :f{i} THEN r.value END)"]
        else:
            exprs += [f"SUM(c.{_q(v)})", f"COALESCE(SUM(c.{_q(n)}), 0)"]
    return ", ".join(names), exprs, params


def refresh(conn: sa.Connection, program: str, period: str, regions: Iterable[str] | None = None) -> int:
    """Bring the programme's analytics rows of ``period`` in step with ``reports`` on the
    caller's transaction: the own rows of ``regions`` (every region when None), their
    verdicts (store.results) and the sum rows of their ancestors; then the verdicts and sums
    of the later months that look back at ``period``. Returns the number of rows written."""
    _lock(conn)
    codes = None if regions is None else list(dict.fromkeys(str(r) for r in regions))
    if codes is not None and len(codes) > FEW_REGIONS:
        codes = None
    fields = _month_fields(conn, program, period)  # the other columns hold no value this month
    table, _ = _ensure_table(conn, program, fields)
    t = _q(table)
    written = 0
    if not fields:  # no reports left in the month
        conn.execute(sa.text(f"DELETE FROM {t} WHERE period = :p"), {"p": period})
    elif codes is not None and not codes:
        return 0
    else:
        written += _own_rows(conn, t, program, period, fields, codes)
        results.judge(conn, table, program, period, codes, fields)
        written += _sum_rows(conn, table, period, fields, codes)
    for later in results.later_months(conn, table, program, period):  # they look back at this month
        later_fields = _month_fields(conn, program, later)
        if results.judge(conn, table, program, later, codes, later_fields):
            written += _sum_rows(conn, table, later, later_fields, codes)
    return written


def _own_rows(conn: sa.Connection, t: str, program: str, period: str, fields: list[str],
              codes: list[str] | None) -> int:
    """The own rows of ``codes`` (every region when None) regrouped from ``reports``."""
    cols, own_exprs, params = _aggregates(fields, own=True)
    params.update(prog=program, p=period)
    head = f"INSERT INTO {t} (period, region, total, level, parent, {cols}) "
    aliases = [f"a{i}" for i in range(2 * len(fields))]
    aliased = ", ".join(f"{e} AS {a}" for e, a in zip(own_exprs, aliases))

    def own_sql(where: str = "") -> str:
        # grouped over reports alone (in the order of its key: no sort), then placed in the tree
        return (head + f"SELECT CAST(:p AS VARCHAR(7)), u.region, {OWN}, COALESCE(g.level, ''), "
                f"COALESCE(g.parent, ''), {', '.join('u.' + a for a in aliases)} "
                f"FROM (SELECT r.region AS region, {aliased} FROM reports r WHERE r.program = :prog "
                f"AND r.period = :p{where} GROUP BY r.region) u LEFT JOIN regions g ON g.code = u.region")
    if codes is None:
        conn.execute(sa.text(f"DELETE FROM {t} WHERE period = :p"), {"p": period})
        return conn.execute(sa.text(own_sql()), params).rowcount
    _nodes(conn, codes, [0] * len(codes))
    conn.execute(sa.text(f"DELETE FROM {t} WHERE period = :p AND total = {OWN} "
                         f"AND region IN (SELECT code FROM {_NODES})"), {"p": period})
    return conn.execute(sa.text(own_sql(f" AND r.region IN (SELECT code FROM {_NODES})")), params).rowcount


def _sum_rows(conn: sa.Connection, table: str, period: str, fields: list[str], codes: list[str] | None) -> int:
    """The sum rows of ``period`` above ``codes`` (every one when None), bottom up, each from
    its children's rows: the fields' values and counts and the verdict columns."""
    t = _q(table)
    if codes is None:
        conn.execute(sa.text(f"DELETE FROM {t} WHERE period = :p AND total = {TOTAL}"), {"p": period})
        up, depth = _ancestors(conn, f"SELECT DISTINCT parent, 1 FROM {t} WHERE period = :p AND total = {OWN} "
                                     "AND parent <> ''", {"p": period})
    else:
        _nodes(conn, codes, [0] * len(codes))
        up, depth = _ancestors(conn, f"SELECT g.parent, 1 FROM {_NODES} k JOIN regions g ON g.code = k.code "
                                     "WHERE g.parent <> ''", {})
    _nodes(conn, up, depth)
    sum_cols, sum_exprs, _ = _aggregates(fields, own=False)
    judged = [c for c in (_existing_columns(conn, table) or []) if c.startswith(results.SUMMED_PREFIXES)]
    if judged:
        sum_cols = ", ".join([sum_cols, *(_q(c) for c in judged)])
        sum_exprs = [*sum_exprs, *(f"COALESCE(SUM(c.{_q(c)}), 0)" for c in judged)]
    written = 0
    for d in sorted(set(depth)):
        if codes is not None:
            conn.execute(sa.text(f"DELETE FROM {t} WHERE period = :p AND total = {TOTAL} "
                                 f"AND region IN (SELECT code FROM {_NODES} WHERE depth = :d)"), {"p": period, "d": d})
        written += conn.execute(sa.text(
            f"INSERT INTO {t} (period, region, total, level, parent, {sum_cols}) "
            f"SELECT CAST(:p AS VARCHAR(7)), k.code, {TOTAL}, COALESCE(g.level, ''), COALESCE(g.parent, ''), {', '.join(sum_exprs)} "
            f"FROM {_NODES} k JOIN {t} c ON c.period = :p AND c.parent = k.code "
            "LEFT JOIN regions g ON g.code = k.code WHERE k.depth = :d GROUP BY k.code, g.level, g.parent"),
            {"p": period, "d": d}).rowcount
    return written


def stored_months(conn: sa.Connection, program: str | None = None) -> dict[str, list[str]]:
    """programme → months with reports rows (report_totals), oldest first."""
    sql = "SELECT DISTINCT program, period FROM report_totals WHERE n_rows > 0"
    params: list = []
    if program is not None:
        sql += " AND program = ?"
        params.append(program)
    df = _fast.select_frame(conn, sql + " ORDER BY program, period", params, ["program", "period"],
                            {"program": "str", "period": "str"})
    return {p: g["period"].tolist() for p, g in df.groupby("program", sort=True)}


def rebuild(conn: sa.Connection, program: str | None = None, period: str | None = None) -> list[dict]:
    """Rebuild the analytics rows of ``program`` (every programme with reports when None)
    and ``period`` (every stored month when None) from ``reports``, on the caller's
    transaction. A month with no reports left loses its rows. Returns one dict per month:
    program, period, rows, seconds."""
    _lock(conn)
    months = stored_months(conn, program)
    if program is not None:
        months.setdefault(program, [])
    out = []
    for prog, periods in months.items():
        todo = [period] if period is not None else periods
        if period is None:  # months no longer stored lose their rows
            table = table_name(prog)
            if _existing_columns(conn, table) is not None:
                keep = set(periods)
                old = _fast.select_frame(conn, f"SELECT DISTINCT period FROM {_q(table)}", [], ["period"],
                                         {"period": "str"})["period"]
                for p in sorted(set(old) - keep):
                    conn.execute(sa.text(f"DELETE FROM {_q(table)} WHERE period = :p"), {"p": p})
        for p in todo:
            t0 = time.perf_counter()
            rows = refresh(conn, prog, p)
            out.append({"program": prog, "period": p, "rows": rows, "seconds": time.perf_counter() - t0})
    return out


def rebuild_all(conn: sa.Connection) -> list[dict]:
    """Empty every analytics table and rebuild every stored month (restore, demo load,
    region tree changes), on the caller's transaction."""
    _lock(conn)
    for table in analytics_tables(conn):
        conn.exec_driver_sql(f"DELETE FROM {_q(table)}")
    return rebuild(conn)


def missing_months(conn: sa.Connection, program: str | None = None) -> dict[str, list[str]]:
    """programme → stored months that have no analytics rows (a database upgraded from
    before this layer: every month). One index lookup per month."""
    out: dict[str, list[str]] = {}
    for prog, periods in stored_months(conn, program).items():
        table = table_name(prog)
        if _existing_columns(conn, table) is None:
            out[prog] = periods
            continue
        q = sa.text(f"SELECT 1 FROM {_q(table)} WHERE period = :p LIMIT 1")
        lack = [p for p in periods if conn.execute(q, {"p": p}).first() is None]
        if lack:
            out[prog] = lack
    return out


def _unjudged(conn: sa.Connection, program: str | None) -> list[str]:
    """Programmes whose table lacks a verdict column its programme file asks for (a database
    from before store.results, or a programme file whose targets changed)."""
    progs = [program] if program is not None else list(stored_months(conn))
    out = []
    for prog in progs:
        have = _existing_columns(conn, table_name(prog))
        if have is not None and not set(results.all_columns(prog)) <= set(have):
            out.append(prog)
    return out


def ensure(engine: sa.Engine, program: str | None = None) -> int:
    """Build the analytics rows of every stored month that has none, and judge every month
    again where the verdict columns are missing (one transaction); returns the number of
    months built. Cheap when nothing is missing (one lookup a month)."""
    with engine.connect() as conn:
        todo = missing_months(conn, program)
        unjudged = _unjudged(conn, program)
    if unjudged:
        with engine.begin() as conn:
            _lock(conn)
            for prog in _unjudged(conn, program):
                _ensure_table(conn, prog, [])
    if todo:
        with engine.begin() as conn:
            _lock(conn)  # PostgreSQL: one builder at a time; the next one finds the months built
            todo = missing_months(conn, program)
            for prog, periods in todo.items():
                for p in periods:
                    refresh(conn, prog, p)
    _analyze(engine, [*unjudged, *todo])
    return sum(len(v) for v in todo.values())


def _analyze(engine: sa.Engine, programs: list[str]) -> None:
    """PostgreSQL: the planner's statistics of tables just built or judged again (new columns
    have none: a LIMIT read of one of them would be planned as a scan of the whole year)."""
    if engine.dialect.name != "postgresql" or not programs:
        return
    with engine.begin() as conn:
        for prog in dict.fromkeys(programs):
            conn.exec_driver_sql(f"ANALYZE {_q(table_name(prog))}")


# ---- reading -----------------------------------------------------------------------------

def _read(engine: sa.Engine, program: str, period: str, total: int, level: str | None,
          parent: str | None, counts: bool, regions: list[str] | None = None) -> pd.DataFrame:
    check_period(period)
    table = table_name(program)
    with engine.connect() as conn:
        have = _existing_columns(conn, table)
    if have is None:  # an upgraded database: build the programme's tables first
        ensure(engine, program)
    with engine.connect() as conn:
        have = set(_existing_columns(conn, table) or [])
        fields = [f for f in _month_fields(conn, program, period) if columns(f)[0] in have]
        sel = ["region", "level", "parent"]
        names, types = ["region", "level", "parent"], {"region": "object", "level": "str", "parent": "str"}
        for f in fields:
            v, n = columns(f)
            sel.append(_q(v))
            names.append(f)
            types[f] = "float64"
        if counts:
            for f in fields:
                sel.append(_q(columns(f)[1]))
                names.append(COUNT_PREFIX + f)
                types[COUNT_PREFIX + f] = "int64"
        where, params = f"period = ? AND total = {total}", [period]
        if level is not None:
            where += " AND level = ?"
            params.append(level)
        if parent is not None:
            where += " AND parent = ?"
            params.append(parent)
        if regions is not None:
            where += f" AND region IN ({', '.join('?' * len(regions))})" if regions else " AND 1 = 0"
            params += list(regions)
        if not have:
            frame = pd.DataFrame({n: pd.Series(dtype=types[n]) for n in names})
        else:
            frame = _fast.select_frame(conn, f"SELECT {', '.join(sel)} FROM {_q(table)} WHERE {where} "
                                       "ORDER BY region", params, names, types, bulk=True)
    frame.index = pd.Index(frame["region"].to_numpy(dtype=object), name="region", dtype=object)  # as overview.load_month
    return frame.drop(columns=["region"])


def month_rows(engine: sa.Engine, program: str, period: str, level: str | None = None,
               parent: str | None = None, regions: list[str] | None = None) -> pd.DataFrame:
    """The reported values of one month, one row per region (index ``region``, object
    codes, sorted), one float column per field with a reports row that month (sorted by
    code; NaN where the region gave no value) — the frame ``ruralcore.app.overview.load_month``
    builds from the raw values. ``level`` keeps the regions of that level of the tree,
    ``parent`` the children of that region, ``regions`` only those codes (the columns stay
    the month's)."""
    return _read(engine, program, period, OWN, level, parent, counts=False, regions=regions).drop(
        columns=["level", "parent"])


def months_rows(engine: sa.Engine, program: str, periods: list[str], fields: list[str],
                regions: list[str] | None = None) -> pd.DataFrame:
    """The reported values of several months in one read: the regions' own rows (as
    ``month_rows``), only the columns of ``fields`` (those never stored are left out) and,
    when given, only ``regions``; index ``region`` (repeated across months), column
    ``period`` first. A month series (预警) reads three columns of twelve months, not twelve
    whole months."""
    for p in periods:
        check_period(p)
    table = table_name(program)
    with engine.connect() as conn:
        have = _existing_columns(conn, table)
    if have is None:
        ensure(engine, program)
    with engine.connect() as conn:
        have = set(_existing_columns(conn, table) or [])
        kept = [f for f in fields if columns(f)[0] in have]
        names = ["region", "period"] + kept
        types = {"region": "object", "period": "object", **{f: "float64" for f in kept}}
        if not have or not periods or (regions is not None and not regions):
            frame = pd.DataFrame({n: pd.Series(dtype=types[n]) for n in names})
        else:
            sel = ", ".join(["region", "period"] + [_q(columns(f)[0]) for f in kept])
            where = f"total = {OWN} AND period IN ({', '.join('?' * len(periods))})"
            params = list(periods)
            if regions is not None:
                where += f" AND region IN ({', '.join('?' * len(regions))})"
                params += list(regions)
            frame = _fast.select_frame(conn, f"SELECT {sel} FROM {_q(table)} WHERE {where} ORDER BY period, region",
                                       params, names, types, bulk=True)
    frame.index = pd.Index(frame["region"].to_numpy(dtype=object), name="region", dtype=object)
    return frame.drop(columns=["region"])


def level_totals(engine: sa.Engine, program: str, period: str, level: str | None = None,
                 parent: str | None = None) -> pd.DataFrame:
    """The precomputed sums of one month: one row per region of the tree above the
    reported ones (index ``region``), optionally only those of ``level`` or those whose
    parent is ``parent``. Columns ``level``, ``parent``, then per field (as in
    ``month_rows``) the float sum of the values reported below (NaN when none), then per
    field the int count ``"n:" + field`` of the values reported below."""
    return _read(engine, program, period, TOTAL, level, parent, counts=True)


def level_months(engine: sa.Engine, program: str, periods: list[str], level: str) -> pd.DataFrame:
    """The regions at ``level`` over several months in one read, their sum row and own row
    added up (a region of the level may report fields of its own, as 融水's county centre):
    index (period, region), per field (as ``level_totals``) the float sum and the int count
    ``"n:" + field`` of the values given at or below it."""
    for p in periods:
        check_period(p)
    table = table_name(program)
    with engine.connect() as conn:
        have = set(_existing_columns(conn, table) or [])
        stored = sorted({f for p in periods for f in _month_fields(conn, program, p)})  # the months' fields
        fields = [f for f in stored if columns(f)[0] in have]
        names = ["period", "region", *fields, *(COUNT_PREFIX + f for f in fields)]
        types = {"period": "object", "region": "object", **{f: "float64" for f in fields},
                 **{COUNT_PREFIX + f: "int64" for f in fields}}
        if not have or not periods:
            rows = pd.DataFrame({n: pd.Series(dtype=types[n]) for n in names})
        else:
            sel = ", ".join(["period", "region", *(_q(columns(f)[0]) for f in fields), *(_q(columns(f)[1]) for f in fields)])
            rows = _fast.select_frame(conn, f"SELECT {sel} FROM {_q(table)} WHERE period IN "
                                      f"({', '.join('?' * len(periods))}) AND level = ?", [*periods, level],
                                      names, types, bulk=True)
    by = [rows["period"].to_numpy(dtype=object), rows["region"].to_numpy(dtype=object)]
    return rows.drop(columns=["period", "region"]).groupby(by, sort=True).sum(min_count=1).rename_axis(
        ["period", "region"])


def own_rows_at(engine: sa.Engine, program: str, periods: list[str], levels: list[str]) -> int:
    """How many own rows of ``periods`` sit at one of ``levels`` ("" for a code the tree does
    not know)."""
    if not periods or not levels:
        return 0
    with engine.connect() as conn:
        if _existing_columns(conn, table_name(program)) is None:
            return 0
        return int(conn.execute(sa.text(
            f"SELECT COUNT(*) FROM {_q(table_name(program))} WHERE total = {OWN} "
            f"AND period IN ({', '.join(f':p{i}' for i in range(len(periods)))}) "
            f"AND level IN ({', '.join(f':l{i}' for i in range(len(levels)))})"),
            {**{f"p{i}": p for i, p in enumerate(periods)}, **{f"l{i}": v for i, v in enumerate(levels)}}).scalar())


def counts(totals: pd.DataFrame) -> pd.DataFrame:
    """The count columns of a ``level_totals`` frame, renamed to their field codes."""
    cols = [c for c in totals.columns if str(c).startswith(COUNT_PREFIX)]
    return totals[cols].rename(columns={c: c[len(COUNT_PREFIX):] for c in cols})


def sums(totals: pd.DataFrame) -> pd.DataFrame:
    """The sum columns of a ``level_totals`` frame (the shape of ``month_rows``)."""
    return totals[[c for c in totals.columns if c not in ("level", "parent")
                   and not str(c).startswith(COUNT_PREFIX)]]


__all__ = ["table_name", "columns", "refresh", "rebuild", "rebuild_all", "ensure", "missing_months",
           "month_rows", "months_rows", "level_totals", "level_months", "own_rows_at", "counts", "sums", "stored_months",
           "analytics_tables"]
