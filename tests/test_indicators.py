"""Indicators as formulas over reported counts (花垣 一(一)、一(二)); roll-ups sum, never average."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from ruralcore.rules import indicators as ind
from ruralcore.kernel.errors import InputError
from ruralcore.rules.programs import all_programs, load_program

P = load_program("huayuan-2019")


def villages() -> pd.DataFrame:
    # 村A: 100 households, 50 with broadband (50 %); 村B: 900 households, 270 (30 %).
    return pd.DataFrame({
        "natural_villages": [4, 10], "natural_villages_4g": [4, 9], "natural_villages_fiber": [2, 0],
        "residents": [400, 3600], "mobile_phone_users": [300, 2500], "internet_4g_users": [100, 2700],
        "households": [100, 900], "broadband_households": [50, 270],
        "xiangqing_net": [1, 0], "group_ringtone": [1, 1], "office_cloud": [1, 0],
        "mass_messaging": [0, 0], "study_room": [1, 0],
    }, index=pd.Index(["村A", "村B"], name="region"))


def test_rates_are_numerator_over_denominator_in_percent():
    out = ind.compute(P, villages())
    assert out.loc["村A", "home_broadband"] == 50.0
    assert out.loc["村B", "home_broadband"] == 30.0
    assert out.loc["村B", "coverage_4g"] == 90.0
    assert out.loc["村A", "phone_penetration"] == 75.0


def test_flags_are_mean_of_their_fields_times_100():
    out = ind.compute(P, villages())
    assert out.loc["村A", "cloud_mas"] == 50.0  # office cloud yes, mass messaging no
    assert out.loc["村A", "study_room"] == 100.0 and out.loc["村B", "study_room"] == 0.0


def test_county_rollup_sums_numerators_and_denominators_not_percentages():
    county = ind.rollup(P, villages(), ["县", "县"])
    # (50 + 270) / (100 + 900) = 32 %; averaging 50 % and 30 % would say 40 % — the
    # document's 40 % home-broadband target (一(二)) would wrongly be met.
    assert county.loc["县", "home_broadband"] == pytest.approx(32.0)
    assert county.loc["县", "home_broadband"] < 40
    # 4G internet: (100 + 2700) / 4000 = 70 % (average of 25 % and 75 % = 50 %).
    assert county.loc["县", "internet_4g_penetration"] == pytest.approx(70.0)


def test_flag_rollup_is_share_of_regions_with_the_flag():
    county = ind.rollup(P, villages(), ["县", "县"])
    assert county.loc["县", "study_room"] == 50.0
    assert county.loc["县", "group_ringtone"] == 100.0


def test_division_by_zero_is_nan_without_warnings():
    df = villages()
    df.loc["村A", "households"] = 0
    df.loc["村A", "broadband_households"] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ind.compute(P, df)
        grouped = ind.rollup(P, df, ["x", "y"])
    assert np.isnan(out.loc["村A", "home_broadband"])
    assert np.isnan(grouped.loc["x", "home_broadband"])


def test_missing_field_names_the_column():
    with pytest.raises(InputError, match="households"):
        ind.compute(P, villages().drop(columns="households"), ["home_broadband"])


def test_rollup_to_county_without_region_tree_groups_everything():
    out = ind.rollup_to(P, villages(), "county")
    assert len(out) == 1
    assert out["home_broadband"].item() == pytest.approx(32.0)


def test_rollup_follows_the_region_tree():
    tree = pd.DataFrame({
        "code": ["C", "T1", "T2", "V1", "V2", "V3"],
        "name": ["县", "甲乡", "乙乡", "村A", "村B", "村C"],
        "level": ["county", "township", "township", "village", "village", "village"],
        "parent": ["", "C", "C", "T1", "T1", "T2"],
    }).set_index("code", drop=False)
    df = pd.concat([villages(), villages().rename(index={"村A": "村C"}).iloc[:1]])
    out = ind.rollup_to(P, df, "township", region_frame=tree)
    assert list(out.index) == ["T1", "T2"]
    assert out.loc["T1", "home_broadband"] == pytest.approx(32.0)
    assert out.loc["T2", "home_broadband"] == 50.0


def test_every_programme_file_computes_its_indicators():
    for p in all_programs():
        if not p.indicators:
            continue
        fields = pd.DataFrame(1.0, index=["r1", "r2"], columns=ind.needed_fields(p))
        out = ind.compute(p, fields)
        assert list(out.columns) == [i.code for i in p.indicators]
        rolled = ind.rollup(p, fields, ["g", "g"])
        assert len(rolled) == 1, p.id
