"""Early warning (预警): will each region meet each target by its deadline?

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


def project(series: pd.DataFrame, targets: pd.DataFrame, period: str, months: int = DEFAULT_MONTHS) -> pd.DataFrame:
    """``series``: region, target, period (YYYY-MM), value — the monthly values of each
    region on each target; ``targets``: target, threshold, op, deadline (a date). Returns
    one row per region and target with a value in ``period`` (COLUMNS)."""
    if months < 1:
        raise ValueError("预测所用月数至少为1")
    s = series[series["period"] <= period].dropna(subset=["value"]).copy()
    s["m"] = month_index(s["period"])
    s = s.sort_values(["region", "target", "m"], kind="stable")
    now = int(month_index([period])[0])
    key = ["region", "target"]
    last = s[s["m"] == now][key + ["value"]]
    if last.empty:
        return pd.DataFrame(columns=COLUMNS)
    # the least-squares slope over the last N months of each series, from grouped sums
    recent = s[s["m"] > now - months]
    g = recent.groupby(key, sort=False)
    x, y = recent["m"].astype("float64"), recent["value"].astype("float64")
    sums = pd.DataFrame({"n": g["m"].size(), "sx": g["m"].sum().astype("float64"),
                         "sy": g["value"].sum(), "sxy": (x * y).groupby([recent["region"], recent["target"]]).sum(),
                         "sxx": (x * x).groupby([recent["region"], recent["target"]]).sum()})
    var = sums["n"] * sums["sxx"] - sums["sx"] ** 2
    slope = ((sums["n"] * sums["sxy"] - sums["sx"] * sums["sy"]) / var.where(var > 0)).fillna(0.0)
    out = last.merge(targets[["target", "threshold", "op", "deadline"]], on="target", how="inner")
    out = out[out["deadline"].notna()].reset_index(drop=True)
    out["slope"] = pd.MultiIndex.from_frame(out[key]).map(slope).to_numpy(dtype="float64") \
        if len(out) else np.array([], dtype="float64")
    out["months_left"] = month_index(out["deadline"]) - now
    out["projected"] = out["value"] + out["slope"] * out["months_left"].clip(lower=0)
    out["met"] = _meets(out["value"], out["op"], out["threshold"])
    left = out["months_left"].to_numpy()
    out["on_track"] = out["met"] | ((left > 0) & _meets(out["projected"], out["op"], out["threshold"]))
    need = (out["threshold"] - out["value"]) / np.where(left > 0, left, np.nan)
    out["needed_per_month"] = np.where(out["met"], 0.0, need)
    # the needed pace: from the first reported month's value to the threshold at the deadline
    first = s.groupby(key, sort=False).first()[["m", "value"]].rename(columns={"m": "m0", "value": "v0"})
    pace = s.merge(first, left_on=key, right_index=True).merge(
        targets[["target", "threshold", "op", "deadline"]], on="target")
    pace = pace[pace["deadline"].notna()]
    if len(pace):
        md = month_index(pace["deadline"])
        span = np.where(md > pace["m0"], md - pace["m0"], np.nan)
        line = pace["v0"] + (pace["threshold"] - pace["v0"]) * (pace["m"] - pace["m0"]) / span
        behind = ~_meets(pace["value"], pace["op"], line) & (pace["m"] > pace["m0"])
        firsts = pace[behind.to_numpy()].groupby(key, sort=False)["period"].first()
        out["behind_from"] = pd.MultiIndex.from_frame(out[key]).map(firsts).to_numpy(dtype=object)
    else:
        out["behind_from"] = None
    b = out["behind_from"].astype(object)
    out["behind_from"] = b.where(b.notna() & ~out["met"].astype(bool), None)
    return out[COLUMNS]


def setting_months(program) -> tuple[int, object]:
    """N of the method and its setting (``forecast_months``; DEFAULT_MONTHS when absent)."""
    s = next((s for s in program.settings if s.code == "forecast_months"), None)
    return (int(s.value) if s is not None else DEFAULT_MONTHS), s


def as_date(v) -> dt.date | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


def series_from_store(engine, program, upto: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(series, targets) for project(): every target with a deadline evaluated in every
    stored month up to ``upto`` (ruralcore.targets.evaluate, per region at the target's
    level), and the targets' threshold, op, deadline, name, unit, ref."""
    from .overview import load_month, periods, region_frame
    from .targets import evaluate

    dated = [t for t in program.targets if t.due is not None and t.indicator]
    tg = pd.DataFrame({"target": [t.code for t in dated], "target_name": [t.name for t in dated],
                       "threshold": [float(t.threshold) for t in dated], "op": [t.op for t in dated],
                       "deadline": [t.due for t in dated], "ref": [t.ref for t in dated]},
                      columns=["target", "target_name", "threshold", "op", "deadline", "ref"])
    have = [p for p in periods(engine, program.id) if p <= upto]
    regions = region_frame(engine, program.id)
    parts = []
    for p in have:  # one evaluation per month (a few dozen), each vectorised over regions
        ev = evaluate(program, load_month(engine, program.id, p), region_frame=regions)
        ev = ev[ev["target"].isin(tg["target"])]
        parts.append(pd.DataFrame({"region": ev["region"], "region_name": ev["region_name"], "target": ev["target"],
                                   "period": p, "value": ev["value"].astype("float64")}))
    cols = ["region", "region_name", "target", "period", "value"]
    series = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    return series, tg


