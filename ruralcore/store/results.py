"""Per-unit results kept in the analytics rows: each reporting unit's warning verdict (预警)
on every dated target of the report level, judged by the rules when the unit's rows are
written, so that the analytics sum rows count, for every region above, how many units fall
under each verdict — what 总览's warnings show, read from one row instead of projecting every
village's months on the page (DHIS2 likewise keeps derived values in its analytics tables).

Columns, on every row of ``analytics_<programme>``: per such target four INTEGER columns
``r_<target>_<hash>_{met,trk,lat,ovr}`` (已达标 / 预计按期完成 / 预计逾期 / 已逾期未完成, the
verdicts of ruralcore.rules.forecast). On a unit's own row 1 for its verdict in that month and
0 for the others (all 0 when it has no value that month); on a sum row, the sums of the rows
below. ``<hash>`` covers everything of the programme file the verdict depends on (threshold,
operator, deadline, the indicator's fields and scale, the months N): a change of any of them
names new columns, so ``ensure`` finds them missing and judges every month again; stale
columns are dropped.

A verdict looks back N months, so writing month P changes the written units' verdicts in
P … P+N−1: ``analytics.refresh`` calls :func:`judge` for P and for each of those later months
that has rows, and sums those months again.
"""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ruralcore.store import _fast
from ruralcore.store.analytics_names import _q, columns as field_columns, existing_columns, table_name

OWN = 0
VERDICT_KEYS = {"已达标": "met", "预计按期完成": "trk", "预计逾期": "lat", "已逾期未完成": "ovr"}
_CODES = "_results_codes"  # temporary: the units one judgement is limited to
LISTED_CODES = 5000  # an account's units are named in the query up to this many


def _program(program):
    """The programme (its id loaded); None for an id without a programme file."""
    from ruralcore.kernel.errors import RuralcoreError
    from ruralcore.rules.programs import load_program
    if not isinstance(program, str):
        return program
    try:
        return load_program(program)
    except RuralcoreError:
        return None


def judged_targets(program) -> list:
    """The targets whose verdicts are kept: a deadline, an indicator, judged at the report level."""
    from ruralcore.rules.targets import data_level
    program = _program(program)
    if program is None:
        return []
    here = data_level(program)
    return [t for t in program.targets if t.due is not None and t.indicator and t.applies_to == here]


def _months(program) -> int:
    from ruralcore.rules.forecast import setting_months
    return setting_months(program)[0]


def verdict_columns(program) -> dict[str, dict[str, str]]:
    """target code → {verdict (已达标 …): column name}, in the programme's order."""
    from ruralcore.rules import indicators as ind_mod
    program = _program(program)
    if program is None:
        return {}
    n = _months(program)
    out = {}
    for t in judged_targets(program):
        ind = program.indicator(t.indicator)
        spec = "|".join(str(x) for x in (t.code, t.threshold, t.op, t.due, t.scope, ind.kind, ind.numerator,
                                         ind.denominator, ",".join(ind.fields), ind.scale, n,
                                         ",".join(ind_mod.needed_fields(program, [ind.code]))))
        h = hashlib.sha1(spec.encode("utf-8")).hexdigest()[:8]
        stem = t.code if t.code.isascii() and t.code.replace("_", "").isalnum() and len(t.code) <= 36 else \
            "t" + hashlib.sha1(t.code.encode("utf-8")).hexdigest()[:12]
        out[t.code] = {v: f"r_{stem}_{h}_{k}" for v, k in VERDICT_KEYS.items()}
    return out


def all_columns(program) -> list[str]:
    return [c for cols in verdict_columns(program).values() for c in cols.values()]


def sync_columns(conn: sa.Connection, table: str, program, have: list[str]) -> list[str]:
    """Add the programme's verdict columns the table lacks and drop those no programme
    definition names any more; returns the columns added."""
    wanted = all_columns(program)
    present = set(have)
    added = [c for c in wanted if c not in present]
    for c in added:
        conn.exec_driver_sql(f"ALTER TABLE {_q(table)} ADD COLUMN {_q(c)} INTEGER NOT NULL DEFAULT 0")
    for c in have:
        if c.startswith("r_") and c not in wanted:
            conn.exec_driver_sql(f"ALTER TABLE {_q(table)} DROP COLUMN {_q(c)}")
    return added


