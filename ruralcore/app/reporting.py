"""Monthly reporting: expected, received, on-time, late and missing reports (DHIS2's
reporting rate and timeliness), per region and rolled up per township and county.

Rules (the same for every programme):
- Expected: every region at the programme's ``report_level`` setting that exists in the
  region frame given (normally: the regions of the programme in the store).
- Received: at least one value of that (region, period) is stored. Its submitted time is
  the earliest ``submitted_at`` of its values — a report counts from its first value.
- On time: submitted on or before the programme's ``report_due_day`` of the month after
  the period (inclusive, the whole day counts). Late: received after that day.
  Missing: expected but not received. Reports of regions that are not expected are ignored.
- Reporting rate = received / expected × 100; on-time rate = on-time / expected × 100
  (a rate over no expected reports is empty, never 0).
All functions work on whole columns; nothing loops over regions.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ruralcore.kernel.errors import InputError, Problem
from ruralcore.rules.programs import Program, load_program
from ruralcore.rules.regions import ancestors_at

STATUS_COLUMNS = ["region", "name", "period", "received", "submitted_at", "on_time", "late", "missing"]
SUMMARY_COLUMNS = [
    "level", "region", "name", "expected", "received", "on_time", "late", "missing",
    "reporting_rate", "on_time_rate",
]
ROLLUP_LEVELS = ("township", "county")


def _program(program: Program | str) -> Program:
    return load_program(program) if isinstance(program, str) else program


def _check_period(period: str) -> tuple[int, int]:
    try:
        year, month = (int(p) for p in str(period).split("-"))
        if not (1 <= month <= 12 and len(str(period)) == 7):
            raise ValueError
    except ValueError:
        raise InputError(Problem(f"月份“{period}”格式不对，应为 YYYY-MM，例如 2019-06", column="period")) from None
    return year, month


def report_level(program: Program | str) -> str:
    """The level of the regions that must report (setting ``report_level``; village if absent)."""
    try:
        return str(_program(program).setting("report_level"))
    except KeyError:
        return "village"


def due_date(program: Program | str, period: str) -> dt.date:
    """The last day a report for ``period`` counts as on time: the programme's
    ``report_due_day`` (default 5 when the programme file has no such setting) of the
    following month, capped at that month's last day."""
    prog = _program(program)
    try:
        day = int(prog.setting("report_due_day"))
    except KeyError:
        day = 5
    year, month = _check_period(period)
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(max(day, 1), last))


def expected_regions(program: Program | str, regions: pd.DataFrame) -> pd.DataFrame:
    """The regions that must report: those of the frame at the programme's report level."""
    level = report_level(program)
    return regions[regions["level"] == level]


def report_status(program: Program | str, period: str, regions: pd.DataFrame,
                  reports: pd.DataFrame) -> pd.DataFrame:
    """One row per expected region: received, first submitted time, on_time, late, missing."""
    prog = _program(program)
    due_end = pd.Timestamp(due_date(prog, period)) + pd.Timedelta(days=1)
    exp = expected_regions(prog, regions)
    rep = reports[reports["period"].astype(str) == period]
    if "program" in rep.columns:
        rep = rep[rep["program"] == prog.id]
    first = (
        pd.DataFrame({"region": rep["region"].astype(str),
                      "submitted_at": _naive(pd.to_datetime(rep["submitted_at"]))})
        .groupby("region")["submitted_at"].min()
    )
    out = pd.DataFrame({
        "region": exp["code"].astype(str).to_numpy(),
        "name": exp["name"].astype(str).to_numpy(),
        "period": period,
    })
    out["submitted_at"] = first.reindex(out["region"].to_numpy()).to_numpy()  # NaT when none
    out["received"] = out["region"].isin(first.index)
    out["on_time"] = out["received"] & (out["submitted_at"] < due_end)
    out["late"] = out["received"] & ~out["on_time"]
    out["missing"] = ~out["received"]
    return out[STATUS_COLUMNS]


def _naive(ts: pd.Series) -> pd.Series:
    """Submission times compared as local (China) wall-clock times."""
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    return ts


