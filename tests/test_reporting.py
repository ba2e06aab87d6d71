"""Reporting rates on a small hand-made frame, checked by hand."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ruralcore.app import reporting
from ruralcore.kernel.errors import InputError
from ruralcore.rules.programs import load_program

REGIONS = pd.DataFrame(
    [
        ("C", "示例县", "county", ""),
        ("T1", "甲镇", "township", "C"),
        ("T2", "乙乡", "township", "C"),
        ("V1", "一村", "village", "T1"),
        ("V2", "二村", "village", "T1"),
        ("V3", "三村", "village", "T1"),
        ("V4", "四村", "village", "T2"),
        ("V5", "五村", "village", "T2"),
    ],
    columns=["code", "name", "level", "parent"],
)


def _rep(region, period, when, field="households"):
    return {"program": "huayuan-2019", "period": period, "region": region, "field": field,
            "value": 1, "submitted_by": "t", "submitted_at": pd.Timestamp(when), "version": 1}


REPORTS = pd.DataFrame([
    _rep("V1", "2019-03", "2019-04-10 09:00", "residents"),   # a later value: the earliest counts
    _rep("V1", "2019-03", "2019-04-03 10:00"),
    _rep("V2", "2019-03", "2019-04-05 23:30"),                # the due day itself is on time
    _rep("V4", "2019-03", "2019-04-06 08:00"),                # one day late
    _rep("V5", "2019-02", "2019-03-01 08:00"),                # another period: V5 is missing
    _rep("X9", "2019-03", "2019-04-01 08:00"),                # not an expected region: ignored
])


def test_due_day_comes_from_the_programme():
    prog = load_program("huayuan-2019")
    assert prog.setting("report_due_day") == 5
    assert reporting.due_date(prog, "2019-03") == dt.date(2019, 4, 5)
    assert reporting.due_date(prog, "2019-12") == dt.date(2020, 1, 5)
    assert reporting.report_level(prog) == "village"


def test_status_per_village():
    st = reporting.report_status("huayuan-2019", "2019-03", REGIONS, REPORTS).set_index("region")
    assert list(st.index) == ["V1", "V2", "V3", "V4", "V5"]
    assert st.loc["V1", "submitted_at"] == pd.Timestamp("2019-04-03 10:00")
    assert st["on_time"].to_dict() == {"V1": True, "V2": True, "V3": False, "V4": False, "V5": False}
    assert st["late"].to_dict() == {"V1": False, "V2": False, "V3": False, "V4": True, "V5": False}
    assert st["missing"].to_dict() == {"V1": False, "V2": False, "V3": True, "V4": False, "V5": True}


def test_rates_per_township_and_county_by_hand():
    out = reporting.reporting("huayuan-2019", "2019-03", REGIONS, REPORTS)
    rows = out["rows"].set_index("region")
    assert list(rows["level"]) == ["township", "township", "county"]
    t1, t2, c = rows.loc["T1"], rows.loc["T2"], rows.loc["C"]
    assert (t1.expected, t1.received, t1.on_time, t1.late, t1.missing) == (3, 2, 2, 0, 1)
    assert t1.reporting_rate == pytest.approx(200 / 3)
    assert t1.on_time_rate == pytest.approx(200 / 3)
    assert (t2.expected, t2.received, t2.on_time, t2.late, t2.missing) == (2, 1, 0, 1, 1)
    assert t2.reporting_rate == pytest.approx(50) and t2.on_time_rate == 0
    assert (c.expected, c.received, c.on_time, c.late, c.missing) == (5, 3, 2, 1, 2)
    assert c.reporting_rate == pytest.approx(60) and c.on_time_rate == pytest.approx(40)
    assert rows.loc["T1", "name"] == "甲镇"
    assert out["total"] == {"expected": 5, "received": 3, "on_time": 2, "late": 1, "missing": 2,
                            "reporting_rate": pytest.approx(60), "on_time_rate": pytest.approx(40)}
    assert out["due_date"] == dt.date(2019, 4, 5)


def test_no_expected_reports_gives_empty_rate_not_zero():
    out = reporting.reporting("huayuan-2019", "2019-03", REGIONS[REGIONS.level != "village"], REPORTS)
    assert out["total"]["expected"] == 0
    assert out["total"]["reporting_rate"] is None


def test_a_month_without_any_report_is_all_missing():
    out = reporting.reporting("huayuan-2019", "2019-08", REGIONS, REPORTS.iloc[0:0])
    assert out["total"] == {"expected": 5, "received": 0, "on_time": 0, "late": 0, "missing": 5,
                            "reporting_rate": 0.0, "on_time_rate": 0.0}
    assert out["status"]["submitted_at"].isna().all()


def test_trend_over_periods():
    tr = reporting.trend("huayuan-2019", ["2019-02", "2019-03"], REGIONS, REPORTS)
    assert list(tr["period"]) == ["2019-02", "2019-03"]
    assert list(tr["received"]) == [1, 3]
    per_township = reporting.trend("huayuan-2019", ["2019-02", "2019-03"], REGIONS, REPORTS, level="township")
    assert per_township.set_index(["period", "region"]).loc[("2019-02", "T2"), "received"] == 1


def test_bad_period_names_the_column():
    with pytest.raises(InputError, match="YYYY-MM"):
        reporting.due_date("huayuan-2019", "2019-13")
    with pytest.raises(InputError, match="period"):
        reporting.report_status("huayuan-2019", "2019/03", REGIONS, REPORTS)
