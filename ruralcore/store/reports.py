"""Monthly report values: bulk load into a frame and bulk upsert with audit and
optimistic locking. Plain SQL into numpy/pandas; no ORM objects on the hot path."""
from __future__ import annotations

from typing import Iterable

from datetime import datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ruralcore.kernel.errors import InputError, Problem, StaleWriteError
from ruralcore.store import _fast, analytics, audit
from ruralcore.store.periods import PERIOD_RE, check_period as _check_period  # noqa: F401 (PERIOD_RE: re-exported)
from ruralcore.store.db import snapshot, to_cst_naive
from ruralcore.store.models import Report
from ruralcore.store import guard

TABLE = Report.__table__
COLUMNS = ["program", "period", "region", "field", "value", "submitted_by", "submitted_at", "version"]
SMALL_EDIT = 500  # up to this many regions, upsert reads only their stored rows
WRITE_CHUNK = 50_000  # values written (and audited) per statement batch: bounds the memory of a large import


def audit_key(program: str, period: str, region: str) -> str:
    """Audit-log key of one report row; load_audit(key_prefix=f"{program}/{period}/")."""
    return f"{program}/{period}/{region}"


def _empty() -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series(dtype="str") for c in COLUMNS})
    df["value"] = df["value"].astype("float64")
    df["submitted_at"] = pd.to_datetime(df["submitted_at"])
    df["version"] = df["version"].astype("int64")
    return df


def _to_datetime(col: np.ndarray) -> pd.Series:
    # Values repeat (one timestamp per submission): parse each distinct one once.
    codes, uniques = pd.factorize(pd.Series(col, dtype=object))  # submitted_at is NOT NULL
    parsed = pd.DatetimeIndex(pd.to_datetime(pd.Series(uniques, dtype=object), format="ISO8601"))
    return pd.Series(parsed.take(codes))


def load_reports(engine: sa.Engine, program: str, periods: list[str] | str | None = None) -> pd.DataFrame:
    """All stored values of ``program`` (optionally only some periods), one row per
    (period, region, field): columns program, period, region, field, value (float),
    submitted_by, submitted_at (datetime), version (int)."""
    if isinstance(periods, str):
        periods = [periods]
    if periods is not None and not list(periods):
        return _empty()
    with engine.connect() as conn:
        df = _load(conn, program, list(periods) if periods is not None else None)
    return df


def stored_periods(engine: sa.Engine, program: str) -> list[str]:
    """Months with stored reports, oldest first.

    Read from report_totals (a month has a group with rows there exactly when it has reports
    rows: migration 0006's triggers), a few hundred rows, instead of DISTINCT over every
    stored value or one lookup per month in each year's partition (PostgreSQL, 0014)."""
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT DISTINCT period FROM report_totals WHERE program = :p "
                                    "AND n_rows > 0 ORDER BY period"), {"p": program}).scalars().all()


def load_month_values(engine: sa.Engine, program: str, period: str) -> pd.DataFrame:
    """One month's values only (region, field, value): what the pages and engines need,
    without the who/when/version columns that load_reports adds for editing."""
    _check_period(period)
    with engine.connect() as conn:
        return _fast.select_frame(
            conn, "SELECT region, field, value FROM reports WHERE program = ? AND period = ?",
            [program, period], ["region", "field", "value"],
            {"region": "str", "field": "str", "value": "float64"})


