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
        h = _hash((t.code, t.threshold, t.op, t.due, t.scope, ind.kind, ind.numerator, ind.denominator,
                   ",".join(ind.fields), ind.scale, n, ",".join(ind_mod.needed_fields(program, [ind.code]))))
        out[t.code] = {v: f"r_{_stem(t.code)}_{h}_{k}" for v, k in VERDICT_KEYS.items()}
    return out


def unit_targets(program) -> list:
    """The every-unit targets whose per-unit result is kept: set for each unit of the report
    level (每个村…), over every unit."""
    from ruralcore.rules.targets import data_level
    program = _program(program)
    if program is None:
        return []
    here = data_level(program)
    return [t for t in program.targets if t.indicator and t.kind == "every_unit" and t.applies_to == here
            and t.scope == "all"]


def _hash(spec) -> str:
    return hashlib.sha1("|".join(str(x) for x in spec).encode("utf-8")).hexdigest()[:8]


def _stem(code: str) -> str:
    return code if code.isascii() and code.replace("_", "").isalnum() and len(code) <= 36 else \
        "t" + hashlib.sha1(code.encode("utf-8")).hexdigest()[:12]


def _indicator_spec(program, code: str) -> tuple:
    from ruralcore.rules import indicators as ind_mod
    ind = program.indicator(code)
    return (ind.code, ind.kind, ind.numerator, ind.denominator, ",".join(ind.fields), ind.scale,
            ",".join(ind_mod.needed_fields(program, [code])))


def unit_columns(program) -> dict[str, dict[str, str]]:
    """target code → {"met": column, "val": column} of the kept every-unit targets: 1 on a
    unit's own row when it meets the target / has a value of it, the counts on a sum row."""
    program = _program(program)
    out = {}
    for t in unit_targets(program):
        h = _hash((t.code, t.threshold, t.op, *_indicator_spec(program, t.indicator)))
        out[t.code] = {k: f"e_{_stem(t.code)}_{h}_{k}" for k in ("met", "val")}
    return out


def score_column(program) -> str | None:
    """The column of each reporting unit's rubric score (NULL on a row that is no reporting
    unit, and on sum rows); None for a programme without a rubric."""
    from ruralcore.rules.scoring import DECIMALS
    program = _program(program)
    if program is None or program.rubric is None:
        return None
    r = program.rubric
    spec = [r.formula.model_dump_json(), DECIMALS]
    for a in r.aspects:
        spec += [a.code, a.points, *[(i.code, i.target, *_indicator_spec(program, i.code)) for i in a.indicators]]
    return "s_" + _hash(spec)


def flag_columns(program) -> dict[str, dict[str, str]]:
    """indicator code → {"sum": column, "n": column} of the flags of several fields (云办公与群发
    …): a unit's value (the mean of its fields × 100, NULL without one) and 1 when it has one;
    their sums on a sum row, whose ratio is the roll-up (the mean of the units' values), which
    the fields' own sums cannot give."""
    program = _program(program)
    if program is None:
        return {}
    out = {}
    for ind in program.indicators:
        if ind.kind == "flag" and len(ind.fields) > 1:
            h = _hash(_indicator_spec(program, ind.code))
            out[ind.code] = {k: f"x_{_stem(ind.code)}_{h}_{k}" for k in ("sum", "n")}
    return out


def all_columns(program) -> list[str]:
    score = score_column(program)
    return ([c for cols in verdict_columns(program).values() for c in cols.values()]
            + [c for cols in unit_columns(program).values() for c in cols.values()]
            + [c for cols in flag_columns(program).values() for c in cols.values()] + ([score] if score else []))


KEPT_PREFIXES = ("r_", "e_", "x_", "s_")  # verdicts, every-unit results, flags of several fields, the score
SUMMED_PREFIXES = ("r_", "e_", "x_")  # the sum rows add them up
_FLOAT = ("s_",)  # the score; and the flags' values (…_sum)


def _is_float(column: str) -> bool:
    return column.startswith(_FLOAT) or (column.startswith("x_") and column.endswith("_sum"))


