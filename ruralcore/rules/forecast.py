"""Early warning (预警): will each region meet each target by its deadline? The method,
as whole columns (no database: ``ruralcore.app.forecast`` reads the months and calls it).

The method (stated on the pages as 文件未规定，系统默认, its N the programme setting
``forecast_months``): take the region's values of the last N reported months up to the
month looked at; the monthly gain is their least-squares slope (0 with one month); the
projected value at the deadline is this month's value plus the slope times the months
left (from this month to the deadline's month). A target already met is on track; one
whose deadline month has passed unmet is not; otherwise it is on track when the
projection meets the threshold. ``needed_per_month`` is the gain per month still needed
to reach the threshold by the deadline (0 when met). ``behind_from`` is the first month
whose value fell below the needed pace: the straight line from the region's first
reported month to the threshold at the deadline.

Everything is vectorised over regions and targets: one groupby, no per-region loop.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ruralcore.kernel.lookup import text_column

COLUMNS = ["region", "target", "value", "threshold", "op", "deadline", "months_left", "slope", "projected",
           "met", "on_track", "needed_per_month", "behind_from"]
DEFAULT_MONTHS = 3


def month_index(periods) -> np.ndarray:
    """YYYY-MM (or dates) → months since year 0. Each distinct value is parsed once: a
    province's series repeats a dozen months over a million rows."""
    codes, uniques = pd.factorize(periods if isinstance(periods, pd.Series) else pd.Series(periods, dtype=object))
    if (codes < 0).any():  # a missing value: parse every row (and fail as before)
        codes, uniques = np.arange(len(periods)), np.asarray(periods, dtype=object)
    p = pd.PeriodIndex(pd.Series(uniques).astype(str).str.slice(0, 7), freq="M")
    return (p.year * 12 + p.month - 1).to_numpy(dtype="int64")[codes]


def _meets(value, op: pd.Series | np.ndarray, threshold) -> np.ndarray:
    v, t = np.asarray(value, dtype="float64"), np.asarray(threshold, dtype="float64")
    op = np.asarray(op, dtype=object)
    return np.where(op == "<=", v <= t, np.where(op == "<", v < t, np.where(op == ">", v > t, v >= t)))


def project(series: pd.DataFrame, targets: pd.DataFrame, period: str, months: int = DEFAULT_MONTHS,
            pace: bool = True) -> pd.DataFrame:
    """``series``: region, target, period (YYYY-MM), value — the monthly values of each
    region on each target; ``targets``: target, threshold, op, deadline (a date). Returns
    one row per region and target with a value in ``period`` (COLUMNS), sorted by region
    and target. ``pace`` False: ``behind_from`` is left empty (it needs every month since
    the first; the verdict only the last N)."""
    if months < 1:
        raise ValueError("预测所用月数至少为1")
    s = series[series["period"] <= period].dropna(subset=["value"])
    tg = _dated(targets)
    s = s[s["target"].isin(tg.index)]
    m = month_index(s["period"]) if len(s) else np.array([], dtype="int64")
    rc, ru = pd.factorize(pd.Series(s["region"].to_numpy(dtype=object), dtype=object))
    tc, tu = pd.factorize(pd.Series(s["target"].to_numpy(dtype=object), dtype=object))
    return _project(np.asarray(ru, dtype=object), rc, np.asarray(tu, dtype=object), tc, m,
                    s["value"].to_numpy(dtype="float64"), tg, period, months, pace)


