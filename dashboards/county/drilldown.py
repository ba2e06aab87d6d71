"""逐级查看: county → township → village. The selection lives in the URL
(?town=…&unit=…), so a copied link reopens the same place. The tree starts at the
account's region: a township officer starts at its township, a village reporter at its
village (the ranks shown stay county-wide)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboards.ui import charts, data, tables
from dashboards.ui.context import current_program, page_setup, period_picker
from dashboards.ui.tiles import OP_TEXT
from ruralcore import overview as ov
from ruralcore import scoring
from ruralcore.fmt import date_zh, period_zh, value_with_unit
from ruralcore.programs import ASSUMED_LABEL

STATUS_ZH = {"green": "达标", "amber": "接近", "red": "未达标", "no_data": "无数据", "no_target": "—"}

actor = page_setup("逐级查看", "drilldown")
program = current_program()
d = data.Data(program.id, actor)  # with an account: only the regions it reads
period = period_picker(d.periods)
if period is None:
    st.stop()
cur = d.month(period)
info = ov.indicator_info(program)
here = ov.report_level(program)
group_level = ov.compare_level(program)
two_levels = group_level != here  # county → township → village (or county → pilot)

# The URL is the source of truth on first load; afterwards the widgets are.
for key, param in (("dd_town", "town"), ("dd_unit", "unit")):
    if key not in st.session_state:
        st.session_state[key] = st.query_params.get(param, "")


def _fmt_values(frame: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Indicator columns renamed to “name（unit）”, rounded for display."""
    out = frame[codes].astype("float64").round(1)
    out.columns = [f"{info.at[c, 'name']}（{info.at[c, 'unit']}）" for c in codes]
    return out


def _clear_unit() -> None:
    st.session_state["dd_unit"] = ""


def _up() -> None:
    """One level up: village → its township, township → the whole area (never above the
    account's own region: those options are not offered)."""
    if st.session_state.get("dd_unit") and not top_unit:
        st.session_state["dd_unit"] = ""
    elif not top_town:
        st.session_state["dd_town"] = ""


groups = ov.compare_table(program, cur, d.regions, group_level)
codes = [c for c in groups.columns if c != "name"]
# an account that reads one group only (a township officer) starts inside it: no “（全部）”
top_town = d.scoped and two_levels and len(groups) == 1
group_codes = (list(groups.index) if top_town else [""] + list(groups.index)) if two_levels else [""]

c1, c2 = st.columns(2)
if two_levels:
    if st.session_state["dd_town"] not in group_codes:
        st.session_state["dd_town"] = group_codes[0]
    town = c1.selectbox(ov.level_name(group_level), group_codes, key="dd_town", on_change=_clear_unit,
                        format_func=lambda c: "（全部）" if c == "" else groups.at[c, "name"])
else:
    town = ""

units = ov.unit_rows(program, cur)  # not the county's own row (融水's operation centre)
if two_levels and town:
    keys = ov.parents_at(program, d.regions, units.index, group_level)
    unit_codes = list(units.index[keys == town])
else:
    unit_codes = list(units.index)
unit_names = dict(zip(unit_codes, ov.names(d.regions, unit_codes)))
# …and an account that reads one unit only (a village reporter) starts at that unit
top_unit = d.scoped and len(units) == 1
unit_options = ([] if top_unit else [""]) + sorted(unit_codes, key=lambda c: unit_names[c])
if st.session_state["dd_unit"] not in unit_options:
    st.session_state["dd_unit"] = unit_options[0] if unit_options else ""
unit = c2.selectbox(ov.level_name(here), unit_options, key="dd_unit",
                    format_func=lambda c: "（请选择）" if c == "" else unit_names.get(c, c))

st.query_params["town"] = town
st.query_params["unit"] = unit
st.query_params["program"] = program.id
st.query_params["period"] = period

ranked = data.ranking(d.url, d.token, program.id, period) if program.rubric is not None else None
# enough decimals that villages with different awards never show the same score
score_decimals = scoring.shown_decimals(ranked["score"], ranked["award"]) if ranked is not None else 1


def county_view() -> None:
    st.subheader(f"全域：各{ov.level_name(group_level)}（{period_zh(period)}）")
    table = pd.concat([groups[["name"]].rename(columns={"name": ov.level_name(group_level)}),
                       _fmt_values(groups, codes)], axis=1)
    if two_levels:
        st.caption(f"点击表格中的一行，或在上方选择{ov.level_name(group_level)}，查看其下各{ov.level_name(here)}。")
    ev = tables.dataframe(table, key="dd_groups", on_select="rerun" if two_levels else "ignore",
                          selection_mode="single-row")
    rows = getattr(getattr(ev, "selection", None), "rows", None) if two_levels else None
    if rows:
        picked = groups.index[rows[0]]
        if picked != st.session_state["dd_town"]:
            st.session_state["dd_town"] = picked
            st.session_state["dd_unit"] = ""
            st.rerun()
    if not two_levels:
        st.caption(f"在上方选择{ov.level_name(here)}查看详情。")