def sync_columns(conn: sa.Connection, table: str, program, have: list[str]) -> list[str]:
    """Add the programme's kept columns the table lacks and drop those no programme
    definition names any more; returns the columns added."""
    wanted = all_columns(program)
    present = set(have)
    added = [c for c in wanted if c not in present]
    for c in added:
        kind = "DOUBLE PRECISION" if _is_float(c) else "INTEGER NOT NULL DEFAULT 0"
        conn.exec_driver_sql(f"ALTER TABLE {_q(table)} ADD COLUMN {_q(c)} {kind}")
    for c in have:
        if c.startswith(KEPT_PREFIXES) and c not in wanted:
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


def unit_results(conn: sa.Connection, table: str, program, period: str, codes: list[str] | None,
                 fields: list[str]) -> pd.DataFrame:
    """The every-unit and score columns of the own rows of ``period`` (only ``codes`` when
    given; ``fields``: the month's fields): index region — by the rules the pages use
    (targets.reporting_rows, indicators.compute, targets.compare, scoring.scores) on the
    month's frame, each row depending on its own values only."""
    from ruralcore.rules import indicators as ind_mod, scoring
    from ruralcore.rules.targets import compare, data_level, reporting_rows

    program = _program(program)
    units, flags, score = unit_columns(program), flag_columns(program), score_column(program)
    flat = ([c for v in units.values() for c in v.values()] + [c for v in flags.values() for c in v.values()]
            + ([score] if score else []))
    have = set(_existing(conn, table))
    fields = [f for f in fields if field_columns(f)[0] in have]
    where = f"period = ? AND total = {OWN}" + (f" AND region IN (SELECT code FROM {_CODES})" if codes is not None else "")
    rows = _fast.select_frame(conn, f"SELECT {', '.join(['region', 'level'] + [_q(field_columns(f)[0]) for f in fields])} "
                              f"FROM {_q(table)} WHERE {where}", [period], ["region", "level", *fields],
                              {"region": "object", "level": "object", **{f: "float64" for f in fields}}, bulk=True)
    index = pd.Index(rows["region"].to_numpy(dtype=object), dtype=object, name="region")
    month = rows[fields].set_axis(index, axis=0)
    out = pd.DataFrame({c: np.zeros(len(rows), dtype="int64") for c in flat if not _is_float(c)}, index=index)
    for code, cols in flags.items():
        if set(ind_mod.needed_fields(program, [code])) <= set(fields):
            value = ind_mod.compute(program, month, [code])[code].to_numpy(dtype="float64")
            out[cols["sum"]] = value
            out[cols["n"]] = (~np.isnan(value)).astype("int64")
        else:
            out[cols["sum"]] = np.nan
    here = (rows["level"] == data_level(program)).to_numpy()
    for t in unit_targets(program):
        if not set(ind_mod.needed_fields(program, [t.indicator])) <= set(fields):
            continue
        value = ind_mod.compute(program, month[here], [t.indicator])[t.indicator].to_numpy(dtype="float64")
        met, _ = compare(value, t.op, t.threshold)
        out.loc[here, units[t.code]["met"]] = met.astype("int64")
        out.loc[here, units[t.code]["val"]] = (~np.isnan(value)).astype("int64")
    if score:
        got = np.full(len(rows), np.nan)
        reporting = reporting_rows(program, month)
        values = ind_mod.compute(program, reporting, ind_mod.computable(program, fields))
        kept = scoring.scores(program, values)
        if kept is not None:
            got[index.get_indexer(reporting.index)] = kept
        out[score] = got
    return out[flat]


def judge(conn: sa.Connection, table: str, program, period: str, codes: list[str] | None,
          fields: list[str]) -> int:
    """Set the kept columns of the own rows of ``period`` (of ``codes`` when given) on the
    caller's transaction — the verdicts, the every-unit results and the score; ``fields``:
    the month's fields. Returns the rows set."""
    if not all_columns(program):
        return 0
    if codes is not None:
        if not codes:
            return 0
        _limit_to(conn, codes)
    frame = verdicts(conn, table, program, period, codes)
    kept = unit_results(conn, table, program, period, codes, fields)
    frame = pd.concat([frame, kept.reindex(frame.index)], axis=1)
    flat = list(frame.columns)
    if frame.empty or not flat:
        return 0
    tmp = "_results_rows"
    kinds = "".join(f", {_q(c)} {'DOUBLE PRECISION' if _is_float(c) else 'INTEGER'}" for c in flat)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {tmp} (region VARCHAR(40) PRIMARY KEY{kinds}) "
                             "ON COMMIT DROP")
    else:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{tmp}")
        conn.exec_driver_sql(f"CREATE TEMP TABLE {tmp} (region TEXT PRIMARY KEY{kinds})")
    conn.exec_driver_sql(f"DELETE FROM {tmp}")
    values = [frame[c].to_numpy() for c in flat]
    _fast.insert_rows(conn, tmp, ["region", *flat],
                      [frame.index.to_numpy(dtype=object).tolist(),
                       *[[None if x != x else float(x) for x in v] if v.dtype.kind == "f" else v.tolist()
                         for v in values]])
    sets = ", ".join(f"{_q(c)} = n.{_q(c)}" for c in flat)
    done = conn.execute(sa.text(f"UPDATE {_q(table)} SET {sets} FROM {tmp} n WHERE {_q(table)}.period = :p "
                                f"AND {_q(table)}.total = {OWN} AND {_q(table)}.region = n.region"),
                        {"p": period}).rowcount
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"DROP TABLE {tmp}")
    return done


