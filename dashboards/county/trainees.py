"""学员档案: 银川 四(三)'s files of the e-commerce training's trainees — the person (ID and
phone masked), village, course and hours, and the employment follow-up; the target
“村均培训电子商务人才5人以上” counted from the files (ruralcore.app.trainees). Writes are
audited and scope-checked by the store."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboards.ui import tables
from dashboards.ui.context import current_program, engine, page_setup
from dashboards.ui.data import visible as visible_codes
from ruralcore.app import overview as ov
from ruralcore.app import trainees as tr
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.kernel.fmt import date_zh
from ruralcore.app.milestone_records import today_china

actor = page_setup("trainees")
program = current_program()
eng = engine()
visible = visible_codes(actor)
regs = ov.region_frame(eng, program.id)
vill = regs[regs["level"] == "village"]
if visible is not None:
    vill = vill[vill["code"].isin(list(visible))]

st.subheader("新建学员档案")
with st.form("tr_form"):
    a, b, c = st.columns(3)
    village = a.selectbox("行政村", list(vill["code"]), format_func=dict(zip(vill["code"], vill["name"])).get,
                          key="tr_village")
    name = b.text_input("姓名", key="tr_name")
    course = c.text_input("培训课程", key="tr_course")
    hours = a.number_input("培训学时", min_value=0.0, max_value=1000.0, value=8.0, step=1.0, key="tr_hours")
    id_number = b.text_input("身份证号（列表中脱敏）", key="tr_id")
    phone = c.text_input("电话（列表中脱敏）", key="tr_phone")
    go = st.form_submit_button("建档", type="primary")
if go:
    try:
        rec = tr.add(eng, program.id, village, name, course, hours, actor, id_number=id_number, phone=phone)
    except RuralcoreError as e:
        st.error(str(e))
    else:
        st.success(f"已建档：{rec.name}")

rows = tr.files(eng, program.id, visible)
if len(rows):
    st.subheader("就业创业跟踪")
    with st.form("tr_follow"):
        a, b, c = st.columns(3)
        pick = a.selectbox("学员", list(rows["id"]), key="tr_pick",
                           format_func=dict(zip(rows["id"], rows["name"] + "（" + rows["village_name"] + "）")).get)
        state = b.selectbox("就业情况", [k for k in tr.EMPLOYMENT if k], format_func=tr.EMPLOYMENT.get, key="tr_state")
        on = c.date_input("跟踪日期（年/月/日）", value=today_china(), min_value=dt.date(2010, 1, 1),
                          max_value=today_china(), format="YYYY/MM/DD", key="tr_on")
        note = st.text_input("跟踪情况与需求", key="tr_note")
        save = st.form_submit_button("保存跟踪")
    if save:
        try:
            tr.follow_up(eng, int(pick), state, note, on, int(rows.set_index("id").at[pick, "version"]), actor)
        except RuralcoreError as e:
            st.error(str(e))
        else:
            st.success("已保存跟踪情况。")
            rows = tr.files(eng, program.id, visible)

t = tr.target_from_files(eng, program.id)
st.metric(f"{t['name']}（{t['ref']}，{date_zh(t['due'])}前）",
          f"村均{t['per_village']:.1f}人" if t["villages"] else "—",
          help=f"按学员档案计：{t['trainees']}人 ÷ {t['villages']}个行政村；{'已达到' if t['met'] else '未达到'}{t['op']}{t['threshold']:g}人")
st.subheader(f"学员档案（{len(rows)}人）")
tables.dataframe(pd.DataFrame({
    "村": rows["village_name"], "姓名": rows["name"], "身份证号": rows["id_number"], "电话": rows["phone"],
    "课程": rows["course"], "学时": rows["hours"].astype(float), "就业情况": rows["employment_label"],
    "跟踪日期": rows["followed_up_on"].map(lambda d: date_zh(d) if d else "—"), "跟踪情况": rows["follow_up"],
}), hide_index=True, key="tr_table")
