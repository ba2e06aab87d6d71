"""The demo database: seeded, marked 演示, sized, faithful to the documents' figures, with spread."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from ruralcore.app import reporting
from ruralcore.cli import main
from ruralcore.demo import build_demo, generate, is_demo
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.rules.programs import load_program
from ruralcore.store import reports as store_reports
from ruralcore.store.db import get_engine

from tests.support import fresh_database


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    build_demo(get_engine(url), "county")
    return url


@pytest.fixture(scope="module")
def frames():
    return generate("county")


def _read(url, sql):
    with get_engine(url).connect() as conn:
        return pd.read_sql(sa.text(sql), conn)


def test_seeded_two_builds_give_identical_reports(demo_url, tmp_path):
    other = f"sqlite:///{tmp_path / 'again.db'}"
    build_demo(get_engine(other), "county")
    for pid in ("huayuan-2019", "rongshui-2019", "xinzhou-2023"):
        a = store_reports.load_reports(get_engine(demo_url), pid)
        b = store_reports.load_reports(get_engine(other), pid)
        assert len(a) > 0
        pd.testing.assert_frame_equal(a, b)
    assert _read(demo_url, "SELECT * FROM stations ORDER BY number").equals(
        _read(other, "SELECT * FROM stations ORDER BY number"))


def test_every_generated_name_is_marked_demo(frames):
    r = frames["regions"]
    generated = r[r["code_source"] == "demo"]
    assert len(generated) > 250
    assert generated["name"].str.contains("演示").all()
    assert frames["officers"]["name"].str.startswith("演示·").all()
    assert frames["stations"]["village"].str.contains("演示").all()
    assert frames["reports"]["submitted_by"].str.contains("演示").all()
    assert frames["acceptance_cases"]["inspectors"].str.contains("演示").all()
    # real regions keep their real names (花垣镇, 融水镇 …)
    assert {"花垣镇", "融水镇", "谭家场乡"} <= set(r.loc[r["code_source"] != "demo", "name"])


def test_county_scale_has_about_300_villages(demo_url):
    n = _read(demo_url, "SELECT COUNT(*) AS n FROM regions WHERE level = 'village'")["n"].iat[0]
    assert 250 <= n <= 400
    # 谭家场: the document's 11 administrative villages, generated
    t = _read(demo_url, "SELECT COUNT(*) AS n FROM regions WHERE level='village' AND program='tanjiachang-2023'")
    assert t["n"].iat[0] == 11


def test_rongshui_stations_match_the_quota_table(demo_url):
    quota = load_program("rongshui-2019").quota_table("stations")
    st = _read(demo_url, "SELECT s.type, s.is_demo, r.name AS township FROM stations s "
                         "JOIN regions r ON r.code = s.township")
    got = st.groupby(["township", "type"]).size().unstack(fill_value=0)
    demo = st[st["is_demo"].astype(bool)].groupby("township").size()
    for row in quota.rows:  # 附件1: e.g. 融水镇 19/19/19, 2 示范社
        for kind in ("standard", "professional", "simple"):
            assert got.loc[row.region, kind] == row.counts[kind], (row.region, kind)
        assert demo.get(row.region, 0) == row.counts["demo"], row.region
    assert (st["type"] == "standard").sum() == 206 and st["is_demo"].astype(bool).sum() == 23
    numbers = _read(demo_url, "SELECT number FROM stations")["number"]
    assert {"桂BRS0001B", "桂BRS0206B", "桂BRS0001Z", "桂BRS0206J"} <= set(numbers)


def test_xinzhou_has_67_pilots_with_450000_each(demo_url):
    p = _read(demo_url, "SELECT pilot_type, COUNT(*) AS n FROM pilots GROUP BY pilot_type").set_index("pilot_type")["n"]
    assert p.to_dict() == {"township": 22, "village": 45}
    alloc = _read(demo_url, "SELECT amount_yuan FROM fund_entries WHERE kind = 'allocation'")["amount_yuan"]
    assert len(alloc) > 0 and (alloc == 450_000).all()


def test_spread_exists(demo_url):
    late = missing = 0
    regions = _read(demo_url, "SELECT code, name, level, parent FROM regions WHERE program='huayuan-2019'")
    reps = store_reports.load_reports(get_engine(demo_url), "huayuan-2019")
    for period in reporting.periods_between("2018-12", "2019-11"):
        st = reporting.report_status("huayuan-2019", period, regions, reps)
        late += int(st["late"].sum())
        missing += int(st["missing"].sum())
    assert late > 0 and missing > 0
    # progress improves over the months: county 4G coverage rises
    cov = reps[reps["field"].isin(["natural_villages_4g", "natural_villages"])].pivot_table(
        index="period", columns="field", values="value", aggfunc="sum")
    rate = cov["natural_villages_4g"] / cov["natural_villages"]
    assert rate.iloc[-1] > rate.iloc[0]
    eq = _read(demo_url, "SELECT station, quantity FROM station_equipment")
    assert (eq["quantity"] == 0).any() and (eq["quantity"] > 0).mean() > 0.9
    hours = _read(demo_url, "SELECT hours FROM officer_training WHERE year = 2019")["hours"]
    assert (hours < 48).any() and (hours >= 48).mean() > 0.7  # 五(二)2: 48 学时
    no_officer = _read(demo_url, "SELECT COUNT(*) AS n FROM stations s WHERE NOT EXISTS "
                                 "(SELECT 1 FROM officers o WHERE o.station = s.number)")["n"].iat[0]
    assert no_officer > 0
    # some pilots have not completed by the as-of date although completion was due 2023-11-30
    p = _read(demo_url, "SELECT completion_on, construction_start_on FROM pilots")
    assert p["completion_on"].isna().any() and p["completion_on"].notna().mean() > 0.7
    late_start = pd.to_datetime(p["construction_start_on"]) > pd.Timestamp("2023-06-30")
    assert late_start.any()
    states = set(_read(demo_url, "SELECT state FROM acceptance_cases")["state"])
    assert {"applied", "rectifying", "passed", "accepted"} <= states
    # a failed inspection names what failed: every failed station case has a failing item
    fails = _read(demo_url, "SELECT c.id, SUM(CASE WHEN i.result = 'fail' THEN 1 ELSE 0 END) AS n "
                            "FROM acceptance_cases c JOIN acceptance_items i ON i.case_id = c.id "
                            "WHERE c.result = 'failed' GROUP BY c.id")
    assert len(fails) > 0 and (fails["n"] >= 1).all()
    built = load_program("xinzhou-2023").setting("build_state_counts_as_built")
    ind = _read(demo_url, "SELECT state FROM pilot_indicators")["state"]
    assert {built, "not_built"} <= set(ind)


def test_tanjiachang_four_villages_done_in_2023(frames):
    prog = load_program("tanjiachang-2023")
    tp = frames["task_progress"]
    assert tp["task_no"].nunique() == 20 and tp["region"].nunique() == 11
    dec = tp[tp["period"] == "2023-12"]
    done = dec.groupby("region")["state"].apply(lambda s: (s == "done").all())
    assert done.sum() == prog.setting("villages_done_2023") == 4  # 二：2023年完成4个行政村


def test_yinchuan_spending_against_the_2_million_budget(demo_url):
    from ruralcore.app import funding

    prog = load_program("yinchuan-2017")
    sp = _read(demo_url, "SELECT use, amount_yuan FROM fund_entries WHERE program = 'yinchuan-2017'")
    assert len(sp) == 36  # 3 uses × 12 months
    out = funding.spending_vs_budget(prog, sp)
    assert out["budget_yuan"].sum() == 2_000_000  # 七(二) 200万元/年
    assert out["over_budget"].sum() == 1


def test_app_meta_marks_demo_and_as_of(demo_url):
    meta = _read(demo_url, "SELECT key, value FROM app_meta").set_index("key")["value"]
    assert meta["demo"] == "1"
    assert meta["as_of:huayuan-2019"] == "2019-12-25"  # 2019-11 due 2019-12-05, + 20 days
    assert meta["periods:rongshui-2019"] == "2019-01..2019-12"
    assert is_demo(get_engine(demo_url))


def test_refuses_a_database_with_real_data(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'real.db'}"
    eng = get_engine(url)
    with eng.begin() as conn:
        conn.execute(sa.text("INSERT INTO regions (code, name, level, parent, program, kind, code_source, ref, version) "
                             "VALUES ('X1', '真实村', 'village', '', 'huayuan-2019', '', '', '', 1)"))
    with pytest.raises(RuralcoreError, match="拒绝覆盖"):
        build_demo(eng, "county")
    assert main(["demo", "--scale", "county", "--db", url]) == 2
    assert "拒绝覆盖" in capsys.readouterr().err
    with eng.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM regions")).scalar() == 1


def test_rebuilds_an_existing_demo_database(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'again.db'}"
    assert main(["demo", "--scale", "county", "--db", url]) == 0
    first = _read(url, "SELECT COUNT(*) AS n FROM reports")["n"].iat[0]
    assert main(["demo", "--scale", "county", "--db", url]) == 0
    assert _read(url, "SELECT COUNT(*) AS n FROM reports")["n"].iat[0] == first
    assert "演示数据库已生成" in capsys.readouterr().out


def test_reporting_command_json_on_the_demo_database(demo_url, capsys):
    assert main(["reporting", "huayuan-2019", "--period", "2019-06", "--json", "--db", demo_url]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"program", "period", "due_date", "rows", "total"} <= set(out)
    assert out["due_date"] == "2019-07-05"
    keys = {"level", "region", "name", "expected", "received", "on_time", "late", "missing",
            "reporting_rate", "on_time_rate"}
    assert all(keys <= set(r) for r in out["rows"])
    county = [r for r in out["rows"] if r["level"] == "county"]
    assert len(county) == 1 and county[0]["name"] == "花垣县"
    t = out["total"]
    assert t["expected"] == 48 == t["received"] + t["missing"] and t["received"] == t["on_time"] + t["late"]
    assert t["reporting_rate"] == round(t["received"] / t["expected"] * 100, 1)
    townships = [r for r in out["rows"] if r["level"] == "township"]
    assert len(townships) == 12 and sum(r["expected"] for r in townships) == 48


def test_trend_from_the_store(demo_url):
    eng = get_engine(demo_url)
    periods = reporting.stored_periods(eng, "huayuan-2019")
    assert periods[0] == "2018-12" and periods[-1] == "2019-11" and len(periods) == 12
    tr = reporting.trend_from_store(eng, "huayuan-2019", periods)
    assert list(tr["period"]) == periods and (tr["expected"] == 48).all()
    assert (tr["received"] + tr["missing"] == tr["expected"]).all()
    by_town = reporting.trend_from_store(eng, "huayuan-2019", periods[:2], level="township")
    assert len(by_town) == 24


def test_reporting_command_table(demo_url, capsys):
    assert main(["reporting", "rongshui-2019", "--period", "2019-06", "--db", demo_url]) == 0
    out = capsys.readouterr().out
    assert "报送率" in out and "融水镇" in out and "截止 2019-07-05" in out


@pytest.mark.parametrize("args, words", [
    (["reporting", "huayuan-2019", "--period", "2019-13"], "YYYY-MM"),
    (["reporting", "huayuan-2019", "--period", "June"], "YYYY-MM"),
    (["reporting", "no-such-programme", "--period", "2019-06"], "未知的方案"),
    (["demo", "--scale", "planet"], "规模"),
])
def test_bad_input_exits_2_in_chinese(args, words, capsys, demo_url):
    assert main(args + ["--db", demo_url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and words in err and "Traceback" not in err


def test_demo_on_postgresql(tmp_path):
    with fresh_database("postgresql", tmp_path, "demo") as pg:
        counts = build_demo(get_engine(pg), "county")
        assert counts["pilots"] == 67 and counts["stations"] == 618
        sqlite = generate("county")["reports"]
        got = store_reports.load_reports(get_engine(pg), "huayuan-2019")
        assert len(got) == int((sqlite["program"] == "huayuan-2019").sum())
        out = reporting.reporting_from_store(get_engine(pg), "huayuan-2019", "2019-06")
        assert out["total"]["expected"] == 48
        with get_engine(pg).begin() as conn:  # sequences follow the explicit ids
            new_id = conn.execute(sa.text("INSERT INTO officers (station, name, registered, version) "
                                          "VALUES ('桂BRS0001B', '演示·新增', false, 1) RETURNING id")).scalar()
        assert new_id == counts["officers"] + 1
        from ruralcore.store import audit
        log = audit.load_audit(get_engine(pg), user="演示数据生成").set_index("table")["new"].astype(int)
        assert log["reports"] == counts["reports"] and log["pilots"] == 67  # the bulk load is in the log
        assert np.isfinite(out["total"]["reporting_rate"])


def test_city_scale_has_about_5000_villages_under_the_real_city():
    regions = generate("city")["regions"]
    villages = regions[regions["level"] == "village"]
    assert 4_500 <= len(villages) <= 5_500
    extra = regions[regions["code_source"] == "demo"]
    assert extra["name"].str.contains("演示").all()
    counties = regions[(regions["level"] == "county") & (regions["code_source"] == "demo")]
    assert set(counties["parent"]) == {"433100"}  # 湘西州, 花垣's city
    assert regions["code"].is_unique


# --- consistency: every target has data, counts agree with the stored states ----------------
PROGRAMS = ["huayuan-2019", "rongshui-2019", "tanjiachang-2023", "xinzhou-2023", "yinchuan-2017"]
# Targets the county demo leaves without data on purpose (target code → reason). None at
# present: 融水's county centre and 银川's hospitals/clinics are reported by their county.
NO_DATA_ON_PURPOSE: dict[str, str] = {}


def _newest_month(url, pid):
    reps = store_reports.load_reports(get_engine(url), pid)
    last = reps["period"].max()
    month = reps[reps["period"] == last]
    return last, month, month.pivot_table(index="region", columns="field", values="value", aggfunc="first")


@pytest.mark.parametrize("pid", PROGRAMS)
def test_every_reported_target_has_data_in_the_newest_month(demo_url, pid):
    from ruralcore.rules import indicators, targets
    from ruralcore.app import overview

    prog = load_program(pid)
    _, _, fields = _newest_month(demo_url, pid)
    reported = {f.code for f in prog.fields}
    measured = {t.code for t in prog.targets
                if t.indicator and set(indicators.needed_fields(prog, [t.indicator])) <= reported}
    assert measured
    store_tree = overview.region_frame(get_engine(demo_url), pid)
    for tree in (None, store_tree):  # the region files, and the store's tree (what pages pass)
        ev = targets.evaluate(prog, fields, region_frame=tree)
        assert set(ev["target"]) == measured  # every target whose fields are reported is evaluated
        gaps = ev[(ev["status"] == "no_data") & ~ev["target"].isin(list(NO_DATA_ON_PURPOSE))]
        assert gaps.empty, gaps[["region", "target"]].to_string()


def test_fields_above_the_report_level_come_from_their_county(demo_url):
    from ruralcore.rules import targets

    # 融水 四(一): one county operation centre, reported by 融水苗族自治县 itself
    _, month, _ = _newest_month(demo_url, "rongshui-2019")
    centre = month[month["field"] == "county_centre_built"]
    assert list(centre["region"]) == ["450225"]
    reps = store_reports.load_reports(get_engine(demo_url), "rongshui-2019")
    flag = reps[reps["field"] == "county_centre_built"].set_index("period")["value"]
    assert flag.get("2019-01") == 0 and flag.get("2019-06") == 1  # 六(二)1: built by late June
    assert flag.is_monotonic_increasing
    # 银川 五: 10 township hospitals and 56 village clinics on the platform, per district (6)
    prog = load_program("yinchuan-2017")
    _, month, fields = _newest_month(demo_url, "yinchuan-2017")
    hosp = month[month["field"] == "township_hospitals_connected"]
    assert set(hosp["region"]) == {"640104", "640105", "640106", "640121", "640122", "640181"}
    ev = targets.evaluate(prog, fields).set_index("target")
    assert ev.loc["hospitals_10", "threshold"] == 10 and ev.loc["clinics_56", "threshold"] == 56
    assert ev.loc["hospitals_10", "value"] == hosp["value"].sum()
    # a district's own row is no village: village targets count the 银川 villages only
    villages = set(fields.index) - set(hosp["region"])
    per_village = targets.evaluate(prog, fields)
    assert set(per_village.loc[per_village["target"] == "leader_each", "region"]) == villages


def test_xinzhou_indicators_built_follows_the_stored_states(demo_url):
    built_state = load_program("xinzhou-2023").setting("build_state_counts_as_built")  # in_use
    items = _read(demo_url, "SELECT pilot, state FROM pilot_indicators")
    stored = (items["state"] == built_state).groupby(items["pilot"]).sum()
    planned = items.groupby("pilot").size()
    reps = store_reports.load_reports(get_engine(demo_url), "xinzhou-2023")
    w = reps[reps["field"].isin(["indicators_built", "indicators_planned"])].pivot_table(
        index=["region", "period"], columns="field", values="value", aggfunc="first")
    last = w.xs("2023-12", level="period")
    assert len(last) > 55  # most of the 67 pilots reported in the last month
    assert (last["indicators_built"] == stored.reindex(last.index)).all()
    assert (last["indicators_planned"] == planned.reindex(last.index)).all()
    assert stored.mean() > 10  # about 14 of 17–18 indicators built per pilot
    # month by month the count only rises (a built indicator stays built)
    steps = w["indicators_built"].groupby(level="region").diff().dropna()
    assert (steps >= 0).all() and w["indicators_built"].xs("2023-01", level="period").mean() < 2


def test_yinchuan_counts_are_village_sized(demo_url):
    reps = store_reports.load_reports(get_engine(demo_url), "yinchuan-2017")
    villages = set(_read(demo_url, "SELECT code FROM regions WHERE level='village' AND program='yinchuan-2017'")["code"])
    v = reps[reps["region"].isin(villages)].pivot_table(index=["region", "period"], columns="field",
                                                         values="value", aggfunc="first")
    assert len(v) > 150
    assert (v["villages"] == 1).all()
    assert v["ecommerce_trained"].between(0, 8).all()
    assert v["ecommerce_practitioners"].between(0, 15).all()
    assert v["senior_ecommerce_talents"].between(0, 2).all()
    last = v.xs("2018-12", level="period")
    # 四(三): ≥ 5 trained, ≥ 10 practitioners, ≥ 1 senior talent per village — most meet, laggards do not
    for field, need in (("ecommerce_trained", 5), ("ecommerce_practitioners", 10), ("senior_ecommerce_talents", 1)):
        low = (last[field] < need).mean()
        assert 0 < low < 0.5, field
    # 四(二): stations in concentrated resettlement sites — a site is one all year, a station only where a site is
    assert (v["concentrated"].groupby(level="region").nunique() == 1).all()
    assert (v["concentrated_with_station"] <= v["concentrated"]).all()
    money = v[["freight_subsidy_yuan", "ecommerce_award_yuan"]]
    assert (money % 1000 == 0).all().all() and money.max().max() < 100_000


def test_audit_log_records_the_bulk_load(demo_url):
    from ruralcore.store import audit

    log = audit.load_audit(get_engine(demo_url), user="演示数据生成")
    assert (log["action"] == "bulk").all() and (log["field"] == "rows").all()
    assert log["key"].eq("demo/county").all() and log["at"].notna().all()
    by_table = log.set_index("table")["new"].astype(int)
    assert {"regions", "reports", "pilots", "stations", "households"} <= set(by_table.index)
    assert by_table.index.is_unique  # one entry per table
    for table in ("regions", "reports", "pilots", "households"):
        assert by_table[table] == _read(demo_url, f"SELECT COUNT(*) AS n FROM {table}")["n"].iat[0], table


def test_a_county_row_is_no_reporting_unit_on_the_overview(demo_url):
    from ruralcore.app import overview as ov

    eng = get_engine(demo_url)
    prog = load_program("rongshui-2019")
    fields, regions = ov.load_month(eng, prog.id, "2019-12"), ov.region_frame(eng, prog.id)
    assert "450225" in fields.index  # the county reports its operation centre …
    table = ov.compare_table(prog, fields, regions)
    assert len(table) == 20 and "450225" not in table.index  # … but the 20 townships are compared
    tiles = ov.target_tiles(prog, fields, None, regions).set_index("target")
    assert tiles.loc["county_centre_one", "value"] == 100  # 四(一): the county centre, built
    assert tiles.loc["liuyou_all", "regions"] == 20


def test_the_demo_county_has_acceptance_cases_and_household_archives(demo_url):
    """The first demo login (admin: 花垣县) shows 验收案件, 验收检查 and 一户一档 filled in:
    花垣 villages in every state the path reaches, each inspected one passing or failing
    by its own scores (80 分 pass line), written through the audited case functions."""
    from ruralcore.app import checklists, whatif

    c = _read(demo_url, "SELECT id, subject, state, result FROM acceptance_cases WHERE program = 'huayuan-2019'")
    assert set(c["state"]) == {"built", "applied", "accepted", "rectifying", "reinspecting"}  # no step after the county
    assert c["subject"].str.startswith("433124").all()
    eng = get_engine(demo_url)
    values = whatif.village_values(eng, load_program("huayuan-2019"), "2019-11")
    for row in c[c["result"] != ""].itertuples():
        sheet = checklists.village_checklist(load_program("huayuan-2019"), values.loc[row.subject].rename(row.subject))
        assert checklists.passed(sheet) == (row.result == "passed"), row.subject
    logged = _read(demo_url, "SELECT COUNT(*) AS n FROM audit_log WHERE table_name = 'acceptance_cases' "
                             "AND action = 'insert'")["n"].iat[0]
    assert logged == len(c)
    hh = _read(demo_url, "SELECT COUNT(*) AS n FROM households WHERE village LIKE '433124%'")["n"].iat[0]
    assert hh >= 3 * 40  # three archives in each of 花垣's demo villages
