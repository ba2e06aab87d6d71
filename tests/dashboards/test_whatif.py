"""假设评分 page and ruralcore.app.whatif on the county demo database.

What the page shows (metrics, tables) is compared with ruralcore.rules.scoring's own results
for the 花垣 rubric (三(一)、三(二)): ≥ 80 points 达标, top 10 优秀.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ruralcore.rules import scoring
from ruralcore.app import whatif
from ruralcore.kernel.errors import InputError, StaleWriteError
from ruralcore.rules.programs import ASSUMED_LABEL, load_program
from ruralcore.store import audit, db
from tests.support import fresh_database, sqlite_copy
from tests.login_support import sign_in
from ruralcore.kernel.principal import system

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "dashboards" / "county" / "whatif.py")
HUAYUAN = "huayuan-2019"
# 双百 20 → 20, 4G上网 15 → 0, 宽带接入 15 → 30: moves villages across the 优秀 line on the demo data
REWEIGHT = {"shuangbai": 20, "mobile_phone": 15, "internet_4g": 0, "broadband": 30,
            "xiangqing": 10, "ringtone": 5, "cloud_mas": 10, "study_room": 10}


@pytest.fixture
def url(demo_file, tmp_path, monkeypatch):
    """A private copy of the demo database (demo_file, tests/dashboards/conftest.py) per test
    (tests write scenarios)."""
    u = f"sqlite:///{sqlite_copy(demo_file, tmp_path / 'demo.db')}"
    monkeypatch.setenv("DATABASE_URL", u)
    return u


@pytest.fixture
def eng(url):
    return db.get_engine(url)


def run_page(eng=None, role: str = "county_admin", region: str = "433124", name: str | None = None,
             login: bool = True) -> AppTest:
    """The page signed in as (role, region) — by default 花垣's county admin, who reads the
    whole county and may save scenarios; ``login=False`` stays signed out."""
    at = AppTest.from_file(PAGE, default_timeout=120)
    if login:
        sign_in(at, eng or db.get_engine(os.environ["DATABASE_URL"]), role, region, name)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    hits = [m.value for m in at.metric if m.label == label]
    assert hits, f"no metric {label}: {[m.label for m in at.metric]}"
    return hits[0]


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table shown that has ``column`` (AppTest does not expose a table's key)."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with column {column}")


def state(at: AppTest, eng):
    program = load_program(HUAYUAN)
    period = at.selectbox(key="period").value
    region = at.selectbox(key="wi_region").value
    values = whatif.village_values(eng, program, period)
    return program, period, region, values


def test_programme_without_rubric_says_so(url):
    at = run_page(role="auditor", region="")  # reads every programme
    at.selectbox(key="program").set_value("rongshui-2019").run()
    assert not at.exception
    assert any("没有计分办法" in i.value for i in at.info)
    assert not at.number_input  # nothing to score


def test_current_values_match_scoring(url, eng):
    at = run_page()
    program, period, region, values = state(at, eng)
    scored = scoring.score(program, values).set_index("region").loc[region]
    assert metric(at, "当前得分") == f"{scored['score']:.2f}分"
    assert metric(at, "当前名次") == f"第{scored['rank']}名"
    assert metric(at, "当前评定") == scoring.AWARD_LABELS[scored["award"]]
    # no change yet: the hypothetical equals the current
    assert metric(at, "假设得分") == metric(at, "当前得分")
    # the default village is the one closest to 达标 among those below 80
    assert scored["award"] == "not_qualified"
    # the points are marked as not given by the document (附件1 was not published)
    assert any(ASSUMED_LABEL in c.value for c in at.caption)


def test_pick_township_then_village(url, eng):
    at = run_page()
    program, period, region, values = state(at, eng)
    v = whatif.villages(eng, program)
    v = v[v["code"].isin(values.index)]
    town = v.set_index("code").loc[region, "township"]
    other = v[v["township"] != town].iloc[0]
    at.selectbox(key="wi_town").set_value(other["township"]).run()
    assert not at.exception
    mine = v[v["township"] == other["township"]]
    assert at.selectbox(key="wi_region").options == mine["name"].tolist()
    chosen = at.selectbox(key="wi_region").value
    assert chosen in set(mine["code"])
    row = scoring.score(program, values).set_index("region").loc[chosen]
    assert metric(at, "当前得分") == f"{row['score']:.2f}分"
    assert metric(at, "当前名次") == f"第{row['rank']}名"


def test_village_change_shows_scoring_what_if(url, eng):
    at = run_page()
    program, period, region, values = state(at, eng)
    changes = {"home_broadband": 40.0, "phone_penetration": 70.0, "group_ringtone": 100.0}
    for code, v in changes.items():
        at.number_input(key=f"wi_v_{period}_{region}_{code}").set_value(v)
    at.run()
    assert not at.exception
    want = scoring.what_if(program, values, region, changes)
    assert metric(at, "假设得分") == f"{want['score']:.2f}分"
    assert metric(at, "假设名次") == f"第{want['rank']}名"
    assert metric(at, "假设评定") == want["award_label"]
    assert want["score"] > want["score_before"]


def test_village_fixing_everything_becomes_excellent(url, eng):
    at = run_page()
    program, period, region, values = state(at, eng)
    codes = scoring.indicator_codes(program.rubric)
    for code in codes:
        at.number_input(key=f"wi_v_{period}_{region}_{code}").set_value(100.0)
    at.run()
    want = scoring.what_if(program, values, region, {c: 100.0 for c in codes})
    # full marks: 100 points, first place, and (ties included, 三(二) top 10) 优秀
    assert want["score"] == 100 and want["rank"] == 1 and want["award"] == "excellent"
    assert metric(at, "假设得分") == "100.00分"
    assert metric(at, "假设名次") == "第1名"
    assert metric(at, "假设评定") == "优秀"
    assert metric(at, "当前评定") == "未达标"
    # the village appears in the table of award changes
    changes = table_with(at, "变化")
    assert region in set(changes["区域代码"])
    assert changes.set_index("区域代码").loc[region, "变化"] == "新评为优秀"


def test_reweighting_before_after_matches_scoring(url, eng):
    at = run_page()
    program, period, region, values = state(at, eng)
    for code, pts in REWEIGHT.items():
        at.number_input(key=f"wi_w_{code}").set_value(float(pts))
    at.run()
    assert not at.exception and not at.error
    cmp = scoring.compare(scoring.score(program, values), scoring.reweight(program, values, REWEIGHT))
    moved = cmp[cmp["change"] != "none"]
    assert len(moved) > 0  # the weights were chosen so that somebody gains or loses 优秀
    shown = table_with(at, "变化").set_index("区域代码").sort_index()
    want = moved.set_index("region").sort_index()
    assert list(shown.index) == list(want.index)
    assert shown["假设得分"].tolist() == want["score_after"].round(2).tolist()
    assert shown["假设名次"].tolist() == want["rank_after"].tolist()
    assert shown["假设评定"].tolist() == want["award_after"].map(scoring.AWARD_LABELS).tolist()
    n_ex = lambda df: int((df == "excellent").sum())  # noqa: E731
    assert metric(at, "优秀村（当前→假设）") == f"{n_ex(cmp['award_before'])} → {n_ex(cmp['award_after'])}个"


def test_points_not_adding_to_100_are_refused(url):
    at = run_page()
    at.number_input(key="wi_w_broadband").set_value(40.0).run()
    assert not at.exception
    assert any("应为100" in e.value for e in at.error)
    assert any("按默认分值" in e.value for e in at.error)


def test_nothing_written_without_saving(url, eng):
    at = run_page()
    before = len(audit.load_audit(eng))  # after signing in (creating the account is audited)
    _, period, region, _ = state(at, eng)
    at.number_input(key=f"wi_v_{period}_{region}_home_broadband").set_value(40.0).run()
    at.number_input(key="wi_w_broadband").set_value(25.0)
    at.number_input(key="wi_w_shuangbai").set_value(10.0).run()
    assert len(audit.load_audit(eng)) == before
    assert whatif.list_scenarios(eng, HUAYUAN).empty


def test_save_scenario_and_reopen_it(url, eng):
    at = run_page(eng, name="花垣县管理员")
    program, period, region, values = state(at, eng)
    at.number_input(key=f"wi_v_{period}_{region}_home_broadband").set_value(45.0)
    at.number_input(key=f"wi_v_{period}_{region}_cloud_mas").set_value(100.0)
    for code, pts in REWEIGHT.items():
        at.number_input(key=f"wi_w_{code}").set_value(float(pts))
    at.text_input(key="wi_name").input("补宽带并调整分值")
    at.button(key="wi_save").click().run()
    assert not at.exception and not at.error
    assert any("已保存模拟方案“补宽带并调整分值”" in s.value for s in at.success)

    sc = whatif.load_scenario(eng, HUAYUAN, "补宽带并调整分值")
    assert sc.period == period and sc.region == region
    assert values.loc[region, "cloud_mas"] < 100  # a real change
    assert sc.changes == {"home_broadband": 45.0, "cloud_mas": 100.0}
    assert sc.weights == {k: float(v) for k, v in REWEIGHT.items()}
    log = audit.load_audit(eng, table="what_if_scenarios")
    assert len(log) == 1 and log["action"].iat[0] == "insert" and "补宽带并调整分值" in log["new"].iat[0]
    assert log["user"].iat[0] == "花垣县管理员"  # the signed-in account, not a typed name

    # a fresh session opens it: the inputs come back and the result is the scenario's
    at2 = run_page()
    at2.selectbox(key="wi_open").set_value("补宽带并调整分值")
    at2.button(key="wi_open_btn").click().run()
    assert not at2.exception
    assert at2.selectbox(key="wi_region").value == region
    assert at2.number_input(key=f"wi_v_{period}_{region}_home_broadband").value == 45.0
    assert at2.number_input(key="wi_w_broadband").value == 30.0
    ev = whatif.evaluate(program, values, sc)
    assert metric(at2, "假设得分") == f"{ev['village']['score']:.2f}分"
    assert metric(at2, "假设名次") == f"第{ev['village']['rank']}名"
    assert metric(at2, "假设评定") == ev["village"]["award_label"]


def test_delete_a_saved_scenario_on_the_page(url, eng):
    whatif.save_scenario(eng, whatif.Scenario("旧方案", HUAYUAN, "2019-11"), system("测试员"))
    at = run_page(eng)
    at.selectbox(key="wi_open").set_value("旧方案")
    at.button(key="wi_delete_btn").click().run()
    assert not at.exception
    assert any("已删除模拟方案“旧方案”" in s.value for s in at.success)
    assert whatif.list_scenarios(eng, HUAYUAN).empty
    assert audit.load_audit(eng, table="what_if_scenarios")["action"].tolist() == ["insert", "delete"]


def test_duplicate_name_is_refused_on_the_page(url, eng):
    whatif.save_scenario(eng, whatif.Scenario("已有方案", HUAYUAN, "2019-11"), system("测试员"))
    at = run_page(eng)
    at.text_input(key="wi_name").input("已有方案")
    at.button(key="wi_save").click().run()
    assert any("已有同名的模拟方案“已有方案”" in e.value for e in at.error)
    assert len(whatif.list_scenarios(eng, HUAYUAN)) == 1


def test_signed_out_gets_the_login_hint_and_nothing_is_written(url, eng):
    whatif.save_scenario(eng, whatif.Scenario("旧方案", HUAYUAN, "2019-11"), system("测试员"))
    before = len(audit.load_audit(eng, table="what_if_scenarios"))
    at = run_page(login=False)
    assert any("请先在“登录”页面登录" in w.value for w in at.warning)
    assert not at.number_input and not [b for b in at.button if b.key in ("wi_save", "wi_delete_btn")]
    assert whatif.list_scenarios(eng, HUAYUAN)["name"].tolist() == ["旧方案"]
    assert len(audit.load_audit(eng, table="what_if_scenarios")) == before


def test_auditor_may_try_but_not_save_or_delete(url, eng):
    """The auditor reads everything and writes nothing: trying works, saving and deleting
    are refused in Chinese, nothing written."""
    whatif.save_scenario(eng, whatif.Scenario("旧方案", HUAYUAN, "2019-11"), system("测试员"))
    before = len(audit.load_audit(eng, table="what_if_scenarios"))
    at = run_page(role="auditor", region="")
    at.selectbox(key="program").set_value(HUAYUAN).run()
    _, period, region, values = state(at, eng)
    at.number_input(key=f"wi_v_{period}_{region}_home_broadband").set_value(40.0).run()
    assert not at.exception
    want = scoring.what_if(load_program(HUAYUAN), values, region, {"home_broadband": 40.0})
    assert metric(at, "假设得分") == f"{want['score']:.2f}分"
    assert any("保存模拟方案需要县级管理员或市级督导账户" in c.value for c in at.caption)
    at.text_input(key="wi_name").input("审计方案")
    at.button(key="wi_save").click().run()
    assert any(e.value.startswith("无权限：") and "未写入任何数据" in e.value for e in at.error)
    at.selectbox(key="wi_open").set_value("旧方案")
    at.button(key="wi_delete_btn").click().run()
    assert any(e.value.startswith("无权限：") for e in at.error)
    assert whatif.list_scenarios(eng, HUAYUAN)["name"].tolist() == ["旧方案"]
    assert len(audit.load_audit(eng, table="what_if_scenarios")) == before


def test_account_without_planning_rights_is_refused(url, eng):
    """Scenarios are planning of the county (county admin, city supervisor): a township
    officer signed in is refused in Chinese on the page, nothing written."""
    whatif.save_scenario(eng, whatif.Scenario("旧方案", HUAYUAN, "2019-11"), system("测试员"))
    before = len(audit.load_audit(eng, table="what_if_scenarios"))
    at = run_page(eng, "township_officer", "433124T01")
    at.text_input(key="wi_name").input("乡镇方案")
    at.button(key="wi_save").click().run()
    assert not at.exception
    assert any(e.value.startswith("无权限：") and "未写入任何数据" in e.value for e in at.error)
    at.selectbox(key="wi_open").set_value("旧方案")
    at.button(key="wi_delete_btn").click().run()
    assert any(e.value.startswith("无权限：") for e in at.error)
    assert whatif.list_scenarios(eng, HUAYUAN)["name"].tolist() == ["旧方案"]
    assert len(audit.load_audit(eng, table="what_if_scenarios")) == before


def test_township_officer_picks_only_its_villages_ranked_county_wide(url, eng):
    """Read scoping: the rubric still ranks the whole county, but a township officer picks
    and sees only its own villages (with their county-wide ranks)."""
    at = run_page(eng, "township_officer", "433124T01")
    program, period, region, values = state(at, eng)
    v = whatif.villages(eng, program)
    mine = v[(v["township"] == "433124T01") & v["code"].isin(values.index)]
    assert 1 < len(mine) < len(values)
    assert at.selectbox(key="wi_town").options == [mine["township_name"].iat[0]]
    assert at.selectbox(key="wi_region").options == mine["name"].tolist()
    assert region in set(mine["code"])
    county = scoring.score(program, values).set_index("region")  # the whole county's ranking
    assert metric(at, "当前名次") == f"第{county.at[region, 'rank']}名"
    assert any("名次为全县排名" in c.value for c in at.caption)

    for code, pts in REWEIGHT.items():
        at.number_input(key=f"wi_w_{code}").set_value(float(pts))
    at.run()
    assert not at.exception and not at.error
    cmp = scoring.compare(scoring.score(program, values), scoring.reweight(program, values, REWEIGHT))
    moved = cmp[(cmp["change"] != "none")]
    assert not moved["region"].isin(mine["code"]).all()  # others move too: they must not be listed
    try:
        shown = table_with(at, "变化")
    except AssertionError:
        shown = pd.DataFrame({"区域代码": []})
    assert sorted(shown["区域代码"]) == sorted(moved.loc[moved["region"].isin(mine["code"]), "region"])
    rank = table_with(at, "假设名次")
    assert set(rank["村"]) <= set(mine["label"])
    by_name = cmp.set_index("region").loc[mine["code"]].set_index(mine["label"].to_numpy())
    assert rank.set_index("村")["假设名次"].to_dict() == by_name.loc[rank["村"], "rank_after"].to_dict()


def test_two_scenarios_side_by_side(url, eng):
    program = load_program(HUAYUAN)
    values = whatif.village_values(eng, program, "2019-11")
    region = scoring.score(program, values).sort_values("rank")["region"].iat[-1]
    a = whatif.save_scenario(eng, whatif.Scenario("甲：全部补齐", HUAYUAN, "2019-11", region,
                                                  {c: 100.0 for c in scoring.indicator_codes(program.rubric)}), system("测试员"))
    b = whatif.save_scenario(eng, whatif.Scenario("乙：只调分值", HUAYUAN, "2019-11", region, {}, REWEIGHT), system("测试员"))
    at = run_page()
    at.selectbox(key="wi_cmp_a").set_value("甲：全部补齐")
    at.selectbox(key="wi_cmp_b").set_value("乙：只调分值").run()
    assert not at.exception
    cmp = whatif.compare_scenarios(program, a, b, values)
    s = cmp["summary"].set_index("scenario")
    assert s.loc["甲：全部补齐", "score"] == 100.0
    shown = [m.value for m in at.metric if m.label.endswith("得分") and m.label not in ("当前得分", "假设得分")]
    assert shown == [f"{s.loc['甲：全部补齐', 'score']:.2f}分", f"{s.loc['乙：只调分值', 'score']:.2f}分"]
    table = table_with(at, "甲：全部补齐·得分")
    t = cmp["table"]
    assert len(table) == int(((t["award_a"] != t["award_b"]) | (t["rank_a"] != t["rank_b"])).sum())


# ---- ruralcore.app.whatif without the page ------------------------------------------------------

def test_values_out_of_range_name_the_indicator():
    program = load_program(HUAYUAN)
    with pytest.raises(InputError) as err:
        whatif.check_changes(program, {"home_broadband": 120, "study_room": -1})
    msg = str(err.value)
    assert "家庭宽带接入率" in msg and "120% 超出 0～100% 的范围" in msg
    assert "互联网学习室" in msg


def test_points_must_add_up_to_the_total():
    bad = dict(REWEIGHT, broadband=40)
    with pytest.raises(InputError) as err:
        whatif.check_scenario(whatif.Scenario("x", HUAYUAN, "2019-11", None, {}, bad))
    assert "各方面分值之和为110，应为100" in str(err.value)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """An empty store (scenarios need no reports), on SQLite and on PostgreSQL."""
    with fresh_database(request.param, tmp_path, "whatif") as url:
        yield db.get_engine(url)


def test_scenarios_round_trip_and_are_audited(store):
    sc = whatif.Scenario("补宽带", HUAYUAN, "2019-11", "433124T01001", {"home_broadband": 40}, REWEIGHT, note="试算")
    saved = whatif.save_scenario(store, sc, system("县活动推进办公室"))
    back = whatif.load_scenario(store, HUAYUAN, "补宽带")
    assert (back.period, back.region, back.changes, back.note) == ("2019-11", "433124T01001",
                                                                  {"home_broadband": 40.0}, "试算")
    assert back.weights == {k: float(v) for k, v in REWEIGHT.items()} and back.version == saved.version == 1
    listed = whatif.list_scenarios(store, HUAYUAN)
    assert listed["name"].tolist() == ["补宽带"] and bool(listed["reweighted"].iat[0])
    assert whatif.list_scenarios(store, "rongshui-2019").empty
    whatif.delete_scenario(store, HUAYUAN, "补宽带", system("县活动推进办公室"))
    assert whatif.list_scenarios(store, HUAYUAN).empty
    log = audit.load_audit(store, table="what_if_scenarios")
    assert log["action"].tolist() == ["insert", "delete"] and set(log["user"]) == {"县活动推进办公室"}


def test_overwrite_carries_the_version_read(store):
    eng = store
    sc = whatif.save_scenario(eng, whatif.Scenario("同名", HUAYUAN, "2019-11"), system("甲"))
    newer = whatif.save_scenario(eng, whatif.Scenario("同名", HUAYUAN, "2019-10", version=sc.version, id=sc.id),
                                 system("乙"), overwrite=True)
    assert newer.version == sc.version + 1 and newer.period == "2019-10"
    # a third editor who still holds the first version is refused and nothing changes
    with pytest.raises(StaleWriteError):
        whatif.save_scenario(eng, whatif.Scenario("同名", HUAYUAN, "2019-09", version=sc.version, id=sc.id),
                             system("丙"), overwrite=True)
    assert whatif.load_scenario(eng, HUAYUAN, "同名").period == "2019-10"


def test_apply_changes_only_the_village(eng):
    program = load_program(HUAYUAN)
    values = whatif.village_values(eng, program, "2019-11")
    before = scoring.score(program, values)
    region = before.sort_values("rank")["region"].iat[-1]
    after = whatif.apply(program, values, whatif.Scenario("x", HUAYUAN, "2019-11", region, {"study_room": 100}))
    diff = before.set_index("region")["score"] - after.set_index("region")["score"]
    assert set(diff[diff != 0].index) <= {region}
    assert pd.isna(values.loc[region, "study_room"]) or values.loc[region, "study_room"] <= 100


def test_award_counts_never_show_two_numbers_under_one_name(url, eng):
    """假设评分 showed “达标村 44” (优秀 + 达标) beside a chart bar 达标 34 (达标 without 优秀):
    the metric and the bars now carry their own names, and the bars add up to all villages."""
    import json
    at = run_page()
    program, period, region, values = state(at, eng)
    scored = scoring.score(program, values)
    n = scored["award"].astype(str).value_counts()
    ex, qu, no = (int(n.get(a, 0)) for a in scoring.AWARDS)
    assert metric(at, "达标（≥80分，含优秀）村") == f"{ex + qu} → {ex + qu}个"
    spec = json.loads(next(c for c in at.get("plotly_chart") if "wi_chart" in c.proto.id).proto.spec)
    bars = spec["data"][0]
    assert list(bars["x"]) == ["优秀", "达标（不含优秀）", "未达标"]
    assert list(bars["y"]) == [ex, qu, no] and sum(bars["y"]) == len(scored)


def test_find_a_village_by_name(app_test, demo_engine):
    """按名称查找村: picking a village found by (part of) its name sets the township and
    the village of the single-village what-if."""
    from ruralcore.store import regions as store_regions

    regions = store_regions.load_regions(demo_engine, "huayuan-2019")
    village = regions[regions["level"] == "village"].iloc[-1]
    at = app_test("huayuan-2019", page="county/whatif.py")
    box = at.selectbox(key="wi_find")
    label = f"{village['name']}（{regions.at[village['parent'], 'name']}）"
    assert label in [box.format_func(o) for o in box.options]
    box.set_value(village["code"]).run()
    assert not at.exception
    assert at.selectbox(key="wi_town").value == village["parent"]
    assert at.selectbox(key="wi_region").value == village["code"]
    assert at.selectbox(key="wi_find").value is None
