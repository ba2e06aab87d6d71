"""融水 益农信息社 rules, with the document's figures (五(一), 五(二), 附件1, 附件2)."""
import pandas as pd
import pytest

from ruralcore.kernel.errors import InputError, RuralcoreError
from ruralcore.rules.programs import load_program
from ruralcore.rules.stations import (
    county_short_name, pinyin_initials, station_codes, quota_progress, station_code, station_columns,
    station_failures, station_results,
)

P = load_program("rongshui-2019")


def full_station(station: str, type_: str) -> dict:
    """A station meeting every requirement of its type."""
    row = {c: True for c in station_columns(P) if c.startswith(("svc_", "ly_"))}
    row.update({c: 1 for c in station_columns(P) if c.startswith("eq_")})
    row.update({c: False for c in station_columns(P) if c.startswith("excused_")})
    row.update(station=station, type=type_, broadband_mbps=20)
    return row


def test_station_code_first_standard_station_of_rongshui():
    assert station_code("融水苗族自治县", "standard", 1) == "桂BRS0001B"
    assert station_code("融水", "professional", 206) == "桂BRS0206Z"
    assert station_code("融水", "simple", 9999) == "桂BRS9999J"


def test_station_codes_many_at_once():
    codes = station_codes("融水苗族自治县", pd.Series(["standard", "professional", "simple"]), pd.Series([1, 206, 23]))
    assert codes.tolist() == ["桂BRS0001B", "桂BRS0206Z", "桂BRS0023J"]
    with pytest.raises(InputError, match="第2行.*seq"):
        station_codes("融水", pd.Series(["standard", "simple"]), pd.Series([1, 0]))


def test_county_short_name_and_pinyin():
    assert county_short_name("融水苗族自治县") == "融水"
    assert county_short_name("花垣县") == "花垣"
    assert pinyin_initials("融水苗族自治县") == "RS" == P.setting("station_code_county_initials")


@pytest.mark.parametrize("county,type_,seq,word", [
    ("花垣县", "standard", 1, "未知的县"),
    ("融水", "demo", 1, "站点类型"),
    ("融水", "standard", 0, "序号"),
    ("融水", "standard", 10000, "序号"),
])
def test_station_code_bad_input(county, type_, seq, word):
    with pytest.raises(RuralcoreError, match=word):
        station_code(county, type_, seq)


def test_complete_stations_pass():
    df = pd.DataFrame([full_station("s1", "standard"), full_station("s2", "professional"), full_station("s3", "simple")])
    assert station_failures(P, df).empty
    assert station_results(P, df)["passed"].all()


def test_missing_info_wall_fails_with_clause():
    row = full_station("s1", "standard")
    row["eq_info_wall"] = 0
    f = station_failures(P, pd.DataFrame([row]))
    assert list(f["requirement"]) == ["info_wall"]
    assert f["ref"].iloc[0] == "附件2 序号4"
    assert "信息墙" in f["name"].iloc[0]
    res = station_results(P, pd.DataFrame([row]))
    assert not res["passed"].iloc[0] and "附件2 序号4" in res["failed_items"].iloc[0]


def test_basic_station_info_wall_from_its_own_list():
    row = full_station("s2", "simple")
    row["eq_info_wall"] = 0
    f = station_failures(P, pd.DataFrame([row]))
    assert f["ref"].tolist() == ["附件2 专业站或简易站 序号3"]


def test_services_standard_needs_all_four_simple_needs_two():
    std = full_station("std", "standard")
    std["svc_training"] = False  # 3 of 4
    simple = full_station("simple", "simple")
    simple["svc_public_service"] = simple["svc_training"] = False  # 2 of 4
    pro = full_station("pro", "professional")
    pro["svc_public_service"] = pro["svc_training"] = pro["svc_ecommerce"] = False  # 1 of 4
    f = station_failures(P, pd.DataFrame([std, simple, pro]))
    assert set(f["station"]) == {"std", "pro"}
    assert f.set_index("station").loc["std", "ref"] == "五(一)3"
    assert "提供3类服务" in f.set_index("station").loc["std", "detail"]


def test_optional_items_excused_when_condition_holds():
    row = full_station("s1", "standard")
    row["eq_led_screen"] = 0
    row["eq_video"] = 0
    excused = dict(row, station="s2", excused_led_screen=True, excused_video=True)
    f = station_failures(P, pd.DataFrame([row, excused]))
    assert sorted(f[f["station"] == "s1"]["requirement"]) == ["led_screen", "video"]
    assert (f["station"] != "s2").all()


def test_broadband_at_least_8_mbps():
    slow = dict(full_station("slow", "standard"), broadband_mbps=4)
    ok = dict(full_station("ok", "standard"), broadband_mbps=8)
    f = station_failures(P, pd.DataFrame([slow, ok]))
    assert f["station"].tolist() == ["slow"] and f["requirement"].iloc[0] == "broadband"


def test_liuyou_incomplete_fails():
    row = dict(full_station("s1", "professional"), ly_webpage=False)
    f = station_failures(P, pd.DataFrame([row]))
    assert f["requirement"].tolist() == ["webpage"] and "有网页" in f["name"].iloc[0]


def test_officers_count_and_48_training_hours():
    df = pd.DataFrame([full_station("a", "standard"), full_station("b", "simple")])
    officers = pd.DataFrame({"station": ["a", "a"], "officer": ["张三", "李四"], "training_hours": [48, 47]})
    f = station_failures(P, df, officers)
    by = f.set_index(["station", "requirement"])
    assert ("b", "officer_min_count") in by.index  # b has no officer
    assert by.loc[("b", "officer_min_count"), "ref"] == "五(二)1"
    hours = f[f["requirement"] == "training_hours_min"]
    assert hours["detail"].tolist() == ["信息员李四培训47学时，应不少于48学时"]
    assert hours["ref"].iloc[0] == "五(二)2"


def test_bad_station_type_names_row():
    with pytest.raises(InputError, match="第2行.*type"):
        station_failures(P, pd.DataFrame([full_station("a", "standard"), full_station("b", "demo")]))
    with pytest.raises(InputError, match="第3行.*station.*重复"):
        station_failures(P, pd.DataFrame([full_station(s, "simple") for s in ("a", "b", "a")]))


def test_bad_training_hours_name_row():
    officers = pd.DataFrame({"station": ["a", "a"], "officer": ["甲", "乙"], "training_hours": [50, "很多"]})
    with pytest.raises(InputError, match="第2行.*training_hours"):
        station_failures(P, pd.DataFrame([full_station("a", "simple")]), officers)


def test_quota_table_totals_and_progress():
    qt = P.quota_table("stations")
    for kind, want in {"standard": 206, "professional": 206, "simple": 206, "demo": 23}.items():
        assert sum(r.counts[kind] for r in qt.rows) == want == qt.totals[kind]
    built = pd.DataFrame({"township": ["融水镇"] * 19 + ["和睦镇"] * 3, "type": ["standard"] * 22})
    q = quota_progress(P, built).set_index(["township", "kind"])
    assert q.loc[("融水镇", "standard"), "met"] and q.loc[("融水镇", "standard"), "quota"] == 19
    assert q.loc[("和睦镇", "standard"), "gap"] == 7
    assert q.loc[("白云乡", "simple"), "built"] == 0 and q.loc[("白云乡", "simple"), "gap"] == 13
    with pytest.raises(InputError, match="火星乡"):
        quota_progress(P, pd.DataFrame({"township": ["火星乡"], "type": ["standard"]}))
