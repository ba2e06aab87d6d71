"""县区评分: per county, pilots on schedule, reporting and on-time rates, funds spent,
indicators built; traffic lights; a county row opens its pilots, a pilot opens 落后督办."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.supervision.common import (STEP_MARK, caption_as_of, open_pilot, setup, step_styler, supervised_for,
                                           wan)
from dashboards.ui import data as ui_data
from dashboards.ui import tables
from dashboards.ui.auth import current_actor
from dashboards.ui.htmltable import click_table
from dashboards.ui.theme import rag_css
from ruralcore.rules import ranking
from ruralcore.app import supervision as sv
from ruralcore.kernel.fmt import period_zh, rank_move
from ruralcore.rules.programs import ASSUMED_LABEL

d, period, as_of, res = setup("scorecard")
card, lights = res["scorecard"], res["lights"]
caption_as_of(as_of, period)
refs = sv.light_refs(d.program)

COLS = {"on_schedule_rate": "按期推进率（%）", "reporting_rate": "月报报送率（%）", "on_time_rate": "按时报送率（%）"}
# last month's ranking (its progress as of that month's end) for the rank change
actor, earlier = current_actor(), [p for p in d.periods if p < period]
before = (supervised_for(ui_data.url(), ui_data.token(), d.program.id, earlier[-1], sv.period_end(earlier[-1]),
                         actor.role, actor.region)["scorecard"].set_index("county")["rank"]
          if earlier else pd.Series(dtype="float64"))
moved = ranking.change(card.set_index("county")["rank"], before)
view = pd.DataFrame({
    "排名": card["rank_label"],
    "较上月": [rank_move(m) if c != sv.CITY and earlier else "—" for m, c in zip(moved, card["county"])],
    "县（市、区）": card["county_name"], "试点数": card["pilots"],
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
           "；月报 " + refs["reporting_rate"] + "。“较上月”：与上月排名相比升降的位次。点击县（市、区）所在行或任一单元格，展开该县试点。" +
           (f"末行“{sv.CITY_REFERENCE}”为全市合计，仅作对照。" if res["limited"] else ""))


def _open_county(code: str, column: str | None) -> None:
    """A county's row or cell clicked: its pilots below; a rate's cell narrows them to the
    pilots that pull that rate down."""
    st.query_params["county"] = code
    metric = {v: k for k, v in COLS.items()}.get(column or "", "")
    if metric:
        st.query_params["metric"] = metric
    else:
        st.query_params.pop("metric", None)


click_table(styled, "sc_table", [None if i == city_row else c for i, c in enumerate(card["county"])], _open_county,
            with_column=True, picked=st.query_params.get("county"), hint="展开该县试点")
tables.excel_button(view, f"县区评分-{period_zh(period)}", "sc_xlsx")

# the county to expand: ?county= in the URL (set by a click); ?metric= narrows its pilots
counties = card[card["county"] != sv.CITY]
county = st.query_params.get("county", "")
metric = st.query_params.get("metric", "")
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
st.caption("点击试点所在行，进入落后督办查看详情。")
click_table(step_styler(pv, [sv.STEP_SHORT[s] for s in sv.STEPS], "本月月报").format({"累计支出（万元）": "{:,.2f}"}),
            f"sc_pilots_{county}", list(pv["试点代码"]), open_pilot, hint="在落后督办中查看该试点")
