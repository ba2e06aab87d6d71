"""Official working days (工作日) from China's holiday calendar, with make-up working
days (调休), via chinese-calendar. Vectorised: a sorted array of every working day in
the years the calendar knows, searched with numpy.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar
import numpy as np
import pandas as pd

from ruralcore.kernel.errors import CalendarRangeError


@lru_cache(maxsize=1)
def known_years() -> tuple[int, int]:
    years = {d.year for d in chinese_calendar.holidays}
    return min(years), max(years)


@lru_cache(maxsize=1)
def _workdays() -> np.ndarray:
    lo, hi = known_years()
    days = chinese_calendar.get_workdays(dt.date(lo, 1, 1), dt.date(hi, 12, 31))
    return np.array(days, dtype="datetime64[D]")


def _check(days: np.ndarray, what: str = "日期") -> None:
    lo, hi = known_years()
    if days.size == 0:
        return
    years = days.astype("datetime64[Y]").astype(int) + 1970
    bad = (years < lo) | (years > hi)
    if bad.any():
        first = str(days[bad][0])
        raise CalendarRangeError(
            f"{what} {first} 超出官方节假日日历的范围（{lo}–{hi} 年），无法按工作日计算；"
            f"请升级 chinesecalendar 或改用范围内的日期"
        )


def _as_days(dates) -> np.ndarray:
    if isinstance(dates, (dt.date, str, np.datetime64, pd.Timestamp)):
        dates = [dates]
    return np.asarray(pd.to_datetime(pd.Series(dates)).to_numpy(), dtype="datetime64[D]")


def is_workday(dates):
    d = _as_days(dates)
    _check(d)
    wd = _workdays()
    i = np.searchsorted(wd, d)
    hit = (i < wd.size) & (wd[np.minimum(i, wd.size - 1)] == d)
    return hit if np.ndim(dates) else bool(hit[0])


def add_workdays(dates, n):
    """The date n working days after each date (n ≥ 1: the n-th working day after it)."""
    scalar = np.ndim(dates) == 0 and np.ndim(n) == 0
    d = _as_days(dates)
    _check(d)
    n = np.broadcast_to(np.asarray(n, dtype=int), d.shape)
    if (n < 0).any():
        raise ValueError("工作日数不能为负")
    wd = _workdays()
    pos = np.searchsorted(wd, d, side="right") + n - 1
    # n == 0 means the date itself (or the next working day if it is a rest day)
    pos = np.where(n == 0, np.searchsorted(wd, d, side="left"), pos)
    if (pos >= wd.size).any():
        _, hi = known_years()
        raise CalendarRangeError(f"结果超出官方节假日日历的范围（止于 {hi} 年），无法按工作日计算")
    out = wd[pos]
    if scalar:
        return out[0].astype(dt.date)
    return out


def count_workdays(start, end):
    """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
    s, e = _as_days(start), _as_days(end)
    _check(s, "开始日期")
    _check(e, "结束日期")
    wd = _workdays()
    out = np.searchsorted(wd, e, side="right") - np.searchsorted(wd, s, side="right")
    if np.ndim(start) == 0 and np.ndim(end) == 0:
        return int(out[0])
    return out