def period_totals(engine: sa.Engine, program: str, upto: str | None = None,
                  regions: Iterable[str] | None = None) -> pd.DataFrame:
    """Per (period, field): the sum of the stored values and how many regions gave one.

    Columns period, field, total (float; empty when no region gave a value), n (int).
    Over the whole area it reads report_totals (a few hundred rows, kept in step with
    every write by the triggers of migration 0006), so a twelve-month trend over 30,000
    villages reads no report rows. ``regions`` limits the sums to those region codes
    (an account that reads only part of the area): a few regions are summed over their
    reports; most of the area (a city supervisor's) is the kept sums minus the regions
    left out, which are then the few."""
    where, params = "", [program]
    if upto is not None:
        _check_period(upto)
        where = " AND period <= ?"
        params.append(upto)
    with snapshot(engine) as conn:  # most of the area is read in three statements
        if regions is None:  # same rows and values as GROUP BY over reports
            return _fast.select_frame(
                conn, "SELECT period, field, CASE WHEN n > 0 THEN total END, n FROM report_totals "
                "WHERE program = ? AND n_rows > 0" + where + " ORDER BY period, field", params, _TOTAL_NAMES,
                _TOTAL_TYPES)
        codes = list(dict.fromkeys(str(c) for c in regions))
        if len(codes) <= FEW_REGIONS:
            return _finish(_region_sums(conn, program, where, params, codes))
        present = _fast.select_frame(conn, "SELECT DISTINCT region FROM reports" + _by_region(conn)
                                     + " WHERE program = ?", [program], ["region"], {"region": "str"})["region"]
        chosen = present.isin(set(codes)).to_numpy()
        if chosen.sum() <= (~chosen).sum():
            return _finish(_region_sums(conn, program, where, params, present[chosen].tolist()))
        whole = _fast.select_frame(conn, "SELECT period, field, total, n, n_rows FROM report_totals "
                                   "WHERE program = ? AND n_rows > 0" + where, params,
                                   _TOTAL_NAMES + ["n_rows"], {**_TOTAL_TYPES, "n_rows": "int64"})
        left_out = _region_sums(conn, program, where, params, present[~chosen].tolist())
    both = whole.merge(left_out, on=["period", "field"], how="left", suffixes=("", "_out")).fillna(
        {"total_out": 0.0, "n_out": 0, "n_rows_out": 0})
    both = both[both["n_rows"] > both["n_rows_out"]]  # groups only the left-out regions had
    return _finish(pd.DataFrame({"period": both["period"], "field": both["field"],
                                 "total": both["total"] - both["total_out"],
                                 "n": (both["n"] - both["n_out"]).astype("int64")}))


FEW_REGIONS = 5000  # up to this many regions (≈ 0.5 s at province scale) are summed directly
_TOTAL_NAMES = ["period", "field", "total", "n"]
_TOTAL_TYPES = {"period": "str", "field": "str", "total": "float64", "n": "int64"}


def _by_region(conn: sa.Connection) -> str:
    # SQLite would walk the (program, period, …) key index over every month instead
    return " INDEXED BY ix_reports_program_region" if _fast.is_sqlite(conn) else ""


def _region_sums(conn: sa.Connection, program: str, where: str, params: list, codes: list[str]) -> pd.DataFrame:
    """Per (period, field) over ``codes``: total (0 when no value), n, n_rows."""
    sql = ("SELECT period, field, COALESCE(SUM(value), 0), COUNT(value), COUNT(*) FROM reports"
           + _by_region(conn) + " WHERE program = ?" + where)
    names, types = _TOTAL_NAMES + ["n_rows"], {**_TOTAL_TYPES, "n_rows": "int64"}
    parts = [_fast.select_frame(conn, sql + " AND region IN (" + ", ".join("?" * len(chunk)) + ")"
                                " GROUP BY period, field", params + chunk, names, types)
             for chunk in (codes[i:i + 900] for i in range(0, len(codes), 900))]  # SQLite's parameter limit
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=types[c]) for c in names})
    return pd.concat(parts).groupby(["period", "field"], as_index=False)[["total", "n", "n_rows"]].sum()


def _finish(sums: pd.DataFrame) -> pd.DataFrame:
    """period_totals' columns, in order; the total is empty where no region gave a value."""
    out = sums[_TOTAL_NAMES].sort_values(["period", "field"]).reset_index(drop=True)
    out["total"] = out["total"].where(out["n"] > 0)
    return out.astype(_TOTAL_TYPES)


