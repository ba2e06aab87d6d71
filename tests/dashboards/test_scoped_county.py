"""Read scoping on the county pages (issue 7): each role sees only its regions. What a
page shows is compared with ruralcore computed on the month filtered to the regions the
account reads (ruralcore.auth.scope.visible_regions), never with hard-coded numbers."""
from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd

from ruralcore.rules import indicators, scoring
from ruralcore.app import overview as ov
from ruralcore.rules.programs import load_program
from ruralcore.auth.scope import Actor, visible_regions
from ruralcore.store import regions as store_regions
from ruralcore.store import reports as store_reports
from tests.support import shown_tables

HY = "huayuan-2019"
TOWN = "433124T01"  # 花垣镇
DRILL = "county/drilldown.py"


def _clean(at) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _readable(engine, role: str, region: str) -> set[str]:
    with engine.connect() as conn:
        return set(visible_regions(Actor("_", role, region), conn))


def _wide(engine, period: str) -> pd.DataFrame:
    long = store_reports.load_reports(engine, HY, period)
    return long.pivot(index="region", columns="field", values="value")


def _chart(at, key: str) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if key in c.proto.id).proto.spec)


def _array(v) -> np.ndarray:
    """A plotly JSON array: a list, or (plotly 6) {'dtype': …, 'bdata': base64}."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
    return np.asarray(v)


def _county_ranking(engine, period: str) -> pd.DataFrame:
    prog = load_program(HY)
    return scoring.score(prog, indicators.compute(prog, _wide(engine, period))).set_index("region")


def test_township_officer_overview_shows_only_its_township(app_test, demo_engine):
    at = app_test(HY, login=("township_officer", TOWN))
    _clean(at)
    prog = load_program(HY)
    period = at.sidebar.selectbox(key="period").value
    before = [p for p in ov.periods(demo_engine, HY) if p < period][-1]
    seen = _readable(demo_engine, "township_officer", TOWN)
    wide = _wide(demo_engine, period)
    mine, mine_before = wide[wide.index.isin(seen)], _wide(demo_engine, before).loc[lambda f: f.index.isin(seen)]
    assert 1 < len(mine) < len(wide)
    regions = store_regions.load_regions(demo_engine, HY)
    names = regions.loc[mine.index, "name"]

    # tiles: the targets over the township's villages (summed numerators / denominators)
    tiles = ov.target_tiles(prog, mine, mine_before, regions)
    shown = {m.label: m.value for m in at.metric}
    pct = tiles[tiles["unit"] == "%"]
    assert len(pct) >= 2
    for r in pct.itertuples():
        assert shown[r.name] == f"{r.value:.1f}%", r.name
    county = ov.total_values(prog, wide)["home_broadband"]
    assert abs(county - ov.total_values(prog, mine)["home_broadband"]) > 0.05  # the filter matters here
    assert any("本账户只看本辖区（花垣镇）" in c.value for c in at.caption)

    # comparison among its villages, not one township with itself
    heads = [s.value for s in at.subheader]
    assert "各村对比" in heads and "各乡镇对比" not in heads
    assert set(_array(_chart(at, "fig_compare")["data"][0]["x"])) == set(names)

    # ranking: only its villages, with the county-wide rank numbers
    table = next(df.value for df in at.dataframe if "等次" in df.value.columns)
    ranked = _county_ranking(demo_engine, period).loc[mine.index]
    assert sorted(table["村"]) == sorted(names)
    by_name = ranked.set_index(names.loc[ranked.index].to_numpy())["rank"]
    assert table.set_index("村")["名次"].map(_rank).to_dict() == by_name.loc[table["村"]].to_dict()
    assert shown["参评村"] == f"{len(mine)} 个"
    assert any("名次为全县排名，仅显示本账户辖区的村" in c.value for c in at.caption)

    # heatmap rows: its villages only
    assert set(_array(_chart(at, "fig_heatmap")["data"][0]["y"])) <= set(names)

    # trend over its villages: each month's value is the roll-up of its villages' reports
    trace = _chart(at, "fig_trend")["data"][0]
    info = ov.indicator_info(prog)
    code = info.index[info["name"] == trace["name"]][0]
    want = ov.total_values(prog, mine)[code]
    assert abs(float(_array(trace["y"])[-1]) - want) < 1e-6
    assert abs(ov.total_values(prog, wide)[code] - want) > 1e-6


def test_township_officer_drilldown_starts_at_its_township(app_test, demo_engine):
    # a link to another township falls back to the account's own
    at = app_test(HY, page=DRILL, login=("township_officer", TOWN), query={"town": "433124T02"})
    _clean(at)
    town = at.selectbox(key="dd_town")
    assert town.value == TOWN and town.options == ["花垣镇"]  # no “（全部）”, no other township
    assert not any(df.columns[0] == "乡镇" for df in shown_tables(at))  # no county view
    assert not [b for b in at.button if b.key == "dd_up"]  # nothing above the account's region
    period = at.sidebar.selectbox(key="period").value
    seen = _readable(demo_engine, "township_officer", TOWN)
    wide = _wide(demo_engine, period)
    mine = wide.index[wide.index.isin(seen)]
    regions = store_regions.load_regions(demo_engine, HY)
    table = next(df for df in shown_tables(at) if "村" in df.columns)
    assert sorted(table["村"]) == sorted(regions.loc[mine, "name"])
    ranked = _county_ranking(demo_engine, period)
    assert table.set_index("村")["名次"].map(_rank).to_dict() == \
        ranked.loc[mine].set_index(regions.loc[mine, "name"].to_numpy())["rank"].to_dict()
    # a village of another township is not offered
    assert len(at.selectbox(key="dd_unit").options) == len(mine) + 1


def test_village_reporter_ranking_lists_only_its_village(app_test, demo_engine):
    regions = store_regions.load_regions(demo_engine, HY)
    village = regions[(regions["parent"] == TOWN) & (regions["level"] == "village")].index[2]
    at = app_test(HY, login=("village_reporter", village))
    _clean(at)
    period = at.sidebar.selectbox(key="period").value
    table = next(df.value for df in at.dataframe if "等次" in df.value.columns)
    ranked = _county_ranking(demo_engine, period)
    assert table["村"].tolist() == [regions.at[village, "name"]]
    assert table["名次"].map(_rank).tolist() == [ranked.at[village, "rank"]]  # the county-wide rank
    assert ranked.at[village, "rank"] <= len(ranked)
    # drill-down: starts at the village itself
    at.switch_page(DRILL)
    at.run()
    _clean(at)
    assert at.selectbox(key="dd_unit").value == village
    shown = {m.label: m.value for m in at.metric}
    tie = "（并列）" if (ranked["rank"] == ranked.at[village, "rank"]).sum() > 1 else ""
    assert shown["名次"] == f"第 {int(ranked.at[village, 'rank'])} 名{tie} / {len(ranked)}"


def test_rongshui_county_admin_is_not_offered_huayuan(app_test):
    at = app_test(None, login=("county_admin", "450225"))
    _clean(at)
    options = at.selectbox(key="program").options
    assert load_program("rongshui-2019").meta.short_title in options
    assert load_program(HY).meta.short_title not in options
    # even when the session asks for 花垣's programme, the page shows 融水's
    at = app_test(HY, login=("county_admin", "450225"))
    _clean(at)
    assert at.session_state["program"] == "rongshui-2019"
    assert not any("花垣" in c.value for c in at.caption)


def _rank(label) -> int:
    """The rank number of a label “3” or “1（并列）”."""
    return int(str(label).split("（")[0])
