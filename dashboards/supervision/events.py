"""重要情况报告: 忻州 四(五) “重要情况随时报告”. A pilot county files a report (what, when,
impact, measures); the city's supervisors see unread ones first and mark them read. The
rules (who files for which county, who reads) are ruralcore.app.events and the store's
scope checks; 试点进度 shows the unread count, the monthly circular lists the month's."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboards.ui import tables
from dashboards.ui.context import current_program, engine, page_setup
from dashboards.ui.data import visible as visible_codes
from ruralcore.app import events as ev
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.kernel.fmt import date_zh, datetime_zh
from ruralcore.app.milestone_records import today_china

actor = page_setup("events")
program = current_program()
eng = engine()
visible = visible_codes(actor)
st.caption(f"{program.meta.short_title} · 四(五)：县级工作专班每月定时报进度，重要情况随时报告。未读的报告排在前面。")

counties = ev.counties(program.id)
mine = counties if visible is None else counties[counties["code"].isin(list(visible))]
if actor.role == "county_admin" and len(mine):
    st.subheader("报告重要情况")
    with st.form("ev_form"):
        left, right = st.columns([1, 3])
        county = left.selectbox("县（区）", list(mine["code"]), format_func=dict(zip(mine["code"], mine["name"])).get,
                                key="ev_county")
        title = right.text_input("事项（发生了什么）", key="ev_title")
        on = left.date_input("发生日期（年/月/日）", value=today_china(), min_value=dt.date(2010, 1, 1),
                             max_value=today_china(), format="YYYY/MM/DD", key="ev_on")
        impact = right.text_input("影响", key="ev_impact")
        measures = right.text_input("已采取的措施", key="ev_measures")
        go = st.form_submit_button("报告", type="primary")
    if go:
        try:
            rec = ev.report(eng, program.id, county, title, on, impact, measures, actor)
        except RuralcoreError as e:
            st.error(str(e))
        else:
            st.success(f"已报告：{rec.title}")

rep = ev.reports(eng, program.id, visible)
unread = rep[~rep["read"]]
st.subheader(f"报告（未读 {len(unread)} 份，共 {len(rep)} 份）")
tables.dataframe(pd.DataFrame({
    "状态": rep["read"].map({True: "已读", False: "未读"}), "县（区）": rep["county_name"], "事项": rep["title"],
    "发生日期": rep["happened_on"].map(date_zh), "影响": rep["impact"], "措施": rep["measures"],
    "报告人": rep["reported_by"], "报告时间": rep["reported_at"].map(datetime_zh),
    "阅读人": rep["read_by"],
}), hide_index=True, key="ev_table")
if actor.role == "city_supervisor" and len(unread):
    with st.form("ev_read"):
        pick = st.selectbox("标为已读", list(unread["id"]), key="ev_read_id",
                            format_func=dict(zip(unread["id"], unread["county_name"] + "：" + unread["title"])).get)
        read = st.form_submit_button("已阅")
    if read:
        try:
            ev.mark_read(eng, int(pick), int(unread.set_index("id").at[pick, "version"]), actor)
        except RuralcoreError as e:
            st.error(str(e))
        else:
            st.rerun()