def period_totals_from_reports(engine: sa.Engine, program: str, upto: str | None = None) -> pd.DataFrame:
    """``period_totals`` over the whole area, summed over the reports rows themselves (the
    slow way report_totals replaces): for checking the totals and for benchmarks."""
    params: list = [program]
    sql = "SELECT period, field, SUM(value), COUNT(value) FROM reports WHERE program = ?"
    if upto is not None:
        _check_period(upto)
        sql += " AND period <= ?"
        params.append(upto)
    with engine.connect() as conn:
        return _fast.select_frame(conn, sql + " GROUP BY period, field ORDER BY period, field", params,
                                  ["period", "field", "total", "n"],
                                  {"period": "str", "field": "str", "total": "float64", "n": "int64"})


def _load(conn: sa.Connection, program: str, periods: list[str] | None) -> pd.DataFrame:
    sql = ("SELECT period, region, field, value, submitted_by, submitted_at, version "
           "FROM reports WHERE program = ?")
    params: list = [program]
    if periods is not None:
        sql += " AND period IN (" + ", ".join("?" * len(periods)) + ")"
        params += periods
    names = COLUMNS[1:]
    raw = _fast.select_frame(conn, sql, params, names,
                             {"period": "str", "region": "str", "field": "str", "value": "float64",
                              "submitted_by": "str", "submitted_at": "object", "version": "int64"})
    if raw.empty:
        return _empty()
    raw.insert(0, "program", pd.Series(program, index=raw.index, dtype="str"))
    raw["submitted_at"] = _to_datetime(raw["submitted_at"].to_numpy(dtype=object))
    raw["value"] = raw["value"].astype("float64")
    raw["version"] = raw["version"].astype("int64")
    return raw[COLUMNS]


def _validate(values: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("region", "field", "value") if c not in values.columns]
    if missing:
        raise InputError(Problem(f"缺少列：{', '.join(missing)}"), source="月报数据")
    df = pd.DataFrame({
        "region": values["region"].astype("str").str.strip().to_numpy(),
        "field": values["field"].astype("str").str.strip().to_numpy(),
        "raw": values["value"].to_numpy(),
    })
    num = pd.to_numeric(df["raw"], errors="coerce")
    problems: list[Problem] = []
    bad = num.isna() & df["raw"].notna() & (df["raw"].astype("str").str.strip() != "")
    for i in np.flatnonzero(bad.to_numpy())[:50]:
        problems.append(Problem(f"数值“{df['raw'].iat[i]}”不是数字（区域 {df['region'].iat[i]}，指标 {df['field'].iat[i]}）",
                                row=int(i) + 1, column="value"))
    for col in ("region", "field"):
        empty = (df[col] == "") | df[col].isna()
        for i in np.flatnonzero(empty.to_numpy())[:50]:
            problems.append(Problem("不能为空", row=int(i) + 1, column=col))
    dup = df.duplicated(["region", "field"], keep="first")
    for i in np.flatnonzero(dup.to_numpy())[:50]:
        problems.append(Problem(f"区域 {df['region'].iat[i]} 的指标 {df['field'].iat[i]} 重复出现", row=int(i) + 1, column="field"))
    if problems:
        raise InputError(problems, source="月报数据")
    return pd.DataFrame({"region": df["region"], "field": df["field"], "value": num.astype("float64")})


