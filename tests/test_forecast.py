"""Early warning (ruralcore.app.forecast.project) on constructed series with known answers:
one on track, one not, one already met; the needed gain and the first month behind pace."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ruralcore.app import forecast as fc

DEADLINE = dt.date(2024, 12, 31)
TARGETS = pd.DataFrame({"target": ["rate"], "threshold": [90.0], "op": [">="], "deadline": [DEADLINE]})


def _series(region: str, values: list[float], start: str = "2024-01") -> pd.DataFrame:
    periods = pd.period_range(start, periods=len(values), freq="M").astype(str)
    return pd.DataFrame({"region": region, "target": "rate", "period": periods, "value": values})


def test_on_track_not_on_track_and_already_met():
    series = pd.concat([
        _series("A", [20, 30, 40, 50, 60, 70]),   # +10 a month: 70 + 10 × 6 = 130 ≥ 90
        _series("B", [50, 50, 50, 52, 54, 56]),   # last 3 months +2: 56 + 2 × 6 = 68 < 90
        _series("C", [80, 85, 90, 92, 95, 96]),   # already 96 ≥ 90
    ], ignore_index=True)
    out = fc.project(series, TARGETS, "2024-06", months=3).set_index("region")
    assert out.loc["A", "months_left"] == 6 and out.loc["A", "slope"] == pytest.approx(10)
    assert out.loc["A", "projected"] == pytest.approx(130) and bool(out.loc["A", "on_track"])
    assert out.loc["A", "needed_per_month"] == pytest.approx(20 / 6)
    assert out.loc["B", "slope"] == pytest.approx(2) and out.loc["B", "projected"] == pytest.approx(68)
    assert not out.loc["B", "on_track"] and out.loc["B", "needed_per_month"] == pytest.approx(34 / 6)
    # pace line from 50 in January to 90 in December: 50 + 40/11 per month; February's 50 is behind
    assert out.loc["B", "behind_from"] == "2024-02"
    assert bool(out.loc["C", "met"]) and bool(out.loc["C", "on_track"])
    assert out.loc["C", "needed_per_month"] == 0 and out.loc["C", "behind_from"] is None
    assert out.loc["A", "behind_from"] is None  # +10 a month stays above the pace of 70/11


def test_window_setting_changes_the_slope_and_past_deadline_is_not_on_track():
    s = _series("B", [50, 50, 50, 52, 54, 56])
    six = fc.project(s, TARGETS, "2024-06", months=6).iloc[0]
    # least squares over x = 0..5: Σ(x−2.5)(y−52) = 22, Σ(x−2.5)² = 17.5
    assert six["slope"] == pytest.approx(22 / 17.5)
    late = pd.DataFrame({"target": ["rate"], "threshold": [90.0], "op": [">="], "deadline": [dt.date(2024, 5, 31)]})
    past = fc.project(s, late, "2024-06", months=3).iloc[0]
    assert past["months_left"] == -1 and not past["on_track"] and pd.isna(past["needed_per_month"])
    # a target where lower is better: a falling series meets it in time
    low = pd.DataFrame({"target": ["rate"], "threshold": [10.0], "op": ["<="], "deadline": [DEADLINE]})
    down = fc.project(_series("D", [40, 35, 30]), low, "2024-03", months=3).iloc[0]
    assert down["slope"] == pytest.approx(-5) and bool(down["on_track"])  # 30 − 5 × 9 = −15 ≤ 10


def test_exactly_on_pace_is_on_track_and_flat_is_level():
    """200/7 % now, +25/7 % a month, 20 months left: the projection is 100 % exactly (not
    99.9999999987 from rounding), so the village is 预计按期完成; a flat series has slope 0."""
    target = pd.DataFrame({"target": ["rate"], "threshold": [100.0], "op": [">="], "deadline": [dt.date(2025, 12, 31)]})
    s = _series("E", [150 / 7, 175 / 7, 200 / 7], start="2024-02")
    out = fc.project(s, target, "2024-04", months=3).iloc[0]
    assert out["months_left"] == 20 and out["projected"] == 100 and bool(out["on_track"])
    assert fc.verdict(fc.project(s, target, "2024-04", months=3)).iloc[0] == "预计按期完成"
    flat = fc.project(_series("F", [1200 / 13] * 6, start="2019-01"), target, "2019-06", months=3).iloc[0]
    assert flat["slope"] == 0 and flat["projected"] == pytest.approx(1200 / 13)


def test_without_pace_no_first_month_behind():
    s = _series("B", [50, 50, 50, 52, 54, 56])
    assert fc.project(s, TARGETS, "2024-06", months=3).iloc[0]["behind_from"] == "2024-02"
    assert fc.project(s, TARGETS, "2024-06", months=3, pace=False).iloc[0]["behind_from"] is None
