"""Drill-down county → township → village on the demo database: the selection, the
link that reopens it, and the numbers beside their targets and clauses."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from ruralcore.rules import indicators, scoring
from ruralcore.rules.programs import ASSUMED_LABEL, load_program
from ruralcore.store import regions as store_regions
from ruralcore.store import reports as store_reports
from tests.support import click_tables

PAGE = "county/drilldown.py"


def _clean(at) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _table(at, column: str) -> pd.DataFrame:
    """The first table with ``column``: a grid, or a row-click table (read as shown)."""
    frames = [df.value for df in at.dataframe] + [t["frame"] for t in click_tables(at).values()]
    return next(f for f in frames if column in f.columns)


def _scored(engine, period):
    prog = load_program("huayuan-2019")
    wide = store_reports.load_reports(engine, prog.id, period).pivot(index="region", columns="field", values="value")
    return prog, wide, scoring.score(prog, indicators.compute(prog, wide))


def test_county_to_township_to_village(app_test, demo_engine):
    at = app_test("huayuan-2019", page=PAGE)
    _clean(at)
    regions = store_regions.load_regions(demo_engine, "huayuan-2019")
    townships = regions[regions["level"] == "township"]
    county = _table(at, "乡镇")
    assert sorted(county["乡镇"]) == sorted(townships["name"])  # 12 townships of 花垣县

    town = townships.index[0]
    at.selectbox(key="dd_town").set_value(town).run()
    _clean(at)
    villages = regions[(regions["parent"] == town) & (regions["level"] == "village")]
    table = _table(at, "村")
    assert sorted(table["村"]) == sorted(villages["name"])
    assert at.query_params["town"] == [town] or at.query_params["town"] == town

    period = at.sidebar.selectbox(key="period").value
    prog, wide, scored = _scored(demo_engine, period)
    mine = scored.set_index("region").loc[villages.index]
    dec = scoring.shown_decimals(scored["score"], scored["award"])  # two awards never read alike
    assert table.set_index("村")["得分"].sort_index().tolist() == \
        scoring.truncate(mine.set_index(villages.loc[mine.index, "name"])["score"].sort_index(), dec).tolist()

    village = villages.index[0]
    at.selectbox(key="dd_unit").set_value(village).run()
    _clean(at)
    row = scored.set_index("region").loc[village]
    shown = {m.label: m.value for m in at.metric}
    assert shown["得分"] == f"{scoring.truncate([row['score']], dec)[0]:.{dec}f} 分"
    tie = "（并列）" if (scored["rank"] == row["rank"]).sum() > 1 else ""
    assert shown["名次"] == f"第 {int(row['rank'])} 名{tie} / {len(scored)}"
    assert shown["等次"] == row["award_label"]

    detail = _table(at, "本月值").set_index("指标")
    # 一(二): 4G上网普及率 = 4G上网用户数 / 农村常住人口, target ≥ 70 %, applied to the county
    rate = wide.at[village, "internet_4g_users"] / wide.at[village, "residents"] * 100
    assert detail.at["4G上网普及率", "本月值"] == f"{rate:.1f}%"
    assert detail.at["4G上网普及率", "目标"] == "≥ 70.0%"
    assert detail.at["4G上网普及率", "条款"] == "一(二)"
    assert detail.at["4G网络覆盖率", "目标"] == "≥ 100.0%"  # 一(一) every village
    # 移动乡情网 has no quantified standard in the document: the rubric's default is marked
    assert detail.at["移动乡情网组建应用", "说明"] == ASSUMED_LABEL
    aspects = _table(at, "满分")
    assert aspects["满分"].sum() == 100
    assert (aspects["说明"] == ASSUMED_LABEL).all()  # 附件1 计分办法 not published
    assert abs(aspects["得分"].sum() - row["score"]) < 0.05
    assert at.query_params["unit"] in ([village], village)

    at.button(key="dd_up").click().run()  # back to the township's villages
    _clean(at)
    assert at.selectbox(key="dd_unit").value == "" and at.selectbox(key="dd_town").value == town
    assert sorted(_table(at, "村")["村"]) == sorted(villages["name"])
    at.button(key="dd_up").click().run()  # back to the county
    assert at.selectbox(key="dd_town").value == ""
    assert len(_table(at, "乡镇")) == len(townships)


def test_link_reopens_the_village(app_test, demo_engine):
    regions = store_regions.load_regions(demo_engine, "huayuan-2019")
    village = regions[regions["level"] == "village"].iloc[5]
    at = app_test("huayuan-2019", page=PAGE, query={"town": village["parent"], "unit": village["code"]})
    _clean(at)
    assert at.selectbox(key="dd_town").value == village["parent"]
    assert at.selectbox(key="dd_unit").value == village["code"]
    assert any(village["name"] in s.value for s in at.subheader)


def test_link_names_programme_and_month(app_test, demo_engine):
    regions = store_regions.load_regions(demo_engine, "rongshui-2019")
    town = regions[regions["name"] == "和睦镇"].index[0]
    at = app_test(None, page=PAGE, query={"program": "rongshui-2019", "period": "2019-06", "unit": town})
    _clean(at)
    assert at.session_state["program"] == "rongshui-2019"
    assert at.sidebar.selectbox(key="period").value == "2019-06"
    assert any("和睦镇（2019年6月）" in s.value for s in at.subheader)


def test_village_history_over_the_months(app_test, demo_engine):
    regions = store_regions.load_regions(demo_engine, "huayuan-2019")
    village = regions[regions["level"] == "village"].iloc[0]
    at = app_test("huayuan-2019", page=PAGE, query={"town": village["parent"], "unit": village["code"]})
    _clean(at)
    hist = _table(at, "家庭宽带接入率（%）")
    long = store_reports.load_reports(demo_engine, "huayuan-2019")
    mine = long[long["region"] == village["code"]].pivot(index="period", columns="field", values="value")
    expected = (mine["broadband_households"] / mine["households"] * 100).round(1)
    assert len(hist) == len(expected)
    assert hist["家庭宽带接入率（%）"].tolist() == expected.tolist()


def test_rongshui_township_with_its_stations(app_test, demo_engine):
    regions = store_regions.load_regions(demo_engine, "rongshui-2019")
    town = regions[regions["name"] == "融水镇"].index[0]
    at = app_test("rongshui-2019", page=PAGE)
    _clean(at)
    assert len(_table(at, "乡镇")) == 20  # 附件1: 20 townships
    at.selectbox(key="dd_unit").set_value(town).run()
    _clean(at)
    with demo_engine.connect() as conn:
        n = pd.read_sql(f"SELECT COUNT(*) AS n FROM stations WHERE township = '{town}'", conn)["n"].iat[0]
    stations = _table(at, "编号")
    assert len(stations) == n
    assert stations["编号"].str.match(r"^桂BRS\d{4}[BZJ]$").all()  # 附件2 numbering


def test_xinzhou_pilots_by_county(app_test):
    at = app_test("xinzhou-2023", page=PAGE)
    _clean(at)
    town = at.selectbox(key="dd_town")
    assert len(town.options) > 1
    town.set_value(town.options[1]).run()
    _clean(at)
    unit = at.selectbox(key="dd_unit")
    unit.set_value(unit.options[1]).run()
    _clean(at)
    assert "本月值" in _table(at, "本月值").columns


def _empty_app(tmp_path, monkeypatch, login: tuple | None):
    """The app on a fresh database (no reports yet), signed in as ``login`` (or not)."""
    from streamlit.testing.v1 import AppTest

    from ruralcore.store import db
    from tests.login_support import sign_in

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    eng = db.get_engine(url)
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "dashboards" / "app.py"), default_timeout=60)
    if login:
        sign_in(at, eng, *login)
    at.session_state["program"] = "huayuan-2019"
    return at


def test_empty_database_says_so(tmp_path, monkeypatch):
    """A fresh database (no reports yet): the overview and the drill-down explain it
    instead of failing (the auditor reads every programme)."""
    at = _empty_app(tmp_path, monkeypatch, ("auditor", ""))
    at.switch_page("county/overview.py")
    at.run()
    _clean(at)
    assert any("还没有月报数据" in i.value for i in at.info)
    at.switch_page(PAGE)
    at.run()
    _clean(at)
    assert any("还没有月报数据" in i.value for i in at.info)


def test_signed_out_gets_the_login_hint(demo_env):
    """Signed out, the app does not list the page; opened directly it shows the login hint
    and nothing of the county."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "dashboards" / PAGE), default_timeout=60)
    at.session_state["program"] = "huayuan-2019"
    at.run()
    _clean(at)
    assert any("请先在“登录”页面登录" in w.value for w in at.warning)
    assert not at.dataframe and not at.selectbox and not at.metric