def _check_range(program: str, values: pd.DataFrame) -> None:
    """Every value within its field's range from the programme file (a flag 0–1, a
    percentage 0–100, else the field's min and max bound), whatever path wrote it: the
    import checks this per cell already; this keeps any other writer from storing 1e300."""
    from ruralcore.rules.programs import load_program
    from ruralcore.kernel.errors import RuralcoreError

    try:
        prog = load_program(program)
    except RuralcoreError:  # not a programme file (tests' own programmes): only finiteness
        prog = None
    v = values["value"].to_numpy(dtype="float64")
    lo = np.full(len(v), -np.inf)
    hi = np.full(len(v), np.inf)
    names = {}
    for f in (prog.fields if prog else []):
        mask = (values["field"] == f.code).to_numpy()
        if not mask.any():
            continue
        names[f.code] = f.name
        lo[mask] = 0.0 if f.kind in ("flag", "percent") else (f.min if f.min is not None else -np.inf)
        hi[mask] = 1.0 if f.kind == "flag" else 100.0 if f.kind == "percent" else (f.max if f.max is not None else np.inf)
    bad = ~np.isnan(v) & ((v < lo) | (v > hi) | np.isinf(v))
    if bad.any():
        problems = [Problem(f"区域 {values['region'].iat[i]} 的“{names.get(values['field'].iat[i], values['field'].iat[i])}”"
                            f"为 {v[i]:.6g}，超出 {lo[i]:g}～{hi[i]:g} 的范围", row=int(i) + 1, column="value")
                    for i in np.flatnonzero(bad)[:50]]
        raise InputError(problems, source="月报数据")


def upsert_reports(engine: sa.Engine, program: str, period: str, values: pd.DataFrame,
                   user: guard.Principal,
                   submitted_at: datetime | None = None,
                   expected_versions: dict[tuple[str, str], int] | None = None,
                   reason: str | None = None) -> dict:
    """Write one period's values (columns region, field, value) in ONE transaction.

    New (region, field) pairs are inserted, changed values updated (version + 1), equal
    ones left alone, so importing the same data twice changes nothing. One audit entry per
    inserted or changed value. ``expected_versions`` maps (region, field) to the version
    the caller read (0 = "did not exist"); any mismatch raises StaleWriteError and
    nothing is written. Returns {'inserted': n, 'updated': n, 'unchanged': n}.

    ``user`` is a Principal, never a bare str (TypeError). The system's is not checked;
    any other (what the pages pass) must hold every region written, else PermissionDenied
    and nothing written.
    ``reason`` (a correction's 事由) is logged beside each changed value's entry, in the
    same transaction, as an entry of action "reason".
    """
    guard.require(user)
    _check_period(period)
    new = _validate(values)
    _check_range(program, new)
    when = to_cst_naive(submitted_at)
    with engine.begin() as conn:
        guard.check_write(conn, user, "reports", new["region"])
        user = user.name
        sql = "SELECT id, region, field, value, version, submitted_by FROM reports WHERE program = ? AND period = ?"
        params = [program, period]
        regions = new["region"].unique().tolist()
        if len(regions) <= SMALL_EDIT:  # a few villages edited on a page: read only their rows
            sql += " AND region IN (" + ", ".join("?" * len(regions)) + ")"
            params += regions
        old = _fast.select_frame(
            conn, sql, params, ["id", "region", "field", "old", "version", "by"],
            {"id": "int64", "region": "str", "field": "str", "old": "float64", "version": "int64", "by": "str"})
        old["old"] = old["old"].astype("float64")
        m = new.merge(old, on=["region", "field"], how="left", validate="one_to_one")
        exists = m["id"].notna().to_numpy()

        if expected_versions is not None:
            _check_versions(m, exists, expected_versions, program, period)

        a, b = m["value"].to_numpy(), m["old"].to_numpy()
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        ins = m[~exists]
        upd = m[exists & ~same]
        n_unchanged = int((exists & same).sum())

        del m, old, a, b, same
        touched = pd.unique(np.concatenate([ins["region"].to_numpy(dtype=object), upd["region"].to_numpy(dtype=object)]))
        # in slices, all in this one transaction: a province's month (780,000 values) would
        # otherwise hold every row and audit entry as Python objects at once
        for action, part in (("insert", ins), ("update", upd)):
            for lo in range(0, len(part), WRITE_CHUNK):
                chunk = part.iloc[lo:lo + WRITE_CHUNK]
                try:
                    _write(conn, program, period, user, when, chunk if action == "insert" else chunk.iloc[:0],
                           chunk if action == "update" else chunk.iloc[:0])
                except conn.dialect.loaded_dbapi.IntegrityError:
                    # another writer inserted the same (region, field) after our SELECT
                    raise StaleWriteError(f"{program} {period} 的月报正被其他用户同时提交，本次未写入任何数据，"
                                          "请刷新后重试。") from None
                _audit_changes(conn, program, period, user, when, chunk, action, reason)
        if len(touched):  # the analytics rows of the changed regions and their ancestors
            analytics.refresh(conn, program, period, touched.tolist())
    return {"inserted": int(len(ins)), "updated": int(len(upd)), "unchanged": n_unchanged}