def project_values(values: list, targets: pd.DataFrame, period: str, months: int = DEFAULT_MONTHS,
                   pace: bool = False) -> pd.DataFrame:
    """project() over ``values`` (ruralcore.rules.targets.target_values: one MonthValues per
    target) without making them one long frame: the regions are already integer positions,
    so no code of the hundreds of thousands of series is hashed again."""
    if months < 1:
        raise ValueError("预测所用月数至少为1")
    tg = _dated(targets)
    now = int(month_index([period])[0])
    blocks, offsets, rc, tc, m, value = [], {}, [], [], [], []
    kept = [v for v in values if v.target in tg.index]
    for i, v in enumerate(kept):
        if id(v.regions) not in offsets:  # targets at the report level share their regions
            offsets[id(v.regions)] = sum(len(b) for b in blocks)
            blocks.append(v.regions)
        mi = month_index(pd.Series(v.months, dtype=object)) if len(v.months) else np.array([], dtype="int64")
        keep = ~np.isnan(v.values) & (mi <= now)
        rc.append(offsets[id(v.regions)] + v.at[keep])
        tc.append(np.full(int(keep.sum()), i, dtype=np.int64))
        m.append(mi[keep])
        value.append(v.values[keep])
    ru = np.concatenate(blocks) if blocks else np.array([], dtype=object)
    tu = np.array([v.target for v in kept], dtype=object)
    cat = (lambda parts, kind: np.concatenate(parts) if parts else np.array([], dtype=kind))
    return _project(ru, cat(rc, "int64"), tu, cat(tc, "int64"), cat(m, "int64"), cat(value, "float64"),
                    tg, period, months, pace)


def _dated(targets: pd.DataFrame) -> pd.DataFrame:
    return targets[targets["deadline"].notna()].drop_duplicates("target").set_index("target")


def _project(ru: np.ndarray, rc: np.ndarray, tu: np.ndarray, tc: np.ndarray, m: np.ndarray, value: np.ndarray,
             tg: pd.DataFrame, period: str, months: int, pace: bool) -> pd.DataFrame:
    """The projection over series given as integer ids: row i is region ``ru[rc[i]]`` on
    target ``tu[tc[i]]`` in month index ``m[i]`` (months up to ``period``, values present)."""
    now = int(month_index([period])[0])
    if not (m == now).any():
        return pd.DataFrame(columns=COLUMNS)
    # one integer id per (region, target): grouped sums by bincount, no hashing of pairs
    gid = pd.factorize(rc.astype("int64") * max(len(tu), 1) + tc)[0]
    groups = int(gid.max()) + 1
    # the least-squares slope over the last N months of each series; months counted from now
    # (small numbers: the sums stay exact enough that a flat series has slope 0)
    r = m > now - months
    x, y, g = (m[r] - now).astype("float64"), value[r], gid[r]
    n, sx, sy = (np.bincount(g, w, minlength=groups) for w in (None, x, y))
    sxy, sxx = np.bincount(g, x * y, minlength=groups), np.bincount(g, x * x, minlength=groups)
    var = n * sxx - sx ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(var > 0, (n * sxy - sx * sy) / np.where(var > 0, var, 1.0), 0.0)
    at = np.flatnonzero(m == now)  # one row per series reported this month
    ti = tc[at]
    thr = tg["threshold"].reindex(tu).to_numpy(dtype="float64")
    op = tg["op"].reindex(tu).to_numpy(dtype=object)
    deadline = tg["deadline"].reindex(tu).to_numpy(dtype=object)
    # sorted by region, then target (code point order, as sorting the strings), by the
    # ranks of the distinct codes
    order = np.lexsort((_ranks(tu)[ti], _ranks(ru)[rc[at]]))
    at, ti = at[order], ti[order]
    region, target = ru[rc[at]], tu[ti]
    out = pd.DataFrame({"region": text_column(region), "target": text_column(target),
                        "value": value[at], "threshold": thr[ti], "op": text_column(op[ti]),
                        "deadline": text_column(deadline[ti]), "slope": slope[gid[at]]})
    out["months_left"] = month_index(pd.Series(deadline, dtype=object))[ti] - now
    # rounded to 9 decimals: a series exactly on pace (28.57…% + 3.57…% × 20 months) reaches
    # 100, not 99.9999999999 (binary fractions), and is on track
    out["projected"] = np.round(out["value"] + out["slope"] * out["months_left"].clip(lower=0), 9)
    out["met"] = _meets(out["value"], out["op"], out["threshold"])
    left = out["months_left"].to_numpy()
    out["on_track"] = out["met"] | ((left > 0) & _meets(out["projected"], out["op"], out["threshold"]))
    need = (out["threshold"] - out["value"]) / np.where(left > 0, left, np.nan)
    out["needed_per_month"] = np.where(out["met"], 0.0, need)
    out["behind_from"] = _behind_from(m, value, gid, tc, thr, op, deadline)[gid[at]] if pace else None
    b = out["behind_from"].astype(object)
    out["behind_from"] = b.where(b.notna() & ~out["met"].astype(bool), None)
    return out[COLUMNS]


