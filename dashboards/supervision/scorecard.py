"""县区评分: per county, pilots on schedule, reporting and on-time rates, funds spent,
indicators built; traffic lights; a county row opens its pilots, a pilot opens 落后督办."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.supervision.common import LAGGARD_PAGE, STEP_MARK, caption_as_of, setup, step_styler, wan
from dashboards.ui.theme import rag_css
from dashboards.ui import tables
from ruralcore import supervision as sv
from ruralcore.programs import ASSUMED_LABEL

d, period, as_of, res = setup("县区评分")
card, lights = res["scorecard"], res["lights"]
caption_as_of(as_of, period)
refs = sv.light_refs(d.program)

COLS = {"on_schedule_rate": "按期推进率（%）", "reporting_rate": "月报报送率（%）", "on_time_rate": "按时报送率（%）"}
view = pd.DataFrame({
    "排名": card["rank_label"], "县（市、区）": card["county_name"], "试点数": card["pilots"],
    "按期推进": card["on_schedule"], COLS["on_schedule_rate"]: card["on_schedule_rate"].round(1),
    "应报": card["expected"], "迟报": card["late"], "未报": card["missing"],
    COLS["reporting_rate"]: card["reporting_rate"].round(1), COLS["on_time_rate"]: card["on_time_rate"].round(1),
    "资金到位（万元）": card["available_yuan"].map(wan), "累计支出（万元）": card["spent_yuan"].map(wan),
    "支出率（%）": card["spent_rate"].round(1),
    "建成指标（项）": card["indicators_built"], "指标建成率（%）": card["built_rate"].round(1),
})
city_row = len(view) - 1  # the city row is last (全市（参考） when the account reads part of the city)
light_view = lights.rename(columns=COLS)


def _style(frame: pd.DataFrame) -> pd.DataFrame:
    css = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for c in COLS.values():
        css[c] = light_view[c].map(rag_css)
    css.iloc[city_row] = css.iloc[city_row] + "; font-weight: 700; border-top: 2px solid #333"
    return css


styled = view.style.apply(_style, axis=None).format(
    {c: "{:.1f}" for c in [*COLS.values(), "支出率（%）", "指标建成率（%）"]} |
    {"资金到位（万元）": "{:,.2f}", "累计支出（万元）": "{:,.2f}"}, na_rep="—")
rank_rule = sv.ranking_rule(d.program)
st.caption(f"排名：{rank_rule['text']}" + (f"（{ASSUMED_LABEL}，{rank_rule['ref']}）。" if rank_rule["assumed"] else "。")
           + f"灯色：{sv.light_rule(d.program)}")
st.caption("依据：按期推进 " + refs["on_schedule_rate"] +
           "；月报 " + refs["reporting_rate"] + "。点击县（市、区）所在行或任一单元格，展开该县试点。" +
           (f"末行“{sv.CITY_REFERENCE}”为全市合计，仅作对照。" if res["limited"] else ""))
event = st.dataframe(styled, hide_index=True, key="sc_table", on_select="rerun",
                     selection_mode=["single-row", "single-cell"], **tables.fit(len(view)),
                     column_config=tables.text_widths(view),
                     width="stretch")

# the county to expand: a clicked row or cell, else ?county= in the URL; a clicked rate
# cell (?metric=) narrows the county's pilots to those that pull that rate down
counties = card[card["county"] != sv.CITY]
county = st.query_params.get("county", "")
metric = st.query_params.get("metric", "")
sel = event.selection if event else None
if sel is not None:
    idx = list(sel.rows) or [c[0] for c in sel.cells]
    if idx and idx[0] != city_row:
        county = card["county"].iloc[idx[0]]
        st.query_params["county"] = county
        by_label = {v: k for k, v in COLS.items()}
        metric = by_label.get(sel.cells[0][1], "") if sel.cells else ""
        if metric:
            st.query_params["metric"] = metric
        else:
            st.query_params.pop("metric", None)
if county not in set(counties["county"]):
    county = ""
if metric not in sv.METRIC_LABELS:
    metric = ""
if not county:
    st.info("点击表中某县（市、区）所在行或单元格，查看该县试点。")
    st.stop()

row = card[card["county"] == county].iloc[0]
st.subheader(f"{row['county_name']}：试点明细")
board = res["board"]
pil = board[board["county"] == county]
if metric:
    off = pil[sv.off_metric(pil, metric).to_numpy()]
    label = sv.METRIC_LABELS[metric]
    if len(off) and not st.toggle("显示该县全部试点", key=f"sc_all_{county}_{metric}"):
        st.caption(f"{label}：拉低该项的试点 {len(off)} 个（共 {len(pil)} 个）。")
        pil = off
    elif not len(off):
        st.caption(f"{label}：该县没有拉低该项的试点。")
pv = pd.DataFrame({
    "试点": pil["name"], "类型": pil["type_label"], "状态": pil["state_label"], "最长逾期（天）": pil["days_behind"],
    **{sv.STEP_SHORT[s]: pil[s].map(STEP_MARK) for s in sv.STEPS},
    "本月月报": pil["report_label"], "建成指标": pil["indicators_built"].astype(str) + "/" + pil["indicators_total"].astype(str),
    "累计支出（万元）": pil["spent_yuan"].map(wan), "试点代码": pil["pilot"],
}).reset_index(drop=True)
st.caption("选中试点所在行，进入落后督办查看详情。")
ev2 = st.dataframe(step_styler(pv, [sv.STEP_SHORT[s] for s in sv.STEPS], "本月月报").format(
                       {"累计支出（万元）": "{:,.2f}"}), hide_index=True, **tables.fit(len(pv)), key=f"sc_pilots_{county}",
                   on_select="rerun", selection_mode="single-row",
                   width="stretch")
if ev2 and ev2.selection.rows:
    st.switch_page(LAGGARD_PAGE, query_params={"pilot": pv.at[ev2.selection.rows[0], "试点代码"]})
