"""Targets of 花垣 (一、活动目标): 4G and fiber 100 % in every village; county phone and 4G
internet ≥ 70 %, home broadband ≥ 40 %."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ruralcore.rules import targets as tg
from ruralcore.rules.programs import all_programs, load_program

P = load_program("huayuan-2019")


def villages() -> pd.DataFrame:
    return pd.DataFrame({
        "natural_villages": [4, 10, 5], "natural_villages_4g": [4, 9, 2], "natural_villages_fiber": [4, 10, 5],
        "residents": [400, 3600, 1000], "mobile_phone_users": [300, 2500, 700],
        "internet_4g_users": [100, 2700, 700],
        "households": [100, 900, 1000], "broadband_households": [50, 270, 480],
        "study_room": [1, 0, 1], "office_cloud": [1, 1, 1], "mass_messaging": [1, 0, 1],
    }, index=pd.Index(["村A", "村B", "村C"], name="region"))


def result():
    return tg.evaluate(P, villages()).set_index(["target", "region"])


def test_village_targets_met_gap_and_status():
    r = result()
    a = r.loc[("coverage_4g_all", "村A")]
    assert a["value"] == 100 and bool(a["met"]) and a["gap"] == 0 and a["status"] == "green"
    b = r.loc[("coverage_4g_all", "村B")]  # 9 of 10 natural villages: 90 %, 10 points short
    assert b["value"] == 90 and not b["met"] and b["gap"] == pytest.approx(10)
    # 一(一) “所有村…覆盖率达100%”: a village's own value is met or not, never 接近
    assert b["status"] == "red" and b["kind"] == "every_unit"
    c = r.loc[("coverage_4g_all", "村C")]  # 2 of 5: 40 %, 60 points short
    assert c["status"] == "red" and c["gap"] == pytest.approx(60)
    assert a["due"] == "2019-07-31" and a["ref"] == "一(一)" and a["threshold"] == 100


def test_county_targets_are_evaluated_on_the_summed_rollup():
    r = result()
    county = r.xs("home_broadband_county", level="target")
    assert len(county) == 1
    # (50 + 270 + 480) / 2000 = 40 % → met; the mean of 50, 30, 48 % would be 42.7 %.
    assert county["value"].item() == pytest.approx(40.0)
    assert bool(county["met"].item()) and county["status"].item() == "green"
    phone = r.xs("phone_penetration_county", level="target")
    assert phone["value"].item() == pytest.approx(3500 / 5000 * 100)  # exactly 70 %: met
    assert bool(phone["met"].item())


def test_county_rate_from_percentages_only_is_no_data_not_an_average():
    pct = pd.DataFrame({"home_broadband": [50.0, 30.0], "coverage_4g": [100.0, 90.0]},
                       index=["村A", "村B"])
    r = tg.evaluate(P, pct, given_indicators=True).set_index("target")
    assert r.loc["home_broadband_county", "status"] == "no_data"
    assert np.isnan(r.loc["home_broadband_county", "value"])
    assert r.loc["coverage_4g_all", "value"].tolist() == [100.0, 90.0]


def test_flag_indicator_given_as_0_or_100_is_taken_as_given():
    pct = pd.DataFrame({"study_room": [100.0, 0.0]}, index=["村A", "村B"])
    r = tg.evaluate(P, pct, given_indicators=True).set_index(["target", "region"])
    assert r.loc[("study_room_all", "村A"), "status"] == "green"
    assert r.loc[("study_room_all", "村B"), "status"] == "red"
    assert r.loc[("study_room_all", "村B"), "gap"] == 100


def test_compare_operators():
    met, gap = tg.compare(np.array([3.0, 7.0, np.nan]), "<=", 5)
    assert met.tolist() == [True, False, False]
    assert gap[:2].tolist() == [0.0, 2.0] and np.isnan(gap[2])
    met, gap = tg.compare(np.array([5.0, 4.0]), "==", 5)
    assert met.tolist() == [True, False] and gap.tolist() == [0.0, 1.0]


def test_summary_counts_statuses():
    s = tg.summary(tg.evaluate(P, villages())).set_index("target")
    assert s.loc["coverage_4g_all", ["green", "amber", "red"]].tolist() == [1, 0, 2]  # every village: no amber


def test_every_programme_file_evaluates():
    for p in all_programs():
        from ruralcore.rules.indicators import needed_fields
        cols = needed_fields(p)
        if not cols:
            continue
        fields = pd.DataFrame(1.0, index=["r1", "r2"], columns=cols)
        out = tg.evaluate(p, fields)
        assert set(out["status"]) <= {"green", "amber", "red", "no_data"}, p.id
        assert out["ref"].notna().all(), p.id


def test_xinzhou_pilots_roll_up_to_their_county():
    # 三(七): every county reports its typical cases by 2024-01-31 (target cases_all, county).
    from ruralcore.rules.regions import load_pilots

    p = load_program("xinzhou-2023")
    pilots = load_pilots(p.id)
    dingxiang = pilots[pilots["county"] == "定襄县"]["pilot_code"].tolist()
    assert len(dingxiang) >= 2
    data = pd.DataFrame({"case_submitted": 1.0}, index=pilots["pilot_code"].to_numpy())  # flag field: 0/1
    data.loc[dingxiang[0], "case_submitted"] = 0.0
    r = tg.evaluate(p, data).set_index(["target", "region"])
    county = r.loc[("cases_all", "140921")]  # 定襄县: one pilot has not reported
    assert county["value"] == pytest.approx(100 * (len(dingxiang) - 1) / len(dingxiang))
    assert county["status"] in ("amber", "red") and not county["met"]
    assert r.loc[("cases_all", "140902"), "status"] == "green"  # 忻府区
    assert r.loc[("acceptance_all", dingxiang[1]), "status"] == "no_data"


def test_stored_flag_fields_are_fields_not_percentages():
    # In the store a flag field holds 0/1; 花垣's study_room is both a field and an indicator code.
    fields = pd.DataFrame({"study_room": [1.0, 0.0]}, index=["村A", "村B"])
    r = tg.evaluate(P, fields).set_index(["target", "region"])
    assert r.loc[("study_room_all", "村A"), "value"] == 100.0
    assert r.loc[("study_room_all", "村A"), "status"] == "green"
    assert r.loc[("study_room_all", "村B"), "value"] == 0.0