def test_units_exclude_a_higher_regions_own_row():
    """融水's county reports its operation centre on its own row: not a 20th+1 township."""
    from ruralcore.app import overview as ov

    prog = load_program("rongshui-2019")
    towns = pd.DataFrame({"administrative_villages": [10.0, 8.0], "villages_with_standard": [10.0, 6.0]},
                         index=["450225T01", "450225T02"])
    county = pd.DataFrame({"county_centre_built": [1.0]}, index=["450225"])
    fields = pd.concat([towns, county])
    assert list(ov.unit_rows(prog, fields).index) == ["450225T01", "450225T02"]
    # 三: standard-station coverage of administrative villages, summed over townships: 16/18
    total = ov.total_values(prog, fields)
    assert abs(total["standard_coverage"] - 16 / 18 * 100) < 1e-9
    assert total["county_centre"] == 100  # the county's own row still counts in the total


def _display(df) -> pd.DataFrame:
    """The text a styled st.dataframe shows (a Styler's display values)."""
    from streamlit import dataframe_util
    return dataframe_util.convert_arrow_bytes_to_pandas_df(df.proto.arrow_data.styler.display_values)


def test_township_table_prints_one_decimal_and_monthly_header_is_chinese(app_test, demo_engine):
    at = app_test("huayuan-2019", page=PAGE)
    regions = store_regions.load_regions(demo_engine, "huayuan-2019")
    town = regions[regions["level"] == "township"].index[0]
    at.selectbox(key="dd_town").set_value(town).run()
    _clean(at)
    shown = click_tables(at)["dd_units"]["text"]
    pct = [c for c in shown.columns if "（%）" in c]
    assert pct
    for c in pct:  # "99.9", never "99.900000"
        assert shown[c].str.fullmatch(r"\d+\.\d|—").all(), shown[c].tolist()
    assert shown["名次"].str.fullmatch(r"\d+(（并列）)?").all()
    assert shown["得分"].str.fullmatch(r"\d+\.\d+").all()

    village = regions[(regions["parent"] == town) & (regions["level"] == "village")].index[0]
    at.selectbox(key="dd_unit").set_value(village).run()
    _clean(at)
    monthly = _table(at, "月份")  # the 逐月数值 table
    assert monthly.columns[0] == "月份" and "period" not in list(monthly.columns)
    assert monthly["月份"].str.contains("年").all()