def verdict(frame: pd.DataFrame) -> pd.Series:
    """已达标 / 预计按期完成 / 预计逾期 / 已逾期未完成 for each projected row."""
    return pd.Series(np.select(
        [frame["met"].astype(bool), frame["months_left"] < 0, frame["on_track"].astype(bool)],
        ["已达标", "已逾期未完成", "预计按期完成"], "预计逾期"), index=frame.index)


def from_store(engine, program, period: str) -> pd.DataFrame:
    """project() over the store for ``period`` with the programme's N, plus region_name,
    target_name, ref and verdict."""
    return from_series(program, period, *series_from_store(engine, program, period))


def from_series(program, period: str, series: pd.DataFrame, tg: pd.DataFrame) -> pd.DataFrame:
    """from_store over the (series, targets) of series_from_store already read: a page that
    also draws the series reads and evaluates the months once."""
    months, _ = setting_months(program)
    out = project(series, tg, period, months)
    names = series.drop_duplicates("region").set_index("region")["region_name"] if len(series) else pd.Series(dtype=object)
    out["region_name"] = out["region"].map(names).fillna(out["region"])
    out = out.merge(tg[["target", "target_name", "ref"]], on="target", how="left")
    out["verdict"] = verdict(out)
    return out


VERDICTS = ["已达标", "预计按期完成", "预计逾期", "已逾期未完成"]


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per target (name, deadline, ref): how many regions fall under each verdict."""
    cols = ["target", "target_name", "deadline", "ref"]
    if frame.empty:
        return pd.DataFrame(columns=cols + VERDICTS)
    counts = pd.crosstab(frame["target"], frame["verdict"]).reindex(columns=VERDICTS, fill_value=0)
    head = frame.drop_duplicates("target").set_index("target")[cols[1:]]
    return head.join(counts).reset_index()[cols + VERDICTS]


def method_text(program, short: bool = False) -> str:
    """The stated rule, with N and whether it is the system's default (``short``: without
    the columns' explanation)."""
    n, s = setting_months(program)
    tail = "（文件未规定，系统默认）" if s is None or s.assumed else f"（{s.ref}）"
    return (f"预警方法：取最近{n}个月的数值，按最小二乘法求每月增幅，以本月值加“每月增幅×距期限月数”预测期限时的数值"
            f"{tail}；已达标的计为按期，期限已过仍未达标的计为逾期。" + ("" if short else
            "“每月还需增加”为达到目标值每月至少还需的增量；“自何月落后”为首个低于“首月数值到期限目标值的直线进度”的月份。"))
