"""ruralcore.app.supervision on small hand-made pilots: schedule steps against the 忻州
document's dates (三(二)–(七)), money (三(三): 45万 per pilot), indicators (附件1: 17,
附件2: 18), scorecard rates from summed counts, traffic lights and the behind list."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ruralcore.app import supervision as sv
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.rules.programs import load_program

XZ = load_program("xinzhou-2023")


def pilots(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for c in sv.DATE_COLUMNS:
        df[c] = pd.to_datetime(df.get(c, pd.Series([None] * len(df)))).astype("datetime64[s]")
    df["notes"] = ""
    df["county_name"] = df["county"].map({"140921": "定襄县", "140927": "神池县"})
    df.index = pd.Index(df["code"], name="pilot")
    return df


ALL_DONE = {"plans_on": "2023-03-20", "filing_on": "2023-04-20", "funds_on": "2023-04-25",
            "project_library_on": "2023-04-28", "procedures_on": "2023-05-20", "construction_start_on": "2023-06-20"}


@pytest.fixture
def two():
    return pilots([
        {"code": "P1", "name": "甲镇", "county": "140921", "pilot_type": "township", **ALL_DONE},
        {"code": "P2", "name": "乙村", "county": "140927", "pilot_type": "village",
         "plans_on": "2023-03-31", "filing_on": "2023-05-10", "funds_on": "2023-04-20",
         "procedures_on": "2023-05-31", "construction_start_on": "2023-08-01"},
    ])


def test_step_dates_and_clauses_come_from_the_document(two):
    info = sv.step_info(XZ, dt.date(2023, 7, 15)).set_index("code")
    # 三(二) 3月底前方案; 4月底前备案; 三(三) 4月底前纳入项目库; 三(四) 5月底手续, 6月开工; 三(五) 11月底完工;
    # 三(六) 12月底验收; 三(七) 2024年1月底前典型案例
    assert info.loc["plans", ["due", "ref"]].tolist() == ["2023-03-31", "三(二)"]
    assert info.loc["filing", "due"] == "2023-04-30"
    assert info.loc["funds", ["due", "ref"]].tolist() == ["2023-04-30", "三(三)"]
    assert info.loc["construction_start", ["due", "ref"]].tolist() == ["2023-06-30", "三(四)"]
    assert info.loc["completion", "due"] == "2023-11-30"
    assert info.loc["acceptance", ["due", "ref"]].tolist() == ["2023-12-31", "三(六)"]
    assert info.loc["summary", ["due", "ref"]].tolist() == ["2024-01-31", "三(七)"]


def test_step_states_on_time_late_overdue_not_due(two):
    st = sv.step_status(XZ, two, dt.date(2023, 7, 15)).set_index(["pilot", "step"])
    assert st.loc[("P1", "plans"), "state"] == "on_time"
    assert st.loc[("P1", "construction_start"), "state"] == "on_time"
    assert st.loc[("P1", "completion"), "state"] == "not_due"
    # filed 2023-05-10, due 2023-04-30: done 10 days late
    assert st.loc[("P2", "filing"), ["state", "days"]].tolist() == ["late", 10]
    # on the due day itself is on time
    assert st.loc[("P2", "plans"), "state"] == "on_time" and st.loc[("P2", "procedures"), "state"] == "on_time"
    # funds needs the project library too: not in the library → overdue since 2023-04-30 (76 days on 07-15)
    assert st.loc[("P2", "funds"), ["state", "days"]].tolist() == ["overdue", 76]
    # started 2023-08-01, after the as-of date: not done yet, overdue since 2023-06-30
    assert st.loc[("P2", "construction_start"), ["state", "days"]].tolist() == ["overdue", 15]
    assert st.loc[("P2", "construction_start"), "done_on"] is None
    assert st.loc[("P2", "construction_start"), "ref"] == "三(四)"


def test_state_as_of_a_later_date_sees_the_late_start(two):
    st = sv.step_status(XZ, two, dt.date(2023, 8, 31)).set_index(["pilot", "step"])
    assert st.loc[("P2", "construction_start"), ["state", "days"]].tolist() == ["late", 32]
    assert st.loc[("P2", "construction_start"), "done_on"] == dt.date(2023, 8, 1)


def test_money_is_45_wan_per_pilot_in_integer_yuan(two):
    funds = pd.DataFrame({"pilot": ["P1", "P1", "P1", "P2"], "kind": ["allocation", "county_matching", "spending", "spending"],
                          "amount_yuan": np.array([450_000, 120_000, 300_001, 5], dtype="int64")})
    m = sv.money(XZ, two, funds)
    assert m["city_allocated_yuan"].tolist() == [450_000, 450_000]  # 三(三) 每个支持45万元
    assert m.loc["P1"].tolist() == [450_000, 450_000, 120_000, 300_001]
    assert m.loc["P2", "city_received_yuan"] == 0 and m.loc["P2", "spent_yuan"] == 5
    assert all(str(t) == "int64" for t in m.dtypes)


def test_indicators_built_out_of_17_or_18(two):
    items = pd.DataFrame({"pilot": ["P1", "P1", "P1", "P2"], "item": ["a", "b", "c", "a"],
                          "state": ["in_use", "partly", "in_use", "not_built"]})
    c = sv.indicator_counts(XZ, two, items)
    assert c.loc["P1"].tolist() == [2, 17]  # 附件1: 17 township indicators; built = 建成并投入使用
    assert c.loc["P2"].tolist() == [0, 18]  # 附件2: 18 village indicators


def _board(**over) -> pd.DataFrame:
    base = {"county": ["A", "A", "B", "B", "B"], "county_name": ["甲县", "甲县", "乙县", "乙县", "乙县"],
            "overdue_steps": [0, 1, 0, 0, 0], "report": ["on_time", "late", "missing", "on_time", "on_time"],
            "city_received_yuan": [450_000] * 5, "county_matching_yuan": [50_000] * 5,
            "spent_yuan": [500_000, 0, 250_000, 250_000, 0], "indicators_built": [17, 0, 9, 9, 0],
            "indicators_total": [17, 17, 18, 18, 18]}
    base.update(over)
    return pd.DataFrame(base)


def test_scorecard_rates_from_summed_counts_and_ranking():
    card = sv.scorecard(_board()).set_index("county")
    assert card.loc["A", "on_schedule_rate"] == pytest.approx(50.0)
    assert card.loc["B", "on_schedule_rate"] == pytest.approx(100.0)
    assert card.loc["B", ["expected", "received", "on_time", "late", "missing"]].tolist() == [3, 2, 2, 0, 1]
    assert card.loc["B", "reporting_rate"] == pytest.approx(200 / 3)
    assert card.loc["A", "spent_rate"] == pytest.approx(50.0)  # 500,000 of 1,000,000 in place
    # the city row sums counts, it does not average the counties' rates
    assert card.loc[sv.CITY, "on_schedule_rate"] == pytest.approx(80.0)
    assert card.loc[sv.CITY, "built_rate"] == pytest.approx(35 / 88 * 100)
    assert card.loc["B", "rank"] == 1 and card.loc["A", "rank"] == 2 and pd.isna(card.loc[sv.CITY, "rank"])
    assert card.index[-1] == sv.CITY


def test_lights_use_100_percent_and_the_amber_margin():
    card = pd.DataFrame({"on_schedule_rate": [100.0, 95.0, 80.0], "reporting_rate": [100.0, 90.0, 89.9],
                         "on_time_rate": [np.nan, 100.0, 0.0]})
    lights = sv.lights(XZ, card)  # amber_margin 10 points (四(四), assumed)
    assert lights["on_schedule_rate"].tolist() == ["green", "amber", "red"]
    assert lights["reporting_rate"].tolist() == ["green", "amber", "red"]
    assert lights["on_time_rate"].tolist() == ["no_data", "green", "red"]
    refs = sv.light_refs(XZ)
    assert refs["reporting_rate"] == "四(五)" and "三(四)" in refs["on_schedule_rate"]


def test_unknown_pilot_is_a_chinese_error(two):
    data = sv.PilotData(XZ, two, pd.DataFrame(columns=["pilot", "item", "state"]),
                        pd.DataFrame(columns=["pilot", "kind", "amount_yuan"]), pd.DataFrame(), pd.DataFrame())
    steps = sv.step_status(XZ, two, dt.date(2023, 7, 15))
    with pytest.raises(RuralcoreError, match="没有试点“P9”"):
        sv.pilot_detail(data, "P9", dt.date(2023, 7, 15), steps, None, pd.DataFrame(columns=sv.BEHIND_COLUMNS))


def test_programme_without_pilot_steps_is_refused():
    with pytest.raises(RuralcoreError, match="缺少试点进度里程碑"):
        sv.step_info(load_program("huayuan-2019"), dt.date(2019, 6, 30))


def test_resettlement_targets_are_the_documents_figures():
    """银川 一 目标任务, 四(二), 四(三), 三(六): 4G ≥ 90 %, fibre 100 %, stations 60 % (2017)
    and 100 % (2018), 5 trained and 10 practitioners per village, 1 senior talent per
    village, 10 hospitals and 56 clinics on the medical platform."""
    yc = load_program("yinchuan-2017")
    regions = pd.DataFrame({"code": ["640100", "640104", "640104001", "640104002"],
                            "name": ["银川市", "兴庆区", "甲村", "乙村"], "level": ["city", "county", "village", "village"],
                            "parent": ["", "640100", "640104", "640104"]}).set_index("code", drop=False)
    fields = pd.DataFrame({"villages": [1, 1], "natural_villages": [10, 10], "natural_villages_4g": [10, 8],
                           "fiber": [1, 0], "senior_ecommerce_talents": [1, 0], "ecommerce_trained": [6, 4],
                           "ecommerce_practitioners": [10, 10]},
                          index=pd.Index(["640104001", "640104002"], name="region"))
    r = sv.resettlement_targets(yc, fields, regions, dt.date(2018, 6, 30))
    t = r["targets"].set_index("target")
    expect = {"coverage_4g_90": 90, "fiber_100": 100, "ecommerce_station_60_2017": 60, "ecommerce_station_100_2018": 100,
              "ecommerce_trained_5": 5, "practitioners_10": 10, "senior_talent_each": 1, "hospitals_10": 10,
              "clinics_56": 56}
    assert {k: t.at[k, "threshold"] for k in expect} == expect
    assert t.at["coverage_4g_90", "value"] == pytest.approx(90.0) and t.at["coverage_4g_90", "status"] == "green"
    assert t.at["fiber_100", "status"] == "red"  # one of two villages has fibre: 50 %
    assert t.at["senior_talent_each", "shown"] == "2个村中1个达标" and t.at["senior_talent_each", "status"] == "red"
    assert t.at["senior_talent_each", "failing"] == ["乙村（0人）"]  # 四(三) 每个移民村至少1名
    assert t.at["ecommerce_trained_5", "value"] == pytest.approx(5.0)  # 10 trained over 2 villages
    assert t.at["ecommerce_station_60_2017", "due_state"] == "已到期"  # due 2017-12-31
    assert t.at["coverage_4g_90", "due_state"] == "未到期" and t.at["coverage_4g_90", "days_left"] == 184
    d = r["districts"].set_index("target")
    assert d.at["coverage_4g_90", "district_name"] == "兴庆区" and d.at["coverage_4g_90", "value"] == pytest.approx(90.0)
    # a per-village target by district: the share of its villages meeting it (1 of 2)
    assert d.at["senior_talent_each", "value"] == pytest.approx(50.0) and d.at["senior_talent_each", "status"] == "red"


def test_resettlement_budget_is_2_million_a_year_in_integer_yuan():
    yc = load_program("yinchuan-2017")
    funds = pd.DataFrame({"kind": ["spending", "spending", "allocation"],
                          "use": ["网络基础设施配套", "贫困户资运费补贴", "网络基础设施配套"],
                          "amount_yuan": np.array([900_000, 600_000, 5], dtype="int64")})
    b = sv.resettlement_budget(yc, funds).set_index("use")
    assert int(b["budget_yuan"].sum()) == 2_000_000  # 七(二) 每年200万元
    assert b.at["网络基础设施配套", "spent_yuan"] == 900_000  # the allocation entry is not spending
    assert bool(b.at["贫困户资运费补贴", "over_budget"])  # 600,000 > 25 % of 2,000,000 (assumed share)


def test_off_metric_names_the_pilots_behind_each_rate():
    b = _board()
    assert sv.off_metric(b, "on_schedule_rate").tolist() == [False, True, False, False, False]
    assert sv.off_metric(b, "reporting_rate").tolist() == [False, False, True, False, False]
    assert sv.off_metric(b, "on_time_rate").tolist() == [False, True, True, False, False]
    with pytest.raises(RuralcoreError, match="没有指标“x”"):
        sv.off_metric(b, "x")