def township_view() -> None:
    name = groups.at[town, "name"]
    st.subheader(f"{name}：各{ov.level_name(here)}（{period_zh(period)}）")
    vals = ov.village_values(program, cur.loc[unit_codes])
    table = pd.concat([pd.DataFrame({ov.level_name(here): [unit_names[c] for c in vals.index]}, index=vals.index),
                       _fmt_values(vals, [c for c in codes if c in vals.columns])], axis=1)
    if ranked is not None:
        r = ranked.set_index("region").reindex(vals.index)
        table.insert(1, "得分", scoring.truncate(r["score"], score_decimals))
        table.insert(2, "名次", r["rank_label"].to_numpy())
        table.insert(3, "等次", r["award_label"].to_numpy())
        table = table.iloc[np.argsort(r["rank"].to_numpy(), kind="stable")]
    st.caption(f"点击一行，或在上方选择{ov.level_name(here)}，查看详情。")
    colour = tables.award_colours()
    style = (lambda sty: colour(sty).format(f"{{:.{score_decimals}f}}", subset=["得分"])) if ranked is not None else None
    ev = tables.dataframe(table, key="dd_units", style=style,
                          on_select="rerun", selection_mode="single-row")
    rows = getattr(getattr(ev, "selection", None), "rows", None)
    if rows:
        picked = table.index[rows[0]]
        if picked != st.session_state["dd_unit"]:
            st.session_state["dd_unit"] = picked
            st.rerun()


def unit_view() -> None:
    name = unit_names.get(unit, unit)
    parent = f"{groups.at[town, 'name']} · " if two_levels and town else ""
    st.subheader(f"{parent}{name}（{period_zh(period)}）")
    if ranked is not None:
        r = ranked[ranked["region"] == unit].iloc[0]
        c1, c2, c3 = st.columns(3)
        c1.metric("得分", f"{scoring.truncate([r['score']], score_decimals)[0]:.{score_decimals}f} 分")
        tie = "（并列）" if r["rank_label"].endswith("（并列）") else ""
        c2.metric("名次", f"第 {int(r['rank'])} 名{tie} / {len(ranked)}")
        c3.metric("等次", r["award_label"])
    det = ov.region_detail(program, cur, unit, d.regions)
    here_targets = det["target_level"].isin([here]) | det["target_level"].isna()
    table = pd.DataFrame({
        "指标": det["name"],
        "本月值": [value_with_unit(v, u) for v, u in zip(det["value"], det["unit"])],
        "目标": [(f"{OP_TEXT.get(o, o)} {value_with_unit(t, u)}" if isinstance(o, str) else "—")
                 for o, t, u in zip(det["op"], det["threshold"], det["unit"])],
        "目标适用": [("本级" if h else ov.level_name(lv)) if isinstance(lv, str) else "—"
                 for h, lv in zip(here_targets, det["target_level"])],
        "状态": [STATUS_ZH.get(s, s) if h else "—" for s, h in zip(det["status"], here_targets)],
        "期限": [date_zh(x) if x else "—" for x in det["due"]],
        "条款": [f"{a}；目标 {b}" if isinstance(b, str) and b != a else a for a, b in zip(det["ref"], det["target_ref"])],
        "说明": det["assumed_label"],
    })
    tables.dataframe(table, key="dd_detail")
    st.caption(f"“目标适用”为“乡镇”“县”等的目标在全域或上级考核，此处仅供对照；"
               f"标“{ASSUMED_LABEL}”的值为文件未规定、系统给出的默认值。")

    if ranked is not None:
        asp = ov.rubric_detail(program, ranked, unit)
        st.markdown("**分方面得分（计分办法）**")
        tables.dataframe(pd.DataFrame({
            "方面": asp["name"], "得分": asp["score"].round(2), "满分": asp["points"],
            "条款": asp["ref"], "说明": asp["assumed_label"],
        }), key="dd_aspects")

    hist = ov.region_history(program, d.months(), unit, d.regions)
    if len(hist) > 1:
        pct = [c for c in codes if info.at[c, "unit"] == "%" and c in hist.columns]
        shown = pct[:6] if pct else [c for c in codes if c in hist.columns][:4]
        thr = {c: info.at[c, "threshold"] for c in shown
               if info.at[c, "target_level"] == here}
        st.plotly_chart(charts.trend(hist, {c: info.at[c, "name"] for c in shown}, thr,
                                     f"{name}：各指标逐月变化", info.at[shown[0], "unit"]),
                        width="stretch", theme=None, key="fig_unit_trend")
        st.markdown("**逐月数值**")
        monthly = _fmt_values(hist, [c for c in codes if c in hist.columns]).rename(index=period_zh)
        tables.dataframe(monthly.rename_axis("月份").reset_index(), key="dd_history")

    if program.quotas and here == "township":
        sp = data.stations(d.url, d.token, program.id)
        if sp["stations"] is not None:
            mine = sp["stations"][sp["stations"]["township"] == unit]
            st.markdown(f"**{name}的益农信息社（{len(mine)} 个）**")
            tables.dataframe(mine.rename(columns={"station": "编号", "type": "类型", "village": "村", "is_demo": "示范社",
                                                  "status": "状态"})[["编号", "类型", "村", "示范社", "状态"]],
                             key="dd_stations")


if (unit and not top_unit) or (two_levels and town and not top_town):
    st.button("↑ 返回上一级", key="dd_up", on_click=_up)
if unit:
    unit_view()
elif two_levels and town:
    township_view()
else:
    county_view()
