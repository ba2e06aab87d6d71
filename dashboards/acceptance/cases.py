"""验收案件: a county's acceptance cases with filters, counts by state, overdue first, the
current step's due date on the official calendar and the working days left or overdue;
a new case for a completed subject. Rules: ruralcore.app.cases / ruralcore.rules.acceptance."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.acceptance.common import as_of_picker, day, restore_state, user, workdays_text
from dashboards.ui import tables
from dashboards.ui import data as ui_data
from dashboards.ui import tables
from dashboards.ui.context import current_program, engine, page_setup
from ruralcore.rules import acceptance
from ruralcore.app import cases
from ruralcore.auth import scope
from ruralcore.kernel.errors import RuralcoreError

restore_state()
actor = page_setup("cases")
program = current_program()
eng = engine()
as_of = as_of_picker()
st.caption(f"《{program.meta.title}》· 期限按官方工作日（含调休）计算，截至 {day(as_of)}")

try:
    everything = cases.list_cases(eng, program, as_of, viewer=actor)  # only the account's area
except RuralcoreError as e:
    st.error(str(e))
    st.stop()
if not cases.has_limits(program):
    st.info("本方案未规定验收各环节的工作日时限，仅显示整改通知书上的整改期限。")
else:
    st.caption(f"各环节时限：{acceptance.limits_text(program)}")

counties = sorted(c for c in everything["county_name"].dropna().unique() if c)
f1, f2, f3 = st.columns([2, 3, 1])
county = f1.selectbox("县（市、区）", ["全部"] + counties, key="acc_county")
state_names = acceptance.state_names(program)  # this document's own path
states = f2.multiselect("状态", list(state_names), format_func=state_names.get, key="acc_states",
                        placeholder="全部状态")
only_overdue = f3.toggle("只看逾期", key="acc_overdue_only")

shown = everything
if county != "全部":
    shown = shown[shown["county_name"] == county]
counts_base = shown
if states:
    shown = shown[shown["state"].isin(states)]
if only_overdue:
    shown = shown[shown["overdue"]]

cols = st.columns(len(state_names) + 1)
cols[0].metric("逾期", f"{int(counts_base['overdue'].sum())}件")
by_state = counts_base["state"].value_counts()
for col, (code, name) in zip(cols[1:], state_names.items()):
    col.metric(name, f"{int(by_state.get(code, 0))}件")

st.subheader("案件列表（逾期在前）")
if shown.empty:
    limited = "" if ui_data.visible(actor) is None else "（只列本账户管辖区域内的案件）"  # None: reads all
    st.info(f"没有符合条件的验收案件{limited}。")
else:
    table = {
        "案件": shown["case"].astype(int),
        "验收对象": shown["subject_name"].fillna(shown["subject"]),
        "编号": shown["subject"],
        "县": shown["county_name"].fillna(""),
        "状态": shown["state_name"],
        "当前环节": shown["step_name"],
        "期限": shown["due"].map(day),
        "工作日": shown["workdays_left"].map(workdays_text),
        "逾期": shown["overdue"].map({True: "逾期", False: ""}),
    }
    tables.grid(pd.DataFrame(table), hide_index=True, width="stretch",
                 column_config={"案件": st.column_config.NumberColumn(format="%d")})
    tables.excel_button(pd.DataFrame(table), "验收案件", "acc_cases_xlsx")

    pick = st.selectbox("打开案件进行检查", shown["case"].astype(int).tolist(), key="acc_pick",
                        format_func=lambda c: f"案件{c}：" + str(shown.set_index("case").at[c, "subject_name"]))
    if st.button("打开验收检查", key="acc_open", icon=":material/fact_check:"):
        st.session_state["acc_case"] = int(pick)
        st.switch_page("acceptance/check.py")

if not scope.can_write_table(actor, "acceptance_cases"):  # read-only (auditor, city supervisor): no form
    st.info(f"只读：{actor.name}（{actor.role_label}）不能新建验收案件。")
    st.stop()
with st.expander("新建验收案件", icon=":material/add_circle:"):
    subjects = cases.openable_subjects(eng, program, writer=actor)  # only subjects it may write
    if subjects.empty:
        st.info("本账户管辖区域内没有可新建验收案件的对象（均已有案件）。")
    else:
        names = dict(zip(subjects["subject"], subjects["subject_name"].fillna(subjects["subject"])))
        done = dict(zip(subjects["subject"], subjects["completed"]))
        subject = st.selectbox(f"验收对象（{cases.SUBJECT_TYPES[cases.subject_type_of(program)]}）",
                               list(subjects["subject"]), key="acc_new_subject",
                               format_func=lambda s: f"{names[s]}（{s}）")
        default = done.get(subject)
        completed = st.date_input("建成日期（年/月/日）", value=default if default and not pd.isna(default) else as_of,
                                  key=f"acc_new_completed_{subject}", format="YYYY/MM/DD")
        inspectors = st.text_input("检查人员", key="acc_new_inspectors", placeholder="如：张三、李四")
        if st.button("新建案件", key="acc_new", type="primary"):
            try:
                case = cases.open_case(eng, program, cases.subject_type_of(program), subject, completed, user(),
                                       inspectors=inspectors)
            except RuralcoreError as e:
                st.error(str(e))
            else:
                st.session_state["acc_case"] = int(case["id"])
                st.success(f"已新建案件{case['id']}（{names[subject]}），申请验收期限："
                           f"{day(cases.step_deadlines(program, case, as_of)['due'].iloc[0])}")
