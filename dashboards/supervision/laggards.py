"""落后督办: the pilots with anything behind; one pilot's detail — what is behind and by
how long (with the clause), its schedule, its monthly reports over time, notes. The
chosen pilot lives in the URL (?pilot=…); a row click, the selector or the name search
choose it."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboards.supervision import duban
from dashboards.supervision.common import REPORT_COLORS, STEP_COLORS, caption_as_of, setup, wan
from dashboards.ui.auth import current_actor
from dashboards.ui.context import engine
from dashboards.ui import data as ui_data
from dashboards.ui import tables
from dashboards.ui.htmltable import click_table
from dashboards.ui.search import find_box
from dashboards.ui.theme import style_figure
from ruralcore.app import notices as nt
from ruralcore.app import responsibility as rs
from ruralcore.app import supervision as sv
from ruralcore.kernel.fmt import date_zh, period_zh

d, period, as_of, res = setup("laggards")
caption_as_of(as_of, period)
lag, board = res["laggards"], res["board"]
actor = current_actor()
leaders = rs.leaders(engine(), d.program.id, actor)
warn = ui_data.forecast(ui_data.url(), ui_data.token(), d.program.id, period, actor.role, actor.region, pace=True)
late = warn[warn["verdict"] == "预计逾期"].groupby("region")["target"].size()
day = duban.action_date()

if "lg_pilot" not in st.session_state:
    st.session_state["lg_pilot"] = st.query_params.get("pilot", "")

st.subheader(f"滞后试点（{len(lag)}个）")
st.caption("滞后试点：有建设节点逾期未完成，或本月月报迟报、未报的试点（试点进度页的“节点逾期试点”只算前一种）。")
lv = pd.DataFrame({
    "县（市、区）": lag["county_name"], "试点": lag["name"], "类型": lag["type_label"], "滞后事项": lag["behind"],
    "最长逾期（天）": lag["days_behind"],
    "预警": lag["pilot"].map(late).map(lambda n: f"{int(n)}项预计逾期" if n == n else "—"),
    "包点领导": lag["pilot"].map(leaders["text"]).fillna("未登记"),
    "依据条款": lag["refs"], "试点代码": lag["pilot"],
}).reset_index(drop=True)


def _pick(code: str) -> None:
    st.session_state["lg_pilot"] = code


click_table(lv, "lg_table", list(lv["试点代码"]), _pick, picked=st.session_state.get("lg_pilot"), hint="查看该试点")
tables.excel_button(lv, f"落后督办-滞后试点-{period_zh(period)}", "lg_xlsx")

notices = nt.list_notices(engine(), d.program.id, day, actor)
if len(notices):
    st.subheader(f"督办通知（{len(notices)}份）")
    st.caption("状态和剩余工作日按办理日期计算；答复期限按工作日计（节假日不计，调休上班日计入）。")
    tables.grid(duban.notice_table(notices), hide_index=True, width="stretch", **tables.fit(len(notices)))

# every pilot can be opened; laggards first
codes = [""] + lag["pilot"].tolist() + [p for p in board["pilot"] if p not in set(lag["pilot"])]
names = dict(zip(board["pilot"], board["county_name"] + " · " + board["name"]))
if st.session_state["lg_pilot"] not in codes:
    st.session_state["lg_pilot"] = ""
c1, c2 = st.columns(2)
pilot = c1.selectbox("试点", codes, key="lg_pilot", format_func=lambda c: "（请选择）" if not c else names.get(c, c))
find_box("按名称查找试点", {c: names[c] for c in codes if c}, "lg_find", _pick, where=c2)
if pilot:
    st.query_params["pilot"] = pilot
else:
    st.query_params.pop("pilot", None)
    st.stop()

det = sv.pilot_detail(d, pilot, as_of, res["steps"], res["history"], res["behind"])
row = board[board["pilot"] == pilot].iloc[0]
st.header(f"{det['county_name']} · {det['name']}（{det['type_label']}）")
duban.leader_line(leaders, pilot)
m = st.columns(4)
m[0].metric("状态", row["state_label"])
m[1].metric("最长逾期", f"{int(row['days_behind'])}天")
m[2].metric("建成参考指标", f"{int(row['indicators_built'])}/{int(row['indicators_total'])}项")
m[3].metric("累计支出", f"{wan(row['spent_yuan']):,.2f}万元",
            help=f"市级资金到位{wan(row['city_received_yuan']):,.2f}万元（应安排{wan(row['city_allocated_yuan']):,.2f}万元），"
                 f"县级配套到位{wan(row['county_matching_yuan']):,.2f}万元")

st.subheader("滞后事项")
bh = det["behind"]
if bh.empty:
    st.success("截至所选日期，该试点没有逾期节点，本月月报按时报送。")
else:
    tables.grid(pd.DataFrame({
        "事项": bh["what"], "应完成（报送）时间": bh["due"].map(date_zh),
        "滞后": [f"已逾期{x}天" if k == "overdue_step" else (f"迟报{x}天" if k == "late_report" else "未报")
                 for k, x in zip(bh["kind"], bh["days"])],
        "依据条款": bh["ref"],
    }), hide_index=True, width="stretch", **tables.fit(len(bh)))

duban.warnings(d.program, warn[warn["region"] == pilot])
duban.panel(d.program, pilot, f"{det['county_name']} · {det['name']}", det["behind"], actor, day)

st.subheader("建设节点")
sc = det["schedule"]
sched = pd.DataFrame({
    "节点": sc["step_name"], "要求": sc["milestone"], "应完成时间": sc["due"].map(date_zh),
    "完成时间": sc["done_on"].map(date_zh), "情况": sc["state_label"],
    "天数": [f"晚{x}天" if s == "late" else (f"已逾期{x}天" if s == "overdue" else "") for s, x in zip(sc["state"], sc["days"])],
    "依据条款": sc["ref"],
})
label_state = {v: k for k, v in sv.STATE_LABELS.items()}
tables.grid(sched.style.map(lambda v: f"background-color: {STEP_COLORS[label_state[v]]}; color: #000"
                             if v in label_state else "", subset=["情况"]),
             hide_index=True, width="stretch", **tables.fit(len(sched)))

st.subheader("月报")
rp = det["reports"]
if rp.empty:
    st.info("没有月报记录。")
else:
    label = rp["status"].map(sv.REPORT_LABELS)
    rv = pd.DataFrame({
        "月份": rp["period"].map(period_zh), "情况": label,
        "报送时间": [date_zh(t.date()) if pd.notna(t) else "—" for t in pd.to_datetime(rp["submitted_at"])],
        "截止日": rp["due"].map(date_zh),
        "迟报（天）": [str(x) if s == "late" else "" for s, x in zip(rp["status"], rp["days_late"])],
    })
    for f, name in (("indicators_built", "月报：已建成指标（项）"), ("spent_yuan", "月报：累计支出（万元）")):
        if f in rp.columns:
            rv[name] = rp[f].map(lambda v: None if pd.isna(v) else (wan(v) if f.endswith("_yuan") else int(v)))
    tables.grid(rv.style.map(lambda v: f"background-color: {REPORT_COLORS.get(v, '')}; color: #000"
                              if v in REPORT_COLORS else "", subset=["情况"]).format(
                     {"月报：累计支出（万元）": "{:,.2f}", "月报：已建成指标（项）": "{:.0f}"}, na_rep="—"),
                 hide_index=True, width="stretch", **tables.fit(len(rv)))
    tables.count_caption(len(rv))
    if "indicators_built" in rp.columns:
        fig = go.Figure(go.Scatter(x=rp["period"].map(period_zh), y=rp["indicators_built"], mode="lines+markers",
                                   name="已建成指标（项）"))
        fig.update_layout(title="月报填报的已建成参考指标（项）")
        st.plotly_chart(style_figure(fig, height=320), width="stretch")

st.subheader("备注")
st.write(det["notes"] or "（无）")
