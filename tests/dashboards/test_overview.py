"""The county overview on the demo database: what the page shows equals what
ruralcore computes (indicators, targets, scoring, stations, tasks engines)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from ruralcore.rules import indicators, scoring
from ruralcore.app import overview as ov
from ruralcore.rules.programs import load_program
from ruralcore.store import reports as store_reports
from ruralcore.kernel.principal import system


def _clean(at) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _subheaders(at) -> list[str]:
    return [s.value for s in at.subheader]


def _wide(engine, program: str, period: str) -> pd.DataFrame:
    long = store_reports.load_reports(engine, program, period)
    return long.pivot(index="region", columns="field", values="value")


def test_huayuan_tiles_equal_engine_values(app_test, demo_engine):
    at = app_test("huayuan-2019")
    _clean(at)
    period = at.sidebar.selectbox(key="period").value
    wide = _wide(demo_engine, "huayuan-2019", period)
    shown = _metrics(at)
    # 一(二): 全县家庭宽带接入率 ≥ 40% — a county rate is Σ broadband households / Σ households,
    # never the mean of village percentages.
    county = wide["broadband_households"].sum() / wide["households"].sum() * 100
    assert shown["全县家庭宽带接入率40%以上"] == f"{county:.1f}%"
    # 一(一): every village 4G 100 % — the tile shows the area's rate from the fields
    cov = wide["natural_villages_4g"].sum() / wide["natural_villages"].sum() * 100
    assert shown["所有村（社区）4G网络覆盖率达100%"] == f"{cov:.1f}%"
    # every measurable target has its tile
    prog = load_program("huayuan-2019")
    assert {t.name for t in prog.targets if t.indicator} <= set(shown)
    md = " ".join(m.value for m in at.markdown)
    assert "目标 ≥ 40.0%" in md and "一(二)" in md
    # 一(一) “全县所有村”: every village of the county counts, the one that did not report too
    villages = ov.region_frame(demo_engine, "huayuan-2019").query("level == 'village'")
    assert len(villages) == wide['households'].notna().sum() + 1  # one demo village did not report
    assert f"{len(villages)}个村中" in md and "1个未报送" in md
    tiles = ov.target_tiles(prog, ov.load_month(demo_engine, prog.id, period), None,
                            ov.region_frame(demo_engine, prog.id)).set_index("target")
    assert tiles.at["coverage_4g_all", "status"] == "red"  # some village below 100 %: never 接近
    assert any(e.label.startswith("未达标或未报送的") for e in at.expander)


def test_huayuan_tile_delta_is_change_since_last_month(app_test, demo_engine):
    at = app_test("huayuan-2019")
    periods = ov.periods(demo_engine, "huayuan-2019")
    prog = load_program("huayuan-2019")
    now = indicators.rollup(prog, _wide(demo_engine, prog.id, periods[-1]), ["all"] * len(_wide(demo_engine, prog.id, periods[-1])))
    before_w = _wide(demo_engine, prog.id, periods[-2])
    before = indicators.rollup(prog, before_w, ["all"] * len(before_w))
    d = now.at["all", "home_broadband"] - before.at["all", "home_broadband"]
    tile = next(m for m in at.metric if m.label == "全县家庭宽带接入率40%以上")
    expected = "持平（较上月）" if round(d, 1) == 0 else f"{d:+.1f}个百分点（较上月）"
    assert tile.delta == expected


def test_last_months_totals_give_the_tiles_of_last_months_villages(demo_engine):
    """The page reads last month's kept sums (a row of the trend), not its villages: the tiles'
    previous values are the same either way, in every programme with two months."""
    from ruralcore.rules.programs import all_programs

    checked = 0
    for prog in all_programs():
        periods = ov.periods(demo_engine, prog.id)
        if len(periods) < 2:
            continue
        now, regions = ov.load_month(demo_engine, prog.id, periods[-1]), ov.region_frame(demo_engine, prog.id)
        villages = ov.target_tiles(prog, now, ov.load_month(demo_engine, prog.id, periods[-2]), regions)
        totals = ov.target_tiles(prog, now, ov.trend_from_store(demo_engine, prog, periods[-1]).loc[periods[-2]],
                                 regions)
        pd.testing.assert_frame_equal(totals[["target", "previous", "delta"]], villages[["target", "previous", "delta"]])
        checked += villages["previous"].notna().sum()
    assert checked > 10


def test_huayuan_ranking_counts_match_scoring(app_test, demo_engine):
    at = app_test("huayuan-2019")
    _clean(at)
    period = at.sidebar.selectbox(key="period").value
    prog = load_program("huayuan-2019")
    values = indicators.compute(prog, _wide(demo_engine, prog.id, period))
    scored = scoring.score(prog, values)
    shown = _metrics(at)
    qualified = int((scored["score"] >= 80).sum())  # 三(二): 80 分以上达标
    excellent = int((scored["award"] == "excellent").sum())
    assert shown["参评村"] == f"{len(scored)} 个"
    assert shown["达标（≥80分）"] == f"{qualified} 个"
    assert shown["优秀（前10名）"] == f"{excellent} 个"
    assert excellent >= min(10, qualified)  # top 10 (ties included) among the qualified
    table = next(df.value for df in at.dataframe if "等次" in df.value.columns)  # 前10名
    top = scored.sort_values(["rank", "region"]).head(len(table))
    dec = scoring.shown_decimals(scored["score"], scored["award"])
    assert table["得分"].tolist() == scoring.truncate(top["score"], dec).tolist()
    assert set(table["等次"]) <= {"优秀", "达标", "未达标"}
    assert (table.loc[table["得分"] < 80, "等次"] == "未达标").all()
    # 三(二) 前10名 优秀: two awards never read the same score (the demo's 10th and 11th
    # villages scored 99.934 and 99.901, both shown “99.9 分” on today's main)
    assert table.groupby("得分")["等次"].nunique().max() == 1 and dec >= 2
    # ties share a rank and say 并列 (the demo's nine villages at 100 分)
    assert table["名次"].iloc[0] == "1（并列）" and (table["名次"] == "1（并列）").sum() == (scored["rank"] == 1).sum()
    # one demo village did not report: it is named, not silently missing from 参评村
    absent = ov.unreported_units(prog, _wide(demo_engine, prog.id, period), ov.region_frame(demo_engine, prog.id))
    assert len(absent) == 1 and any(f"本月未报送、不参评的村1个：{absent[0]}" in c.value for c in at.caption)


def test_huayuan_ranking_shows_ties_at_the_cut_the_laggards_and_the_change_since_last_month(app_test, demo_engine):
    at = app_test("huayuan-2019")
    _clean(at)
    period = at.sidebar.selectbox(key="period").value
    prog = load_program("huayuan-2019")
    periods = ov.periods(demo_engine, prog.id)
    before = periods[periods.index(period) - 1]
    now = scoring.score(prog, indicators.compute(prog, _wide(demo_engine, prog.id, period))).set_index("region")
    then = scoring.score(prog, indicators.compute(prog, _wide(demo_engine, prog.id, before))).set_index("region")
    tables = [df.value for df in at.dataframe if "等次" in df.value.columns]
    assert len(tables) == 2  # 前10名 and 得分最低的10个村
    top, low = tables
    rank = top["名次"].str.extract(r"^(\d+)")[0].astype(int)
    # everyone ranked 10th or better is listed, ties at the cut included, and ties say so
    assert sorted(rank) == sorted(now.loc[now["rank"] <= 10, "rank"])
    shared = now["rank"].value_counts()
    assert [("（并列）" in r) for r in top["名次"]] == [shared[k] > 1 for k in rank]
    # the laggards: the lowest scores, lowest first
    dec = scoring.shown_decimals(now["score"], now["award"])  # as the page shows them (cut, not rounded)
    assert low["得分"].tolist() == sorted(scoring.truncate(now["score"], dec))[:len(low)]
    assert len(low) >= 10
    # 较上月: places moved since last month's ranking
    names = ov.region_frame(demo_engine, prog.id)["name"]
    code = {names[c]: c for c in now.index}
    for village, move in zip(top["村"], top["较上月"]):
        c = code[village]
        up = int(then.at[c, "rank"] - now.at[c, "rank"]) if c in then.index else None
        want = "上月未参评" if up is None else "持平" if up == 0 else f"↑{up}" if up > 0 else f"↓{-up}"
        assert move == want, village


def test_overview_panels_per_programme(app_test):
    hy = _subheaders(app_test("huayuan-2019"))
    assert {"目标完成情况", "里程碑倒计时", "各乡镇对比", "村排名（计分办法）", "落后村热力图", "月度趋势", "里程碑时间轴"} <= set(hy)
    rs = app_test("rongshui-2019")
    _clean(rs)
    assert "益农信息社建设：按乡镇与类型对照附件1任务" in _subheaders(rs)
    assert "村排名（计分办法）" not in _subheaders(rs)  # only 花垣 has a rubric
    tj = app_test("tanjiachang-2023")
    _clean(tj)
    assert "重点任务（按领域、责任部门和状态）" in _subheaders(tj)


def test_rongshui_stations_against_quota(app_test, demo_engine):
    at = app_test("rongshui-2019")
    _clean(at)
    with demo_engine.connect() as conn:
        # only stations in state 已建成 count as built (an allocated number or one being built does not)
        built = pd.read_sql("SELECT type, COUNT(*) AS n FROM stations WHERE program='rongshui-2019' "
                            "AND status='built' GROUP BY type", conn).set_index("type")["n"]
        demo = pd.read_sql("SELECT COUNT(*) AS n FROM stations WHERE program='rongshui-2019' AND is_demo "
                           "AND status='built'", conn)["n"].iat[0]
    shown = _metrics(at)
    # 三、附件1: 206 standard, 206 professional, 206 simple stations, 23 demonstration stations
    assert shown["标准站"] == f"{built['standard']} / 206 个"
    assert shown["专业站"] == f"{built['professional']} / 206 个"
    assert shown["简易站"] == f"{built['simple']} / 206 个"
    assert shown["示范社"] == f"{demo} / 23 个"


def test_rongshui_officers_short_of_48_hours(app_test, demo_engine):
    at = app_test("rongshui-2019")
    sp = ov.load_stations(demo_engine, "rongshui-2019")
    hours = sp["officers"]["training_hours"].astype(float)
    short = int((hours < 48).sum())  # 五(二)2: 每年不少于48学时
    assert short > 0
    assert _metrics(at)["不足学时的信息员"] == f"{short} 人"


def test_tanjiachang_twenty_tasks(app_test):
    at = app_test("tanjiachang-2023")
    table = next(df.value for df in at.dataframe if "责任部门" in df.value.columns)
    assert len(table) == 20  # 三、重点任务: 20 项
    assert table["领域"].nunique() == 7
    assert table.loc[table["序号"] == 9, "责任部门"].iat[0].startswith("乡乡村振兴办")


def test_earlier_month_shows_that_months_values(app_test, demo_engine):
    at = app_test("huayuan-2019")
    periods = ov.periods(demo_engine, "huayuan-2019")
    at.sidebar.selectbox(key="period").set_value(periods[3]).run()
    _clean(at)
    wide = _wide(demo_engine, "huayuan-2019", periods[3])
    county = wide["broadband_households"].sum() / wide["households"].sum() * 100
    assert _metrics(at)["全县家庭宽带接入率40%以上"] == f"{county:.1f}%"


def test_every_programme_renders(app_test):
    for pid in ("huayuan-2019", "rongshui-2019", "xinzhou-2023", "yinchuan-2017", "tanjiachang-2023"):
        at = app_test(pid)
        _clean(at)
        assert at.metric, pid


def test_projector_mode_and_slideshow(app_test):
    at = app_test("huayuan-2019", query={"projector": "1"})
    _clean(at)
    assert at.session_state["projector"] is True
    assert any(b.label == "退出投影模式" for b in at.button)
    at.toggle(key="slideshow").set_value(True).run()
    _clean(at)
    first = _subheaders(at)
    assert first == ["目标完成情况"]  # one panel per slide
    assert at.toggle(key="slide_auto").value is False  # turned by hand unless chosen
    at.button(key="slide_next").click().run()
    assert _subheaders(at) == ["到期预警"]
    at.button(key="slide_next").click().run()
    assert _subheaders(at) == ["里程碑倒计时", "里程碑时间轴"]  # the countdown shares its slide
    at.button(key="slide_prev").click().run()
    at.button(key="slide_prev").click().run()
    assert _subheaders(at) == first
    at.button(key="leave_projector").click().run()
    assert at.session_state["projector"] is False
    assert not any(b.label == "退出投影模式" for b in at.button)


def test_heatmap_is_aggregated(demo_engine):
    prog = load_program("huayuan-2019")
    period = ov.periods(demo_engine, prog.id)[-1]
    fields = ov.load_month(demo_engine, prog.id, period)
    big = pd.concat([fields.set_axis(fields.index + f"-{i}") for i in range(3)])
    hm = ov.heatmap(prog, big, ov.region_frame(demo_engine, prog.id), rows=60)
    assert hm["shown"] == 60 < hm["total"]
    att = hm["attainment"].to_numpy()
    assert np.nanmax(att) <= 100 and np.nanmin(att) >= 0


def test_tanjiachang_tasks_by_area_and_unit(demo_engine):
    prog = load_program("tanjiachang-2023")
    period = ov.periods(demo_engine, prog.id)[-1]
    status = ov.task_table(prog, ov.load_task_progress(demo_engine, prog.id), period,
                           ov.as_of_date(demo_engine, prog.id, [period]))
    by_area = ov.task_counts(status, "area_name")
    assert by_area[list(ov.TASK_STATES)].to_numpy().sum() == 20  # 20 tasks in 7 areas
    assert len(by_area) == 7
    by_unit = ov.task_counts(status, "responsible").set_index("responsible")
    # task 9 (防止返贫动态监测和帮扶) names 乡乡村振兴办 among its responsible units
    assert by_unit.loc["乡乡村振兴办", list(ov.TASK_STATES)].sum() >= 1
    n_tasks_of_villages = sum("各村" in t.responsible for t in prog.tasks)
    assert by_unit.loc["各村", list(ov.TASK_STATES)].sum() == n_tasks_of_villages


def test_compare_chart_draws_at_most_forty_laggards():
    table = pd.DataFrame({"name": [f"乡镇{i}" for i in range(100)], "x": np.arange(100.0)},
                         index=[f"T{i:03d}" for i in range(100)])
    shown = ov.laggards(table, "x", ">=")
    assert len(shown) == ov.COMPARE_BARS == 40
    assert shown["x"].max() == 39  # the lowest values: furthest below a “≥” target
    assert ov.laggards(table, "x", "<=")["x"].min() == 60
    assert len(ov.laggards(table.head(12), "x", ">=")) == 12  # a county's 12 townships: all of them


def test_a_saved_change_shows_on_the_next_rerun(demo_db_url, monkeypatch, tmp_path):
    """The page caches are keyed by the data token: a write elsewhere (another editor, an
    import) must show on the next rerun, never a stale cached month."""
    import shutil

    from streamlit.testing.v1 import AppTest

    from ruralcore.store import db

    src = demo_db_url.removeprefix("sqlite:///")
    copy = tmp_path / "copy.db"
    for suffix in ("", "-wal", "-shm"):  # WAL mode: the newest pages may sit in the -wal file
        if Path(src + suffix).exists():
            shutil.copy(src + suffix, str(copy) + suffix)
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("DATABASE_URL", url)
    label = "全县家庭宽带接入率40%以上"
    from tests.login_support import sign_in

    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "dashboards" / "app.py"), default_timeout=120)
    at.session_state["program"] = "huayuan-2019"
    engine = db.get_engine(url)
    sign_in(at, engine, "county_admin", "433124")
    at.run()
    _clean(at)
    period = at.sidebar.selectbox(key="period").value
    before = next(m.value for m in at.metric if m.label == label)
    wide = _wide(engine, "huayuan-2019", period)
    every_home = pd.DataFrame({"region": wide.index, "field": "broadband_households",
                               "value": wide["households"].to_numpy()})
    store_reports.upsert_reports(engine, "huayuan-2019", period, every_home, user=system("测试"))
    at.run()
    after = next(m.value for m in at.metric if m.label == label)
    assert before != "100.0%" and after == "100.0%"