# ---- reading -----------------------------------------------------------------------------

def _sums(engine: sa.Engine, table: str, cols: list[str], period: str, region: str | None) -> dict[str, int]:
    """The sums of ``cols`` over every unit (``region`` None: the rows without a parent — the
    tree's roots, whose sum rows hold everything below them, and units the tree does not
    place) or over the units of ``region`` (its sum row, and its own row when it is a unit)."""
    if not cols:
        return {}
    sums = ", ".join(f"COALESCE(SUM({_q(c)}), 0)" for c in cols)
    where, params = "period = :p AND parent = ''", {"p": period}
    if region is not None:
        where = "period = :p AND region = :r"
        params["r"] = region
    with engine.connect() as conn:
        row = conn.execute(sa.text(f"SELECT {sums} FROM {_q(table)} WHERE {where}"), params).one()
    return {c: int(v or 0) for c, v in zip(cols, row)}


def counts(engine: sa.Engine, program, period: str, region: str | None = None) -> pd.DataFrame:
    """How many units fall under each verdict of each kept target in ``period``: rows target
    (programme order), columns the verdicts (已达标 …), over every unit (``region`` None) or
    over the units of ``region``. The caller has made sure the table is built and judged
    (store.analytics.ensure)."""
    program = _program(program)
    cols = verdict_columns(program)
    got = _sums(engine, table_name(program.id), [c for v in cols.values() for c in v.values()], period, region)
    out = pd.DataFrame(0, index=pd.Index(list(cols), name="target"), columns=list(VERDICT_KEYS), dtype="int64")
    for t, by in cols.items():
        for v, c in by.items():
            out.at[t, v] = got[c]
    return out


def unit_counts(engine: sa.Engine, program, period: str, region: str | None = None) -> pd.DataFrame:
    """Per kept every-unit target (programme order): ``met`` — units meeting it, ``val`` —
    units with a value of it, over every unit (``region`` None) or the units of ``region``."""
    program = _program(program)
    cols = unit_columns(program)
    got = _sums(engine, table_name(program.id), [c for v in cols.values() for c in v.values()], period, region)
    return pd.DataFrame({k: [got[by[k]] for by in cols.values()] for k in ("met", "val")},
                        index=pd.Index(list(cols), name="target"), dtype="int64")


def failing_units(engine: sa.Engine, program, period: str, target: str, limit: int,
                  codes: list[str] | None = None) -> pd.DataFrame:
    """The first ``limit`` units by code with a value of the kept every-unit ``target`` that
    misses it (only ``codes`` when given): region."""
    cols = unit_columns(_program(program))[target]
    return _first_units(engine, _program(program), period, f"{_q(cols['val'])} = 1 AND {_q(cols['met'])} = 0",
                        limit, codes)


def blank_units(engine: sa.Engine, program, period: str, target: str, level: str, limit: int,
                codes: list[str] | None = None) -> list[str]:
    """The first ``limit`` own rows of ``period`` at ``level`` by code (of ``codes``) without a
    value of the kept every-unit ``target`` (they reported other fields)."""
    program = _program(program)
    val = unit_columns(program)[target]["val"]
    cond = f"level = '{level}' AND {_q(val)} = 0" if level.isidentifier() else "1 = 0"
    return _first_units(engine, program, period, cond, limit, codes)["region"].tolist()


