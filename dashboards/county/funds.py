"""资金记录: the programme's fund entries and a form to record one. Source and use are
chosen from the programme file's closed list of categories (selects, each with its
clause); a category the document forbids (忻州 三(三) 隐形债务、偿还以往工程欠款; 融水 八(二)
挤占、挪用) is refused with its clause and nothing is written. The note beside an entry
is only kept, it never decides. Rules: ruralcore.app.funding; this page only lays them out."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboards.ui import tables
from dashboards.ui.context import current_program, engine, page_setup
from ruralcore.app import funding
from ruralcore.auth import scope
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.kernel.fmt import date_zh

actor = page_setup("funds")
program = current_program()
eng = engine()

cats = funding.fund_categories(program)
st.subheader("资金类别（文件规定的清单）")
st.caption("每笔资金的来源和用途都须从下表选择；“禁止”的类别是文件不允许的，记录时拒绝并写明条款。说明文字只作记录，不决定是否允许。")
tables.grid(pd.DataFrame({
    "类别": cats["name"], "来源/用途": cats["kind"].map(funding.CATEGORY_KINDS),
    "是否允许": cats["allowed"].map({True: "允许", False: "禁止"}), "条款": cats["ref"],
    "说明": cats["note"].fillna(""),
}), hide_index=True, width="stretch")

if scope.can_write_table(actor, "fund_entries"):
    st.subheader("记录一笔资金")
    subjects = funding.fund_subjects(eng, program, writer=actor)  # only what the account may record for
    if subjects.empty:
        st.info("本账户管辖区域内没有可记录资金的对象。")
    else:
        names = dict(zip(subjects["code"], subjects["name"].fillna(subjects["code"])))
        column = subjects["column"].iloc[0]
        sources = funding.category_options(program, "source")
        uses = funding.category_options(program, "use")
        with st.form("fd_form", clear_on_submit=False):
            a, b = st.columns(2)
            subject = a.selectbox(funding.SUBJECT_COLUMNS[column], list(names), key="fd_subject",
                                  format_func=lambda c: f"{names[c]}（{c}）")
            kind = b.selectbox("种类", ["county_matching", "allocation", "spending", "advance"], key="fd_kind",
                               format_func=funding.ENTRY_KINDS.get)
            source = a.selectbox("来源类别", list(sources), key="fd_source", format_func=sources.get)
            use = b.selectbox("用途类别", list(uses), key="fd_use", format_func=uses.get)
            amount = a.number_input("金额（元）", min_value=0, step=1000, value=0, key="fd_amount")
            on = b.date_input("日期（年/月/日）", value=dt.date.today(), key="fd_date", format="YYYY/MM/DD")
            note = st.text_input("说明（只作记录，不决定是否允许）", key="fd_note")
            submitted = st.form_submit_button("记录", type="primary")
        if submitted:
            entry = pd.DataFrame([{"kind": kind, column: subject, "source_category": source, "use_category": use,
                                   "amount_yuan": int(amount), "on_date": on, "note": note}])
            try:
                funding.record_fund_entries(eng, program, entry, actor)
            except RuralcoreError as e:
                st.error(f"未记录：{e}")
            else:
                st.success(f"已记录：{names[subject]} {int(amount):,} 元（{funding.ENTRY_KINDS[kind]}，{date_zh(on)}）。")
else:
    st.info(f"只读：{actor.name}（{actor.role_label}）可以查看资金记录，但不能记录。")

st.subheader("资金记录")
shown = funding.fund_entries(eng, program, viewer=actor)
if shown.empty:
    st.info("本账户管辖区域内还没有本方案的资金记录。")
else:
    table = pd.DataFrame({
        "日期": shown["on_date"].map(date_zh), "种类": shown["kind_name"], "对象": shown["subject"],
        "金额（元）": shown["amount_yuan"].map("{:,}".format), "来源类别": shown["source_category_name"],
        "用途类别": shown["use_category_name"], "说明": shown["note"].fillna(""),
    })
    st.caption(f"共{len(table):,}笔，合计{int(shown['amount_yuan'].sum()):,}元；最新在前。")
    tables.grid(table.head(500), hide_index=True, width="stretch")