def _ranks(codes: np.ndarray) -> np.ndarray:
    """Each code's place among the distinct codes in sorted order (numpy sorts fixed-width
    text in C: half a million codes without a Python comparison)."""
    return np.unique(np.asarray(codes, dtype=str), return_inverse=True)[1].reshape(-1)


def _behind_from(m: np.ndarray, value: np.ndarray, gid: np.ndarray, tc: np.ndarray, thr: np.ndarray,
                 op: np.ndarray, deadline: np.ndarray) -> np.ndarray:
    """Per series id: the first month (YYYY-MM) whose value fell below the needed pace, the
    straight line from the series' first month to the threshold at the deadline; None when
    it never did."""
    groups = int(gid.max()) + 1
    order = np.lexsort((m, gid))  # by series, then month
    starts = order[np.r_[True, gid[order][1:] != gid[order][:-1]]]
    m0, v0 = np.zeros(groups, dtype="int64"), np.zeros(groups)
    m0[gid[starts]], v0[gid[starts]] = m[starts], value[starts]
    md = month_index(pd.Series(deadline, dtype=object))[tc]
    mm0, vv0 = m0[gid], v0[gid]
    span = np.where(md > mm0, md - mm0, np.nan)
    line = vv0 + (thr[tc] - vv0) * (m - mm0) / span
    behind = ~_meets(value, op[tc], line) & (m > mm0)
    first = np.full(groups, np.iinfo("int64").max)
    np.minimum.at(first, gid[behind], m[behind])
    out = np.full(groups, None, dtype=object)
    hit = first < np.iinfo("int64").max
    months, where = np.unique(first[hit], return_inverse=True)
    out[hit] = np.array([f"{v // 12:04d}-{v % 12 + 1:02d}" for v in months], dtype=object)[where]
    return out


def setting_months(program) -> tuple[int, object]:
    """N of the method and its setting (``forecast_months``; DEFAULT_MONTHS when absent)."""
    s = next((s for s in program.settings if s.code == "forecast_months"), None)
    return (int(s.value) if s is not None else DEFAULT_MONTHS), s


def as_date(v) -> dt.date | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


def dated_targets(program) -> pd.DataFrame:
    """The targets project() can judge (a deadline and an indicator): target, target_name,
    threshold, op, deadline, ref."""
    dated = [t for t in program.targets if t.due is not None and t.indicator]
    return pd.DataFrame({"target": [t.code for t in dated], "target_name": [t.name for t in dated],
                         "threshold": [float(t.threshold) for t in dated], "op": [t.op for t in dated],
                         "deadline": [t.due for t in dated], "ref": [t.ref for t in dated]},
                        columns=["target", "target_name", "threshold", "op", "deadline", "ref"])


VERDICTS = ["已达标", "预计按期完成", "预计逾期", "已逾期未完成"]


def verdict(frame: pd.DataFrame) -> pd.Series:
    """已达标 / 预计按期完成 / 预计逾期 / 已逾期未完成 for each projected row."""
    return text_column(np.select(
        [frame["met"].astype(bool), frame["months_left"] < 0, frame["on_track"].astype(bool)],
        ["已达标", "已逾期未完成", "预计按期完成"], "预计逾期"), frame.index)
