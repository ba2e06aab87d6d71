"""Monthly report values for demo regions, generated from a programme's own fields and
indicators (vectorised over regions × months × fields).

- Each region has a quality in [0, 1]: the lowest tenth are laggards (slow progress, more
  late and missing reports), the highest tenth excellent (done early).
- Progress rises month by month towards 1 (100 %).
- A field that is the denominator of a rate stays constant (households, villages…); its
  numerator is denominator × attainable share × progress, so numerators never exceed
  denominators; the attainable share of a target below 100 % scatters around the target.
- Fields given in ``fixed`` (regions × months arrays) are taken as they are.
- Each (region, month) report is on time, late or missing; all its values share one
  submitted time (on time: day 1 … due day of the next month; late: up to 20 days after).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ruralcore.rules.programs import Program
from ruralcore.app.reporting import due_date, report_level

SUBMITTER = "演示填报员"


def quality(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.random(n)


def progress(rng: np.random.Generator, q: np.ndarray, months: int) -> np.ndarray:
    """regions × months progress in [0, 1], rising; laggards (q < 0.1) stay low."""
    start = rng.uniform(0.15, 0.55, len(q))
    speed = np.where(q < 0.1, rng.uniform(0.15, 0.45, len(q)), 0.6 + 1.4 * q)
    t = (np.arange(months) + 1) / months
    p = start[:, None] + (1 - start[:, None]) * speed[:, None] * t[None, :]
    return np.clip(p, 0, 1)


def _base(rng: np.random.Generator, unit: str, kind: str, n: int) -> np.ndarray:
    if kind == "amount":
        return rng.integers(300, 900, n) * 1000.0
    if kind == "hours":
        return np.full(n, 60.0)
    if kind == "percent":
        return np.full(n, 100.0)
    lo, hi = {"人": (400, 3000), "户": (120, 900)}.get(unit, (3, 16))
    return rng.integers(lo, hi, n).astype(float)


def values(prog: Program, rng: np.random.Generator, q: np.ndarray, months: int,
           base: dict[str, np.ndarray] | None = None,
           fixed: dict[str, np.ndarray] | None = None, last_only: bool = False,
           level: str | None = None) -> dict[str, np.ndarray]:
    """field code → regions × months values for the fields at ``level`` (default: the
    programme's report level; ``last_only``: only the last month's column, for very large sets)."""
    level = level or report_level(prog)
    fields = [f for f in prog.fields if f.level == level]
    base, fixed = base or {}, fixed or {}
    n = len(q)
    p = progress(rng, q, months)
    if last_only:
        p, months = p[:, -1:], 1
    rates = {i.numerator: i for i in prog.indicators if i.kind == "rate"}
    denominators = {i.denominator for i in rates.values()}
    counted = {f for i in prog.indicators if i.kind != "rate" for f in i.fields}
    thresholds = {t.indicator: t.threshold for t in prog.targets if t.indicator and t.op in (">=", ">")}
    out: dict[str, np.ndarray] = {}
    for f in fields:  # pass 1: everything but numerators (a dozen fields, not regions)
        if f.code in fixed:
            out[f.code] = np.asarray(fixed[f.code], dtype=float)
        elif f.code in rates:
            continue
        elif f.kind == "flag":
            out[f.code] = (p > rng.uniform(0.25, 0.95, n)[:, None]).astype(float)
        else:
            b = base.get(f.code)
            b = _base(rng, f.unit, f.kind, n) if b is None else np.asarray(b, dtype=float)
            grows = f.code not in denominators or f.code in counted
            out[f.code] = np.round(b[:, None] * (p if grows else 1.0)) * np.ones((1, months))
    for f in fields:  # pass 2: numerators of rates
        if f.code in out:
            continue
        ind = rates[f.code]
        den = out.get(ind.denominator)
        if den is None:
            den = np.round(_base(rng, "", "count", n)[:, None] * np.ones((1, months)))
        thr = thresholds.get(ind.code, 100.0) / ind.scale
        share = np.where(thr >= 1, 1.0, np.minimum(1.0, thr * rng.uniform(0.8, 1.3, n)))
        share = np.where(q < 0.1, share * rng.uniform(0.5, 0.85, n), share)
        out[f.code] = np.floor(den * share[:, None] * p)
    for f in fields:  # respect the field's own bounds (e.g. “每村填1”)
        lo = -np.inf if f.min is None else f.min
        hi = np.inf if f.max is None else f.max
        out[f.code] = np.clip(out[f.code], lo, hi)
    return out


def submissions(prog: Program, rng: np.random.Generator, q: np.ndarray,
                periods: list[str]) -> np.ndarray:
    """regions × months submitted times (datetime64[s]); NaT = missing report."""
    n, m = len(q), len(periods)
    lag = q < 0.1
    r = rng.random((n, m))
    p_missing = np.where(lag, 0.2, 0.03)[:, None]
    p_late = np.where(lag, 0.3, 0.08)[:, None]
    missing = r < p_missing
    late = (r >= p_missing) & (r < p_missing + p_late)
    due = np.array([np.datetime64(due_date(prog, per)) for per in periods])  # a dozen months
    day1 = due.astype("datetime64[M]").astype("datetime64[D]")
    due_day = (due - day1).astype(int) + 1
    on_time_day = rng.integers(0, 10_000, (n, m)) % due_day[None, :]
    late_day = due_day[None, :] + rng.integers(0, 20, (n, m))
    day = np.where(late, late_day, on_time_day)
    secs = rng.integers(8 * 3600, 19 * 3600, (n, m))
    at = day1[None, :].astype("datetime64[s]") + day.astype("timedelta64[D]") + secs.astype("timedelta64[s]")
    return np.where(missing, np.datetime64("NaT"), at)


def frame(prog: Program, regions: np.ndarray, periods: list[str], vals: dict[str, np.ndarray],
          submitted: np.ndarray) -> pd.DataFrame:
    """The long reports frame (columns of the reports table) for the received reports."""
    codes = list(vals)
    if not codes:
        return pd.DataFrame(columns=["program", "period", "region", "field", "value",
                                     "submitted_by", "submitted_at", "version"])
    ri, mi = np.nonzero(~np.isnat(submitted))
    k, f = len(ri), len(codes)
    stack = np.stack([vals[c] for c in codes])  # fields × regions × months
    per = np.asarray(periods, dtype=object)
    return pd.DataFrame({
        "program": prog.id,
        "period": np.repeat(per[mi], f),
        "region": np.repeat(np.asarray(regions, dtype=object)[ri], f),
        "field": np.tile(np.asarray(codes, dtype=object), k),
        "value": stack[:, ri, mi].T.reshape(-1),
        "submitted_by": SUBMITTER,
        "submitted_at": np.repeat(submitted[ri, mi], f).astype("datetime64[us]"),
        "version": 1,
    })


def as_of(prog: Program, last_period: str) -> dt.date:
    """The demo data's as-of date: 20 days after the last period's due day."""
    return due_date(prog, last_period) + dt.timedelta(days=20)