def _audit_changes(conn: sa.Connection, program: str, period: str, user: str, when: datetime,
                   changed: pd.DataFrame, action: str, reason: str | None) -> None:
    """One audit entry per inserted or changed value (and the reason beside each)."""
    key = (f"{program}/{period}/" + changed["region"]).tolist()
    audit.append(conn, pd.DataFrame({
        "action": action, "table": "reports", "key": key, "field": changed["field"].tolist(),
        "old": audit.text_column(changed["old"]), "new": audit.text_column(changed["value"]),
    }), user, at=when)
    if reason:
        audit.append(conn, pd.DataFrame({"action": "reason", "table": "reports", "key": key,
                                         "field": changed["field"].tolist(), "old": None, "new": reason}),
                     user, at=when)


def _write(conn: sa.Connection, program: str, period: str, user: str, when: datetime,
           ins: pd.DataFrame, upd: pd.DataFrame) -> None:
    if len(ins):
        k = len(ins)
        _fast.insert_rows(conn, "reports", ["program", "period", "region", "field", "value", "submitted_by",
                                            "submitted_at", "version"],
                          [[program] * k, [period] * k, ins["region"].tolist(), ins["field"].tolist(),
                           _nullable(ins["value"]), [user] * k, [when] * k, [1] * k])
    if len(upd):
        k = len(upd)
        matched = _fast.update_from_rows(
            conn, "reports", "id", ["value", "submitted_by", "submitted_at"],
            [upd["id"].astype("int64").tolist(), upd["version"].astype("int64").tolist(),
             _nullable(upd["value"]), [user] * k, [when] * k],
            ["bigint", "integer", "double precision", "varchar", "timestamp"],
            same={"program": program, "period": period})  # one partition (PostgreSQL, migration 0014)
        if matched != k:  # someone wrote between our SELECT and UPDATE
            raise StaleWriteError(
                f"{program} {period} 的月报在保存期间被其他用户修改（{k - matched} 个数值），"
                "本次未写入任何数据，请刷新后重试。")


def _nullable(s: pd.Series) -> list:
    v = s.to_numpy(dtype="float64")
    out = v.astype(object)
    out[np.isnan(v)] = None
    return out.tolist()


def _check_versions(m: pd.DataFrame, exists: np.ndarray, expected: dict, program: str, period: str) -> None:
    if not expected:
        return
    exp = pd.Series(list(expected.values()), index=pd.MultiIndex.from_tuples(list(expected.keys())), dtype="int64")
    idx = pd.MultiIndex.from_arrays([m["region"], m["field"]])
    want = exp.reindex(idx).to_numpy()  # NaN where the caller did not say
    stored = np.where(exists, m["version"].fillna(0).to_numpy(), 0)
    bad = ~np.isnan(want) & (want != stored)
    if bad.any():
        lines = []
        for i in np.flatnonzero(bad)[:5]:
            who = m["by"].iat[i] if exists[i] else ""
            lines.append(f"区域 {m['region'].iat[i]} 指标 {m['field'].iat[i]}：您读取的是版本 {int(want[i])}，"
                         f"当前为版本 {int(stored[i])}" + (f"（{who} 最后修改）" if who else ""))
        more = f"等 {int(bad.sum())} 处" if bad.sum() > 5 else ""
        raise StaleWriteError(f"“月报”{program} {period} 已被他人修改{more}，本次未写入任何数据，请刷新后重试：\n"
                              + "\n".join(lines))