def test_tables_on_a_projector_are_large_html_tables(app_test, demo_engine):
    regions = store_regions.load_regions(demo_engine, "huayuan-2019")
    town = regions[regions["level"] == "township"].index[0]
    village = regions[(regions["parent"] == town) & (regions["level"] == "village")].index[0]
    at = app_test("huayuan-2019", page=PAGE, query={"town": town, "unit": village})
    at.session_state["projector"] = True  # the sidebar's 投影模式 switch
    at.run()
    _clean(at)
    assert not at.dataframe  # canvas grids never wrap their headings: wide ones would scroll sideways
    tables = [h.proto.body for h in at.get("html") if "rc-box" in h.proto.body]
    assert any(">本月值<" in t for t in tables) and any(">月份<" in t for t in tables)


def test_rows_are_clicked_into_and_values_coloured_by_the_tiles_rule(app_test, demo_engine):
    """The county and township tables are row-click tables (each row's key is its
    township or village) that fit the page; each value is coloured by
    ruralcore.app.overview.value_status (the tiles' rule), a township's per-village target by
    its worst village. (The clicks themselves: tests/browser/test_drilldown_clicks.py.)"""
    from ruralcore.app import overview as ov

    at = app_test("huayuan-2019", page=PAGE)
    _clean(at)
    county = click_tables(at)["dd_groups"]
    regions = store_regions.load_regions(demo_engine, "huayuan-2019")
    towns = regions[regions["level"] == "township"]
    assert county["keys"] == list(towns.sort_index().index) or sorted(county["keys"]) == sorted(towns.index)
    assert list(county["frame"]["乡镇"]) == list(towns.loc[county["keys"], "name"])
    period = at.sidebar.selectbox(key="period").value
    prog = load_program("huayuan-2019")
    month = ov.load_month(demo_engine, prog.id, period)
    status = ov.value_status(prog, month, ov.region_frame(demo_engine, prog.id), "township")
    red = status.index[status["coverage_4g"] == "red"][0]  # a township with a village short of 100 %
    assert "#f8c9c9" in county["html"] and "#d7f0dc" in county["html"]
    row = county["keys"].index(red)
    css = re.search(rf"#(T_\w+)_row{row}_col1[ ,{{]", county["html"])
    assert css, "the cell of 4G网络覆盖率 for that township is styled"
    rule = county["html"][county["html"].index(f"_row{row}_col1"):]
    assert rule[:rule.index("}")].count("#f8c9c9") == 1  # …red

    at.selectbox(key="dd_town").set_value(red).run()
    villages = click_tables(at)["dd_units"]
    assert set(villages["keys"]) == set(regions[regions["parent"] == red].index)
    assert list(villages["frame"]["名次"]) == sorted(villages["frame"]["名次"])  # best first