def _counts(status: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    g = pd.DataFrame({
        "key": keys.to_numpy(),
        "expected": 1,
        "received": status["received"].to_numpy(dtype=int),
        "on_time": status["on_time"].to_numpy(dtype=int),
        "late": status["late"].to_numpy(dtype=int),
        "missing": status["missing"].to_numpy(dtype=int),
    }).groupby("key", sort=True)[["expected", "received", "on_time", "late", "missing"]].sum()
    return _rates(g.reset_index())


def _rates(df: pd.DataFrame) -> pd.DataFrame:
    exp = df["expected"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        df["reporting_rate"] = np.where(exp > 0, df["received"] / exp * 100, np.nan)
        df["on_time_rate"] = np.where(exp > 0, df["on_time"] / exp * 100, np.nan)
    return df


def summarize(status: pd.DataFrame, regions: pd.DataFrame,
              levels: tuple[str, ...] = ROLLUP_LEVELS) -> pd.DataFrame:
    """Expected/received/on-time/late/missing and rates per region at each of ``levels``
    (townships first, then counties), ordered by level and code."""
    frame = regions.set_index("code", drop=False) if regions.index.name != "code" else regions
    parts = []
    codes = status["region"]
    for level in levels:
        keys = ancestors_at(frame, pd.Series(codes.to_numpy(), dtype=object), level)
        known = keys.notna().to_numpy()
        if not known.any():
            continue
        part = _counts(status[known], keys[known])
        part = part.rename(columns={"key": "region"})
        part.insert(0, "level", level)
        part.insert(2, "name", part["region"].map(frame["name"]))
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    return pd.concat(parts, ignore_index=True)[SUMMARY_COLUMNS]


def total(status: pd.DataFrame) -> dict:
    """The same counts and rates over the whole programme."""
    df = _counts(status, pd.Series(np.zeros(len(status), dtype=int)))
    if df.empty:
        df = _rates(pd.DataFrame({k: [0] for k in ("expected", "received", "on_time", "late", "missing")}))
    row = df.iloc[0]
    out = {k: int(row[k]) for k in ("expected", "received", "on_time", "late", "missing")}
    out.update({k: (None if pd.isna(row[k]) else float(row[k])) for k in ("reporting_rate", "on_time_rate")})
    return out


def reporting(program: Program | str, period: str, regions: pd.DataFrame,
              reports: pd.DataFrame) -> dict:
    """Everything the `reporting` command and page show for one period."""
    prog = _program(program)
    status = report_status(prog, period, regions, reports)
    return {
        "program": prog.id,
        "period": period,
        "due_date": due_date(prog, period),
        "report_level": report_level(prog),
        "status": status,
        "rows": summarize(status, regions),
        "total": total(status),
    }


def trend(program: Program | str, periods: list[str], regions: pd.DataFrame,
          reports: pd.DataFrame, level: str | None = None) -> pd.DataFrame:
    """Rates per period: for the whole programme (level None) or per region at ``level``.
    Columns: period, [level, region, name,] expected … on_time_rate."""
    prog = _program(program)
    parts = []
    for period in periods:  # a dozen months, not a loop over regions
        status = report_status(prog, period, regions, reports)
        if level is None:
            part = pd.DataFrame([total(status)])
        else:
            part = summarize(status, regions, (level,))
        part.insert(0, "period", period)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def periods_between(start: str, end: str) -> list[str]:
    """Every YYYY-MM from start to end inclusive."""
    _check_period(start), _check_period(end)
    return [p.strftime("%Y-%m") for p in pd.period_range(start, end, freq="M")]


# store-backed --------------------------------------------------------------
def reporting_from_store(engine, program_id: str, period: str) -> dict:
    """`reporting` over the regions and reports in the database."""
    from ruralcore.store import regions as store_regions
    from ruralcore.store import reports as store_reports

    prog = load_program(program_id)
    due_date(prog, period)  # validates the period before touching the database
    regions = store_regions.load_regions(engine, program_id)
    reports = store_reports.load_reports(engine, program_id, [period])
    return reporting(prog, period, regions, reports)


def trend_from_store(engine, program_id: str, periods: list[str], level: str | None = None) -> pd.DataFrame:
    from ruralcore.store import regions as store_regions
    from ruralcore.store import reports as store_reports

    regions = store_regions.load_regions(engine, program_id)
    reports = store_reports.load_reports(engine, program_id, periods)
    return trend(program_id, periods, regions, reports, level)


def stored_periods(engine, program_id: str) -> list[str]:
    """The months that have at least one stored value, oldest first (for trend pickers)."""
    from ruralcore.store import reports as store_reports

    return store_reports.stored_periods(engine, program_id)