def _shift(period: str, k: int) -> str:
    y, m = int(period[:4]), int(period[5:7]) - 1 + k
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def later_months(conn: sa.Connection, table: str, program, period: str) -> list[str]:
    """The months after ``period`` whose verdicts look back at it (up to N − 1 later) and
    that have rows."""
    program = _program(program)
    n = _months(program) if program is not None else 1
    if n <= 1 or not judged_targets(program):
        return []
    rows = conn.execute(sa.text(f"SELECT DISTINCT period FROM {_q(table)} WHERE total = {OWN} "
                                "AND period > :a AND period <= :b ORDER BY period"),
                        {"a": period, "b": _shift(period, n - 1)}).all()
    return [r[0] for r in rows]


def _limit_to(conn: sa.Connection, codes: list[str]) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {_CODES} (code VARCHAR(40) PRIMARY KEY) "
                             "ON COMMIT DELETE ROWS")
    else:
        conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {_CODES} (code TEXT PRIMARY KEY)")
    conn.exec_driver_sql(f"DELETE FROM {_CODES}")
    if codes:
        _fast.insert_rows(conn, _CODES, ["code"], [list(codes)])


def verdicts(conn: sa.Connection, table: str, program, period: str, codes: list[str] | None) -> pd.DataFrame:
    """The verdict columns of the own rows of ``period`` (only ``codes`` when given): index
    region, one 0/1 column per verdict column — the rules' projection over the units' own
    rows of the last N months."""
    from ruralcore.rules import indicators as ind_mod
    from ruralcore.rules.forecast import dated_targets, project_values
    from ruralcore.rules.targets import target_values

    program = _program(program)
    cols = verdict_columns(program)
    flat = [c for v in cols.values() for c in v.values()]
    tg = dated_targets(program)
    tg = tg[tg["target"].isin(list(cols))].reset_index(drop=True)
    n = _months(program)
    window = [_shift(period, -k) for k in range(n - 1, -1, -1)]
    have = set(_existing(conn, table))
    fields = [f for f in ind_mod.needed_fields(program, [program.target(c).indicator for c in cols])
              if field_columns(f)[0] in have]
    where = f"total = {OWN} AND period IN ({', '.join('?' * len(window))})"
    if codes is not None:
        where += f" AND region IN (SELECT code FROM {_CODES})"
    sel = ", ".join(["region", "period", "level"] + [_q(field_columns(f)[0]) for f in fields])
    names = ["region", "period", "level", *fields]
    rows = _fast.select_frame(conn, f"SELECT {sel} FROM {_q(table)} WHERE {where}", window, names,
                              {"region": "object", "period": "object", "level": "object",
                               **{f: "float64" for f in fields}}, bulk=True)
    now = rows[rows["period"] == period]["region"].to_numpy(dtype=object)
    out = pd.DataFrame(0, index=pd.Index(now, dtype=object, name="region"), columns=flat, dtype="int64")
    if not len(now) or not fields:
        return out
    # the units' levels from the rows (a code the tree does not know has none: kept, as the
    # pages keep it)
    known = rows[rows["level"] != ""].drop_duplicates("region")
    tree = pd.DataFrame({"level": known["level"].to_numpy(dtype=object)},
                        index=pd.Index(known["region"].to_numpy(dtype=object), dtype=object))
    data = rows[fields].set_axis(pd.Index(rows["region"].to_numpy(dtype=object), dtype=object), axis=0)
    values = target_values(program, data, rows["period"].to_numpy(dtype=object), list(cols), tree)
    judged = project_values(values, tg, period, n)
    if judged.empty:
        return out
    from ruralcore.rules.forecast import verdict
    column = np.array([cols[t][v] for t, v in zip(judged["target"], verdict(judged))], dtype=object)
    hit = pd.DataFrame({"region": judged["region"].to_numpy(dtype=object), "column": column, "one": 1})
    wide = hit.pivot_table(index="region", columns="column", values="one", aggfunc="max", fill_value=0)
    wide = wide.reindex(index=out.index, columns=flat, fill_value=0).astype("int64")
    return wide


def _existing(conn: sa.Connection, table: str) -> list[str]:
    return existing_columns(conn, table) or []


