"""试点进度: every pilot's schedule steps (按时 / 逾期完成 / 逾期 / 未到期), indicators built,
money and this month's report; filter by county, type and state; worst first. A pilot's
row opens it on 落后督办."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.supervision.common import STEP_MARK, caption_as_of, open_pilot, setup, step_styler, wan
from dashboards.ui import tables
from dashboards.ui.htmltable import click_table
from dashboards.ui import data as ui_data
from dashboards.ui.auth import current_actor
from dashboards.ui.context import current_program, engine
from ruralcore.app import events as ev
from ruralcore.app import supervision as sv
from ruralcore.kernel.fmt import period_zh
from ruralcore.rules.regions import PILOT_TYPES

d, period, as_of, res = setup("board")
board = res["board"]
caption_as_of(as_of, period)
reports = ev.reports(engine(), current_program().id, ui_data.visible(current_actor()))
unread = reports[~reports["read"]]
if len(unread):  # 四(五) 重要情况随时报告: unread ones first
    st.warning(f"未读的重要情况报告 {len(unread)} 份（四(五)）：" + "；".join(
        (unread["county_name"] + "：" + unread["title"]).head(3)) + ("等" if len(unread) > 3 else "")
        + "。请在“重要情况报告”页阅读。")

counties = board.drop_duplicates("county").sort_values("county")
c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
pick_c = c1.multiselect("县（市、区）", counties["county"].tolist(), key="bd_county", placeholder="全部",
                        format_func=dict(zip(counties["county"], counties["county_name"])).get)
pick_t = c2.multiselect("试点类型", list(PILOT_TYPES), key="bd_type", placeholder="全部", format_func=PILOT_TYPES.get)
pick_s = c3.multiselect("状态", list(sv.PILOT_STATE_LABELS), key="bd_state", placeholder="全部", format_func=sv.PILOT_STATE_LABELS.get)
order = c4.selectbox("排序", ["behind", "county", "report"], key="bd_sort",
                     format_func={"behind": "按滞后程度", "county": "按县（市、区）", "report": "按本月月报"}.get)
shown = sv.filter_board(board, pick_c, pick_t, pick_s)
if order == "county":
    shown = shown.sort_values(["county", "pilot"], kind="stable")
elif order == "report":
    shown = shown.sort_values("report", key=lambda r: r.map({"missing": 0, "late": 1, "on_time": 2}), kind="stable")

m = st.columns(5)
m[0].metric("试点", f"{len(shown)}个")
m[1].metric("节点逾期试点", f"{int((shown['state'] == 'overdue').sum())}个",
            help="有建设节点逾期未完成的试点；不含月报迟报、未报（落后督办与月度通报的“滞后试点”两者都算）")
m[2].metric("逾期未完成节点", f"{int(shown['overdue_steps'].sum())}个")
m[3].metric("本月按时报送", f"{int((shown['report'] == 'on_time').sum())}/{len(shown)}")
m[4].metric("累计支出", f"{wan(shown['spent_yuan'].sum()):,.2f}万元")

steps = list(sv.STEPS)
view = pd.DataFrame({
    "县（市、区）": shown["county_name"], "试点": shown["name"], "类型": shown["type_label"],
    "状态": shown["state_label"], "最长逾期（天）": shown["days_behind"],
    **{sv.STEP_SHORT[s]: shown[s].map(STEP_MARK) for s in steps},
    "建成指标": shown["indicators_built"].astype(str) + "/" + shown["indicators_total"].astype(str),
    "市级资金到位（万元）": shown["city_received_yuan"].map(wan),
    "县级配套到位（万元）": shown["county_matching_yuan"].map(wan),
    "累计支出（万元）": shown["spent_yuan"].map(wan),
    "本月月报": shown["report_label"],
    "最近报送月份": shown["last_period"].map(lambda p: period_zh(p) if isinstance(p, str) and p else "—"),
    "试点代码": shown["pilot"],
}).reset_index(drop=True)
styled = (step_styler(view, [sv.STEP_SHORT[s] for s in steps], "本月月报")
          .format({"市级资金到位（万元）": "{:,.2f}", "县级配套到位（万元）": "{:,.2f}", "累计支出（万元）": "{:,.2f}"}))
st.caption("点击一行查看该试点的节点、月报与滞后事项。各节点依据：" +
           "；".join(f"{sv.STEP_SHORT[s]} {r}" for s, r in zip(res["steps"].drop_duplicates("step")["step"],
                                                           res["steps"].drop_duplicates("step")["ref"])))
click_table(styled, "bd_table", list(view["试点代码"]), open_pilot, hint="在落后督办中查看该试点", lead=2)
tables.excel_button(view, f"试点进度-{period_zh(period)}", "bd_xlsx")