def test_find_a_village_or_township_by_name(app_test, demo_engine):
    regions = store_regions.load_regions(demo_engine, "huayuan-2019")
    village = regions[regions["level"] == "village"].iloc[7]
    at = app_test("huayuan-2019", page=PAGE)
    box = at.selectbox(key="dd_find")
    assert f"{village['name']}（{regions.at[village['parent'], 'name']}）" in [box.format_func(o) for o in box.options]
    box.set_value(village["code"]).run()
    _clean(at)
    assert at.selectbox(key="dd_town").value == village["parent"]
    assert at.selectbox(key="dd_unit").value == village["code"]
    assert at.selectbox(key="dd_find").value is None  # empty again, ready for the next name
    at.selectbox(key="dd_find").set_value(village["parent"]).run()
    assert at.selectbox(key="dd_town").value == village["parent"] and at.selectbox(key="dd_unit").value == ""


def test_excel_export_of_the_table_as_shown(app_test):
    at = app_test("huayuan-2019", page=PAGE)
    [button] = [b for b in at.get("download_button") if b.proto.label == "导出Excel"]
    assert button.proto.label == "导出Excel"


# ---- above the county: 银川 (city → 6 districts → villages in the demo) walks one level at a time

def _districts(engine):
    regions = store_regions.load_regions(engine, "yinchuan-2017")
    return regions, regions[regions["level"] == "county"]


def test_city_sees_its_districts_first_then_one_districts_villages(app_test, demo_engine):
    """A city-wide account opens the districts (县区), not every village of the city; a
    district chosen shows its own villages only (the demo has no townships between), read
    from its own rows, with the same values as over the whole month; ↑ goes back."""
    from ruralcore.app import overview as ov
    from ruralcore.rules.programs import load_program

    regions, districts = _districts(demo_engine)
    at = app_test("yinchuan-2017", page=PAGE)
    _clean(at)
    shown = click_tables(at)["dd_areas"]
    assert sorted(shown["frame"]["县（区）"]) == sorted(districts["name"])  # the 6 districts
    assert "dd_unit" not in [s.key for s in at.selectbox]

    district = districts.index[1]
    at.selectbox(key="dd_area_county").set_value(district).run()
    _clean(at)
    assert at.query_params["area"] in ([district], district)
    villages = regions[(regions["parent"] == district) & (regions["level"] == "village")]
    table = _table(at, "村")
    assert sorted(table["村"]) == sorted(villages["name"])
    assert any(f"{districts.at[district, 'name']}：各村" in s.value for s in at.subheader)

    # the values read below the district are those of the whole month
    period = at.sidebar.selectbox(key="period").value
    prog = load_program("yinchuan-2017")
    info = ov.indicator_info(prog)
    whole = ov.village_values(prog, ov.load_month(demo_engine, prog.id, period)).loc[villages.index]
    checked = 0
    for code in whole.columns:
        col = f"{info.at[code, 'name']}（{info.at[code, 'unit']}）"
        if col in table.columns:
            got = pd.to_numeric(table.set_index("村")[col].reindex(villages["name"]), errors="coerce").tolist()
            want = whole[code].astype("float64").round(1).tolist()
            assert got == pytest.approx(want, nan_ok=True), code
            checked += 1
    assert checked >= 3

    at.button(key="dd_up").click().run()
    _clean(at)
    assert at.selectbox(key="dd_area_county").value == ""
    assert "dd_areas" in click_tables(at)


def test_a_link_to_a_district_and_village_reopens_them(app_test, demo_engine):
    regions, districts = _districts(demo_engine)
    district = districts.index[2]
    village = regions[(regions["parent"] == district) & (regions["level"] == "village")].index[0]
    at = app_test("yinchuan-2017", page=PAGE, query={"area": district, "unit": village})
    _clean(at)
    assert at.selectbox(key="dd_area_county").value == district
    assert at.selectbox(key="dd_unit").value == village
    assert any(regions.at[village, "name"] in s.value for s in at.subheader)


def test_a_district_officer_is_not_asked_for_its_district(app_test, demo_engine):
    """An account of one district: its district is the only one, passed through."""
    regions, districts = _districts(demo_engine)
    district = districts.index[0]
    at = app_test("yinchuan-2017", page=PAGE, login=("county_admin", district))
    _clean(at)
    assert "dd_area_county" not in [s.key for s in at.selectbox]
    villages = regions[(regions["parent"] == district) & (regions["level"] == "village")]
    assert sorted(_table(at, "村")["村"]) == sorted(villages["name"])