def judge(conn: sa.Connection, table: str, program, period: str, codes: list[str] | None) -> int:
    """Set the verdict columns of the own rows of ``period`` (of ``codes`` when given) on the
    caller's transaction; returns the rows set."""
    if not all_columns(program):
        return 0
    if codes is not None:
        if not codes:
            return 0
        _limit_to(conn, codes)
    frame = verdicts(conn, table, program, period, codes)
    flat = list(frame.columns)
    if frame.empty:
        return 0
    tmp = "_results_rows"
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {tmp} (region VARCHAR(40) PRIMARY KEY"
                             + "".join(f", {_q(c)} INTEGER" for c in flat) + ") ON COMMIT DROP")
    else:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{tmp}")
        conn.exec_driver_sql(f"CREATE TEMP TABLE {tmp} (region TEXT PRIMARY KEY"
                             + "".join(f", {_q(c)} INTEGER" for c in flat) + ")")
    conn.exec_driver_sql(f"DELETE FROM {tmp}")
    _fast.insert_rows(conn, tmp, ["region", *flat],
                      [frame.index.to_numpy(dtype=object).tolist(), *[frame[c].to_numpy().tolist() for c in flat]])
    sets = ", ".join(f"{_q(c)} = n.{_q(c)}" for c in flat)
    done = conn.execute(sa.text(f"UPDATE {_q(table)} SET {sets} FROM {tmp} n WHERE {_q(table)}.period = :p "
                                f"AND {_q(table)}.total = {OWN} AND {_q(table)}.region = n.region"),
                        {"p": period}).rowcount
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"DROP TABLE {tmp}")
    return done


# ---- reading -----------------------------------------------------------------------------

def counts(engine: sa.Engine, program, period: str, region: str | None = None) -> pd.DataFrame:
    """How many units fall under each verdict of each kept target in ``period``: rows target
    (programme order), columns the verdicts (已达标 …), over every unit (``region`` None) or
    over the units of ``region`` (its sum row, and its own row when it is a unit itself). The
    caller has made sure the table is built and judged (store.analytics.ensure)."""
    program = _program(program)
    cols = verdict_columns(program)
    out = pd.DataFrame(0, index=pd.Index(list(cols), name="target"), columns=list(VERDICT_KEYS), dtype="int64")
    if not cols:
        return out
    table = table_name(program.id)
    flat = [c for v in cols.values() for c in v.values()]
    sums = ", ".join(f"COALESCE(SUM({_q(c)}), 0)" for c in flat)
    where, params = "period = :p AND total = 0", {"p": period}
    if region is not None:
        where = "period = :p AND region = :r"
        params["r"] = region
    with engine.connect() as conn:
        row = conn.execute(sa.text(f"SELECT {sums} FROM {_q(table)} WHERE {where}"), params).one()
    got = dict(zip(flat, row))
    for t, by in cols.items():
        for v, c in by.items():
            out.at[t, v] = int(got[c] or 0)
    return out


def units(engine: sa.Engine, program, period: str, target: str, order: list[str], limit: int,
          codes: list[str] | None = None) -> pd.DataFrame:
    """Up to ``limit`` units of ``target`` in ``period`` with their verdict, the verdicts in
    ``order`` first and by region code within one (only ``codes`` when given): region, verdict."""
    program = _program(program)
    cols = verdict_columns(program).get(target)
    if not cols:
        return pd.DataFrame({"region": pd.Series(dtype=object), "verdict": pd.Series(dtype=object)})
    table = table_name(program.id)
    parts = []
    with engine.connect() as conn:
        for v in order:
            left = limit - sum(len(p) for p in parts)
            if left <= 0:
                break
            where, params = f"period = ? AND total = {OWN} AND {_q(cols[v])} = 1", [period]
            named = codes is not None and len(codes) <= LISTED_CODES  # else filtered here
            if named:
                where += f" AND region IN ({', '.join('?' * len(codes))})" if codes else " AND 1 = 0"
                params += list(codes)
            tail = f" LIMIT {int(left)}" if codes is None or named else ""
            got = _fast.select_frame(conn, f"SELECT region FROM {_q(table)} WHERE {where} ORDER BY region{tail}",
                                     params, ["region"], {"region": "object"})
            region = got["region"].to_numpy(dtype=object)
            if codes is not None and not named:
                region = region[pd.Index(region, dtype=object).isin(pd.Index(codes, dtype=object))][:left]
            parts.append(pd.DataFrame({"region": region, "verdict": v}))
    if not parts:
        return pd.DataFrame({"region": pd.Series(dtype=object), "verdict": pd.Series(dtype=object)})
    out = pd.concat(parts, ignore_index=True)
    return out.astype({"region": object, "verdict": object})
