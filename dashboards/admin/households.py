"""一户一档: the household archive (银川 三(五)；谭家场 task 9). ID-card and phone numbers
are masked; roles that need them may reveal one file, and each such view is logged."""
from __future__ import annotations

import streamlit as st

from dashboards.ui import tables
from dashboards.ui.context import engine, page_setup
from ruralcore.app import households
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.auth.scope import can_write_table, sees_pii

# roles the registry (ruralcore.auth.pages) names only; each sees the files of its own region
actor = page_setup("households", needs_program=False)
frame = households.list_households(engine(), actor)
if frame.empty:
    st.info("本账户的区域内还没有农户档案。")
    st.stop()
c1, c2 = st.columns(2)
village_names = frame.drop_duplicates("village").set_index("village")["village_name"].sort_index()
village = c1.selectbox("村", [""] + village_names.index.tolist(),
                       format_func=lambda v: f"{village_names[v]}（{v}）" if v else "全部", key="hh_village")
kind = c2.selectbox("监测类型", [""] + list(households.MONITOR_TYPES),
                    format_func=lambda k: households.MONITOR_TYPES.get(k, "全部"), key="hh_type")
shown = frame
if village:
    shown = shown[shown["village"] == village]
if kind:
    shown = shown[shown["monitor_type"] == kind]
cols = {"id": "档案编号", "village_name": "村", "village": "村代码", "head_name": "户主", "id_number": "身份证号", "phone": "电话",
        "poverty_cause": "致贫原因", "type_label": "监测类型", "state_label": "监测状态",
        "latest_year": "收入年度", "latest_income_yuan": "人均纯收入（元）"}
tables.grid(shown[list(cols)].rename(columns=cols), hide_index=True, height=360,
             column_config={"村代码": st.column_config.TextColumn(width="small")})

hid = st.selectbox("查看档案", shown["id"].tolist(), key="hh_id",
                   format_func=lambda i: f"{i} {frame.set_index('id').at[i, 'head_name']}")
reveal = False
if sees_pii(actor):
    purpose = st.text_input("查看完整身份证号和电话的事由（将记录查看人、时间和档案）", key="hh_purpose")
    reveal = st.toggle("显示完整身份证号和电话", key="hh_reveal", disabled=not purpose.strip())
try:
    f = households.open_household(engine(), actor, int(hid), reveal=reveal,
                                  purpose=st.session_state.get("hh_purpose", ""))
except RuralcoreError as e:
    st.error(str(e))
    st.stop()
h = f["household"]
st.subheader(f"{h['head_name']}（档案 {h['id']}）")
st.write(f"身份证号：{h['id_number']}　电话：{h['phone'] or '—'}　致贫原因：{h['poverty_cause'] or '—'}　"
         f"监测：{households.MONITOR_TYPES.get(h['monitor_type'], '—')} / {households.MONITOR_STATES.get(h['monitor_state'], '—')}")
t1, t2, t3, t4 = st.tabs(["家庭成员", "人均收入", "帮扶措施", "监测记录"])
t1.dataframe(f["members"].rename(columns={"name": "姓名", "relation": "关系", "id_number": "身份证号", "phone": "电话",
                                          "age": "年龄", "health": "健康状况", "work_ability": "劳动能力"})
             [["姓名", "关系", "年龄", "健康状况", "劳动能力", "身份证号", "电话"]], hide_index=True)
t2.dataframe(f["income"].rename(columns={"year": "年度", "per_capita_yuan": "人均纯收入（元）"})[["年度", "人均纯收入（元）"]],
             hide_index=True)
t3.dataframe(f["measures"].rename(columns={"measure": "措施", "started_on": "开始日期", "note": "说明"})
             [["措施", "开始日期", "说明"]], hide_index=True)
t4.dataframe(f["history"].rename(columns={"on_date": "日期", "type_label": "监测类型", "state_label": "监测状态",
                                          "note": "说明"})[["日期", "监测类型", "监测状态", "说明"]], hide_index=True)

if can_write_table(actor, "households"):
    st.subheader("更新监测")
    with st.form("hh_monitor"):
        c1, c2, c3 = st.columns(3)
        types = [""] + list(households.MONITOR_TYPES)
        states = [""] + list(households.MONITOR_STATES)
        mtype = c1.selectbox("监测类型", types, index=types.index(h["monitor_type"] or ""),
                             format_func=lambda k: households.MONITOR_TYPES.get(k, "未纳入监测"), key="hh_new_type")
        mstate = c2.selectbox("监测状态", states, index=states.index(h["monitor_state"] or ""),
                              format_func=lambda k: households.MONITOR_STATES.get(k, "—"), key="hh_new_state")
        on = c3.date_input("日期（年/月/日）", key="hh_new_on", format="YYYY/MM/DD")
        note = st.text_input("说明", key="hh_new_note")
        go = st.form_submit_button("保存监测记录", type="primary")
    if go:
        try:
            households.set_monitoring(engine(), int(hid), mtype, mstate, on, int(h["version"]), actor, note=note)
            st.success("已保存，并记入监测记录和审计日志。")
        except RuralcoreError as e:
            st.error(str(e))