def row_units(engine: sa.Engine, program, period: str, level: str) -> pd.Index:
    """The regions at ``level`` with an own row in ``period`` (object codes)."""
    program = _program(program)
    with engine.connect() as conn:
        got = _fast.select_frame(conn, f"SELECT region FROM {_q(table_name(program.id))} WHERE period = ? "
                                 f"AND total = {OWN} AND level = ?", [period, level], ["region"], {"region": "object"},
                                 bulk=True)
    return pd.Index(got["region"].to_numpy(dtype=object), dtype=object)


def flag_values(engine: sa.Engine, program, periods: list[str], level: str) -> pd.DataFrame:
    """The flags of several fields (flag_columns) of every region at ``level`` in ``periods``
    rolled up from its sum row and its own row: index (period, region), one column per
    indicator (the mean of the values of the units at or below it)."""
    program = _program(program)
    cols = flag_columns(program)
    flat = [c for v in cols.values() for c in v.values()]
    if not flat or not periods:
        return pd.DataFrame()
    sums = ", ".join(f"SUM({_q(c)})" for c in flat)
    with engine.connect() as conn:
        got = _fast.select_frame(conn, f"SELECT period, region, {sums} FROM {_q(table_name(program.id))} WHERE period IN "
                                 f"({', '.join('?' * len(periods))}) AND level = ? GROUP BY period, region "
                                 "ORDER BY period, region", [*periods, level], ["period", "region", *flat],
                                 {"period": "object", "region": "object", **{c: "float64" for c in flat}}, bulk=True)
    index = pd.MultiIndex.from_arrays([got["period"].to_numpy(dtype=object), got["region"].to_numpy(dtype=object)],
                                      names=["period", "region"])
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame({code: np.where(got[c["n"]].to_numpy() > 0,
                                            got[c["sum"]].to_numpy() / got[c["n"]].to_numpy(), np.nan)
                             for code, c in cols.items()}, index=index)


def scored_units(engine: sa.Engine, program, period: str) -> pd.DataFrame:
    """Every reporting unit's kept score in ``period``: region (object), score; by code."""
    program = _program(program)
    col = score_column(program)
    with engine.connect() as conn:
        return _fast.select_frame(conn, f"SELECT region, {_q(col)} FROM {_q(table_name(program.id))} WHERE period = ? "
                                  f"AND total = {OWN} AND {_q(col)} IS NOT NULL ORDER BY region", [period],
                                  ["region", "score"], {"region": "object", "score": "float64"}, bulk=True)


def _first_units(engine: sa.Engine, program, period: str, condition: str, limit: int,
                 codes: list[str] | None) -> pd.DataFrame:
    """The first ``limit`` own rows of ``period`` by code meeting ``condition`` (of ``codes``):
    region. Up to LISTED_CODES codes are named in the query, more are filtered here."""
    where, params = f"period = ? AND total = {OWN} AND {condition}", [period]
    named = codes is not None and len(codes) <= LISTED_CODES
    if named:
        where += f" AND region IN ({', '.join('?' * len(codes))})" if codes else " AND 1 = 0"
        params += list(codes)
    tail = f" LIMIT {int(limit)}" if codes is None or named else ""
    with engine.connect() as conn:
        got = _fast.select_frame(conn, f"SELECT region FROM {_q(table_name(program.id))} WHERE {where} ORDER BY region{tail}",
                                 params, ["region"], {"region": "object"})
    region = got["region"].to_numpy(dtype=object)
    if codes is not None and not named:
        region = region[pd.Index(region, dtype=object).isin(pd.Index(codes, dtype=object))][:limit]
    return pd.DataFrame({"region": region}, dtype=object)


def units(engine: sa.Engine, program, period: str, target: str, order: list[str], limit: int,
          codes: list[str] | None = None) -> pd.DataFrame:
    """Up to ``limit`` units of ``target`` in ``period`` with their verdict, the verdicts in
    ``order`` first and by region code within one (only ``codes`` when given): region, verdict."""
    program = _program(program)
    cols = verdict_columns(program).get(target)
    parts = []
    for v in (order if cols else []):
        left = limit - sum(len(p) for p in parts)
        if left <= 0:
            break
        parts.append(_first_units(engine, program, period, f"{_q(cols[v])} = 1", left, codes).assign(verdict=v))
    if not parts:
        return pd.DataFrame({"region": pd.Series(dtype=object), "verdict": pd.Series(dtype=object)})
    out = pd.concat(parts, ignore_index=True)
    return out.astype({"region": object, "verdict": object})
